// khaothi: grading by hand (chấm tự luận). Exams with essays → the essays of one exam with progress → one
// question across every submitted paper, blind (số báo danh only): the answer, the model answer and rubric,
// points in steps and a comment. Saving moves to the next answer; an attempt's total turns final when its
// last pending item is decided. With two rounds a grader sees only their own points until a third is needed.
"use strict";
(function () {
  var T = K.T, el = K.el, api = K.api, S = K.staff;
  var $ = function (id) { return document.getElementById(id); };
  var exam = S.param("exam"), question = S.param("question");
  var sheet = null;

  function examPath() { return "/api/staff/grading/exams/" + encodeURIComponent(exam); }
  function pageFor(params) { return "/staff/grading?" + new URLSearchParams(params).toString(); }
  function progress(q) { return q.decided + " / " + q.answers; }

  function showExams() {
    $("exams-view").hidden = false;
    api("GET", "/api/staff/grading/exams").then(function (result) {
      if (result.status !== 200) { S.notice(K.message(result), "error"); return; }
      var body = $("grading-exams");
      body.innerHTML = "";
      result.body.items.forEach(function (overview) {
        body.appendChild(el("tr", null, [el("td", { text: overview.exam }), el("td", { text: String(overview.submitted) }),
          el("td", { text: String(overview.pending) }), el("td", { text: String(overview.settings.rounds) }),
          el("td", null, [el("a", { "class": "button", href: pageFor({ exam: overview.exam }), text: T.grading_open })])]));
      });
      $("no-exams").hidden = result.body.items.length > 0;
    });
  }

  function showQuestions() {
    $("questions-view").hidden = false;
    $("exam-title").textContent = exam;
    api("GET", examPath()).then(function (result) {
      if (result.status !== 200) { S.notice(K.message(result), "error"); return; }
      var o = result.body;
      $("exam-facts").textContent = K.count(T.grading_facts, [o.submitted, o.pending, o.settings.rounds])
        + (o.settings.rounds > 1 ? " · " + T.grading_threshold + " " + K.points(o.settings.threshold) : "");
      var body = $("grading-questions");
      body.innerHTML = "";
      o.questions.forEach(function (q) {
        var stem = el("td", { "class": "stem-cell" });
        stem.textContent = q.stem.replace(/\s+/g, " ").slice(0, 140);
        if (q.review) stem.appendChild(el("span", { "class": "tag", text: " " + T.grading_review_tag }));
        body.appendChild(el("tr", null, [el("td", { text: q.keys.join(", ") }), stem, el("td", { text: K.points(q.maximum) }),
          el("td", { text: progress(q) }), el("td", { text: q.flagged ? String(q.flagged) : "" }),
          el("td", null, [el("a", { "class": "button primary", href: pageFor({ exam: exam, question: q.id }), text: T.grading_grade })])]));
      });
    });
  }

  function media() {
    var urls = {};
    Object.keys(sheet.media || {}).forEach(function (name) { urls[name] = "/api/staff/media/" + sheet.media[name]; });
    return urls;
  }

  function roundsText(answer) {
    return answer.rounds.map(function (r) {
      var who = r.mine ? T.grading_you : (r.grader || T.grading_other);
      return T.grading_round + " " + r.round + ": " + (r.points === null || r.points === undefined ? T.grading_hidden : K.points(r.points)) + " (" + who + ")";
    }).join(" · ");
  }

  function status(answer) {
    if (answer.final !== null && answer.final !== undefined) return T.grading_final + " " + K.points(answer.final);
    if (answer.awaiting === 3) return T.grading_needs_third;
    if (answer.rounds.some(function (r) { return r.mine; })) return T.grading_waits_other;
    return T.grading_pending;
  }

  function mineOrDone(answer) {
    return (answer.final !== null && answer.final !== undefined) || answer.rounds.some(function (r) { return r.mine; });
  }

  function card(answer, index) {
    var maximum = sheet.question.maximum, step = sheet.step;
    var own = answer.rounds.filter(function (r) { return r.mine; })[0];
    var id = "a-" + index;
    var input = el("input", { type: "number", id: id + "-points", min: "0", max: String(maximum), step: String(step), inputmode: "decimal",
      "aria-label": T.grading_points + " — SBD " + answer.sbd });
    if (own && own.points !== null) input.value = String(own.points);
    var comment = el("textarea", { id: id + "-comment", rows: "2", "aria-label": T.grading_comment + " — SBD " + answer.sbd, placeholder: T.grading_comment });
    if (own && own.comment) comment.value = own.comment;
    var save = el("button", { type: "button", "class": "primary", text: T.grading_save });
    var state = el("span", { "class": "grading-state", text: status(answer) });
    var item = el("li", { "class": "grading-answer" + (mineOrDone(answer) ? " done" : ""), "data-sbd": answer.sbd }, [
      el("div", { "class": "grading-who" }, [el("strong", { text: "SBD " + answer.sbd }), answer.fullName ? " — " + answer.fullName : "",
        " · " + T.result_item + " " + answer.item, el("span", { "class": "hint", text: answer.rounds.length ? " · " + roundsText(answer) : "" }),
        answer.scored !== undefined && answer.scored !== null ? el("span", { "class": "hint", text: " · " + T.grading_scored + " " + K.points(answer.scored) }) : ""]),
      el("div", { "class": "grading-text" + (answer.answer ? "" : " empty"), text: answer.answer || T.grading_blank }),
      el("div", { "class": "grading-form" }, [
        el("label", { "for": id + "-points", text: T.grading_points + " (0–" + K.points(maximum) + ", " + T.grading_step + " " + K.points(step) + ")" }),
        input, comment, save, state])]);
    function submit() {
      var text = input.value.trim().replace(",", ".");
      if (text === "" || isNaN(Number(text))) { S.notice(T.grading_need_points, "error"); input.focus(); return; }
      save.disabled = true;
      api("POST", examPath() + "/grades", { attempt: answer.attempt, item: answer.item, points: text, comment: comment.value }).then(function (result) {
        save.disabled = false;
        if (result.status !== 200) { S.notice(K.message(result), "error"); input.focus(); return; }
        var updated = result.body;
        answer.rounds = updated.rounds; answer.final = updated.final; answer.awaiting = updated.awaiting;
        state.textContent = status(answer);
        item.classList.add("done");
        S.notice(T.grading_saved.replace("%s", answer.sbd), "ok");
        refreshProgress();
        // On to the next answer still to grade.
        var next = item.nextElementSibling;
        while (next && next.classList.contains("done") && $("only-pending").checked) next = next.nextElementSibling;
        if (next) next.querySelector("input").focus();
      });
    }
    save.addEventListener("click", submit);
    input.addEventListener("keydown", function (event) { if (event.key === "Enter") { event.preventDefault(); submit(); } });
    comment.addEventListener("keydown", function (event) { if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); submit(); } });
    return item;
  }

  function refreshProgress() {
    var done = sheet.answers.filter(mineOrDone).length;
    $("sheet-progress").textContent = T.grading_progress + ": " + done + " / " + sheet.answers.length;
    applyFilter();
  }

  function applyFilter() {
    var onlyPending = $("only-pending").checked, shown = 0;
    $("answers").querySelectorAll(".grading-answer").forEach(function (item) {
      // A card just graded stays until the page reloads, so the grader can look back at it.
      item.hidden = onlyPending && item.classList.contains("done") && !item.contains(document.activeElement) && item.getAttribute("data-fresh") !== "1";
      if (!item.hidden) shown++;
    });
    $("no-answers").hidden = shown > 0;
  }

  function showSheet() {
    $("sheet-view").hidden = false;
    $("back-to-exam").href = pageFor({ exam: exam });
    var names = S.param("names") === "1" ? "?names=1" : "";
    api("GET", examPath() + "/questions/" + encodeURIComponent(question) + names).then(function (result) {
      if (result.status !== 200) { S.notice(K.message(result), "error"); return; }
      sheet = result.body;
      $("sheet-title").textContent = exam + " — " + T.result_item + " " + sheet.question.keys.join(", ") + " (" + K.points(sheet.question.maximum) + " " + T.points + ")";
      var urls = media();
      $("sheet-stem").appendChild(K.richNode("div", sheet.question.stem, urls, "stem"));
      if (sheet.rubric) $("sheet-rubric").appendChild(K.richNode("div", sheet.rubric, urls));
      if (sheet.explanation) $("sheet-explanation").appendChild(K.richNode("div", sheet.explanation, urls));
      $("sheet-rubric-box").hidden = !sheet.rubric && !sheet.explanation;
      var list = $("answers");
      sheet.answers.forEach(function (answer, index) {
        var item = card(answer, index);
        if (!mineOrDone(answer)) item.setAttribute("data-fresh", "1");
        list.appendChild(item);
      });
      refreshProgress();
      var first = list.querySelector(".grading-answer:not([hidden]) input");
      if (first) first.focus();
    });
  }

  S.ready(["teacher", "coordinator", "admin"]).then(function () {
    $("only-pending").addEventListener("change", applyFilter);
    if (exam && question) showSheet(); else if (exam) showQuestions(); else showExams();
  }, function () {});
})();
