// khaothi: the question editor — one form for every kind, a live preview drawn by the candidate's renderer
// with ExamCore's checks as the teacher types (the server's /questions/preview), images by upload or paste
// (stored once by SHA-256), saving as a new immutable revision, the history with readable diffs, and
// restoring an earlier revision as a new one.
"use strict";
(function () {
  var T = K.T, el = K.el, api = K.api, S = K.staff;
  var $ = function (id) { return document.getElementById(id); };
  var bankName = S.param("bank"), id = S.param("id");
  var q = null;            // the question being edited, in ExamCore's JSON shape
  var base = null;         // the revision opened (null for a new question)
  var media = {};          // name in the text → SHA-256
  var readOnly = false, dirty = false, previewTimer = null, imageTarget = null, detail = null;

  function labelOf(i) { return String.fromCharCode(65 + i); }
  function idOf(i) { return String.fromCharCode(97 + i); }

  // --- a new question of each kind -------------------------------------------------------------------
  function blank(kind, keep) {
    var head = keep || { id: "", subject: "", topic: "", level: "nhan-biet", stem: "", tags: [] };
    var fresh = { id: head.id, revision: head.revision, subject: head.subject, grade: head.grade, topic: head.topic, lesson: head.lesson,
      requirement: head.requirement, level: head.level, stem: head.stem, explanation: head.explanation, tags: head.tags || [], kind: kind };
    var options = function (n) { var list = []; for (var i = 0; i < n; i++) list.push({ id: idOf(i), text: "" }); return list; };
    switch (kind) {
      case "single-choice": fresh.options = options(4); fresh.answer = "a"; fresh.points = "0.25"; break;
      case "multiple-response": fresh.options = options(4); fresh.answers = ["a"]; fresh.scoring = "all-or-nothing"; fresh.points = "0.5"; break;
      case "true-false": fresh.statements = [0, 1, 2, 3].map(function (i) { return { id: idOf(i), text: "", isTrue: true }; }); fresh.points = "1"; break;
      case "numeric": fresh.answer = ""; fresh.points = "0.25"; break;
      case "short-text": fresh.answers = [""]; fresh.points = "0.25"; break;
      case "matching": fresh.premises = [{ id: "1", text: "" }, { id: "2", text: "" }]; fresh.choices = options(3); fresh.pairs = [{ premise: "1", choice: "a" }, { premise: "2", choice: "b" }];
        fresh.scoring = "partial"; fresh.points = "1"; break;
      case "ordering": fresh.items = [{ id: "1", text: "" }, { id: "2", text: "" }, { id: "3", text: "" }]; fresh.order = ["1", "2", "3"]; fresh.scoring = "all-or-nothing"; fresh.points = "0.5"; break;
      case "cloze": fresh.text = "… {{1}} …"; fresh.gaps = [{ id: "1", kind: "text", answers: [""] }]; fresh.points = "1"; break;
      case "essay": fresh.rubric = ""; fresh.points = "1"; break;
    }
    if (keep && keep.points !== undefined) fresh.points = String(keep.points);
    return fresh;
  }

  // --- the form ---------------------------------------------------------------------------------------
  function text(value) { return value === undefined || value === null ? "" : String(value); }

  function fill() {
    $("kind").value = q.kind;
    $("points").value = text(q.points).replace(".", ",");
    $("stem").value = text(q.stem);
    $("explanation").value = text(q.explanation);
    $("subject").value = text(q.subject) === S.unclassifiedTopic ? "" : text(q.subject);
    $("grade").value = text(q.grade);
    $("level").value = q.level;
    $("topic").value = text(q.topic) === S.unclassifiedTopic ? "" : text(q.topic);
    $("lesson").value = text(q.lesson);
    $("requirement").value = text(q.requirement);
    $("tags").value = (q.tags || []).join(", ");
    $("shuffle").checked = q.shuffleOptions !== false;
    drawBody();
  }

  function readCommon() {
    q.points = $("points").value.trim().replace(",", ".");
    q.stem = $("stem").value;
    q.explanation = $("explanation").value.trim() ? $("explanation").value : undefined;
    q.subject = $("subject").value.trim();
    q.grade = $("grade").value ? parseInt($("grade").value, 10) : undefined;
    q.level = $("level").value;
    q.topic = $("topic").value.trim();
    q.lesson = $("lesson").value.trim() || undefined;
    q.requirement = $("requirement").value.trim() || undefined;
    q.tags = $("tags").value.split(",").map(function (t) { return t.trim(); }).filter(Boolean);
    q.shuffleOptions = $("shuffle").checked;
  }

  // A list of texts (options, statements, premises, items) with add and remove.
  function textList(list, label, extra, onRemove) {
    var box = el("div", { "class": "list-editor" });
    list.forEach(function (entry, index) {
      var area = el("textarea", { rows: "1", "class": "rich", "aria-label": label(index), "data-rich": "1", spellcheck: "false" });
      area.value = entry.text;
      var fit = function () { area.rows = Math.min(6, Math.max(1, Math.ceil(area.value.length / 38) + (area.value.split("\n").length - 1))); };
      fit();
      area.addEventListener("input", function () { entry.text = area.value; fit(); changed(); });
      var remove = el("button", { type: "button", text: "✕", "aria-label": T.remove + " " + label(index), disabled: list.length <= 1, onclick: function () {
        list.splice(index, 1);
        if (onRemove) onRemove(entry, index);
        drawBody(); changed();
      } });
      box.appendChild(el("div", { "class": "list-row" }, [el("b", { text: label(index) }), area].concat(extra ? extra(entry, index) : []).concat([remove])));
    });
    return box;
  }

  function addButton(textLabel, action) { return el("button", { type: "button", "class": "small", text: "+ " + textLabel, onclick: function () { action(); drawBody(); changed(); } }); }

  function nextId(list, numeric) {
    var used = {};
    list.forEach(function (e) { used[e.id] = true; });
    for (var i = 0; i < 60; i++) { var candidate = numeric ? String(i + 1) : idOf(i % 26) + (i >= 26 ? String(Math.floor(i / 26)) : ""); if (!used[candidate]) return candidate; }
    return String(Date.now());
  }

  function choiceOptions(options, correct, multiple, setCorrect) {
    return textList(options, function (i) { return labelOf(i) + "."; }, function (entry) {
      var mark = el("input", { type: multiple ? "checkbox" : "radio", name: "correct", checked: correct(entry), "aria-label": T.editor_correct + " " + entry.id });
      mark.addEventListener("change", function () { setCorrect(entry, mark.checked); changed(); });
      var lock = el("input", { type: "checkbox", checked: !!entry.locked, "aria-label": T.editor_locked });
      lock.addEventListener("change", function () { if (lock.checked) entry.locked = true; else delete entry.locked; changed(); });
      return [el("label", { "class": "inline mark" }, [mark, " " + T.editor_correct]), el("label", { "class": "inline mark" }, [lock, " " + T.editor_locked])];
    });
  }

  var bodies = {
    "single-choice": function (box) {
      box.appendChild(choiceOptions(q.options, function (o) { return o.id === q.answer; }, false, function (o) { q.answer = o.id; }));
      box.appendChild(addButton(T.editor_add_option, function () { q.options.push({ id: nextId(q.options), text: "" }); }));
    },
    "multiple-response": function (box) {
      box.appendChild(choiceOptions(q.options, function (o) { return q.answers.indexOf(o.id) >= 0; }, true, function (o, on) {
        q.answers = q.answers.filter(function (a) { return a !== o.id; });
        if (on) q.answers.push(o.id);
      }));
      box.appendChild(addButton(T.editor_add_option, function () { q.options.push({ id: nextId(q.options), text: "" }); }));
      box.appendChild(scoring());
    },
    "true-false": function (box) {
      box.appendChild(textList(q.statements, function (i) { return idOf(i) + ")"; }, function (entry) {
        var select = el("select", { "aria-label": T.editor_truth }, [el("option", { value: "true", text: T["true"], selected: entry.isTrue }), el("option", { value: "false", text: T["false"], selected: !entry.isTrue })]);
        select.addEventListener("change", function () { entry.isTrue = select.value === "true"; changed(); });
        return [select];
      }));
      box.appendChild(addButton(T.editor_add_statement, function () { q.statements.push({ id: nextId(q.statements), text: "", isTrue: true }); }));
      var shuffle = el("input", { type: "checkbox", checked: !!q.shuffleStatements });
      shuffle.addEventListener("change", function () { q.shuffleStatements = shuffle.checked; changed(); });
      box.appendChild(el("label", { "class": "inline" }, [shuffle, " " + T.editor_shuffle_statements]));
    },
    "numeric": function (box) {
      var answer = el("input", { id: "numeric-answer", value: text(q.answer), inputmode: "decimal" });
      answer.addEventListener("input", function () { q.answer = answer.value.trim(); changed(); });
      var alternatives = el("input", { value: (q.alternatives || []).join("; ") });
      alternatives.addEventListener("input", function () { q.alternatives = alternatives.value.split(";").map(function (a) { return a.trim(); }).filter(Boolean); changed(); });
      var tolerance = el("input", { value: text(q.tolerance), inputmode: "decimal", size: "6" });
      tolerance.addEventListener("input", function () { q.tolerance = tolerance.value.trim() ? tolerance.value.trim().replace(",", ".") : undefined; changed(); });
      var rule = el("input", { type: "checkbox", checked: q.boxRule !== false });
      rule.addEventListener("change", function () { q.boxRule = rule.checked; changed(); });
      box.appendChild(el("label", { "for": "numeric-answer", text: T.key }));
      box.appendChild(answer);
      box.appendChild(el("label", { text: T.editor_alternatives }));
      box.appendChild(alternatives);
      box.appendChild(el("label", { text: T.editor_tolerance }));
      box.appendChild(tolerance);
      box.appendChild(el("label", { "class": "inline" }, [rule, " " + T.editor_box_rule]));
    },
    "short-text": function (box) {
      var answers = el("textarea", { rows: "3", "aria-label": T.editor_accepted });
      answers.value = (q.answers || []).join("\n");
      answers.addEventListener("input", function () { q.answers = answers.value.split("\n").map(function (a) { return a.trim(); }).filter(Boolean); changed(); });
      var caseSensitive = el("input", { type: "checkbox", checked: !!q.caseSensitive });
      caseSensitive.addEventListener("change", function () { q.caseSensitive = caseSensitive.checked; changed(); });
      box.appendChild(el("label", { text: T.editor_accepted }));
      box.appendChild(answers);
      box.appendChild(el("label", { "class": "inline" }, [caseSensitive, " " + T.editor_case_sensitive]));
    },
    "matching": function (box) {
      box.appendChild(el("h3", { text: T.editor_premises }));
      box.appendChild(textList(q.premises, function (i) { return (i + 1) + "."; }, function (entry) {
        var pair = q.pairs.filter(function (p) { return p.premise === entry.id; })[0];
        var select = el("select", { "aria-label": T.editor_pair }, [el("option", { value: "", text: "—" })].concat(q.choices.map(function (c, j) {
          return el("option", { value: c.id, text: labelOf(j), selected: pair && pair.choice === c.id });
        })));
        select.addEventListener("change", function () {
          q.pairs = q.pairs.filter(function (p) { return p.premise !== entry.id; });
          if (select.value) q.pairs.push({ premise: entry.id, choice: select.value });
          changed();
        });
        return [el("span", { text: "→" }), select];
      }, function (entry) { q.pairs = q.pairs.filter(function (p) { return p.premise !== entry.id; }); }));
      box.appendChild(addButton(T.editor_add_premise, function () { q.premises.push({ id: nextId(q.premises, true), text: "" }); }));
      box.appendChild(el("h3", { text: T.editor_choices }));
      box.appendChild(textList(q.choices, function (i) { return labelOf(i) + "."; }, null, function (entry) { q.pairs = q.pairs.filter(function (p) { return p.choice !== entry.id; }); }));
      box.appendChild(addButton(T.editor_add_choice, function () { q.choices.push({ id: nextId(q.choices), text: "" }); }));
      box.appendChild(scoring());
    },
    "ordering": function (box) {
      box.appendChild(el("p", { "class": "hint", text: T.editor_order_hint }));
      var byId = {};
      q.items.forEach(function (item) { byId[item.id] = item; });
      var ordered = q.order.map(function (i) { return byId[i]; }).filter(Boolean);
      box.appendChild(textList(ordered, function (i) { return (i + 1) + "."; }, function (entry, index) {
        var up = el("button", { type: "button", text: "↑", "aria-label": T.move_up, disabled: index === 0, onclick: function () { swap(index, index - 1); } });
        var down = el("button", { type: "button", text: "↓", "aria-label": T.move_down, disabled: index === ordered.length - 1, onclick: function () { swap(index, index + 1); } });
        return [up, down];
      }, function (entry) { q.items = q.items.filter(function (i) { return i.id !== entry.id; }); q.order = q.order.filter(function (i) { return i !== entry.id; }); }));
      function swap(a, b) { var order = q.order.slice(); var t = order[a]; order[a] = order[b]; order[b] = t; q.order = order; drawBody(); changed(); }
      box.appendChild(addButton(T.editor_add_item, function () { var next = nextId(q.items, true); q.items.push({ id: next, text: "" }); q.order.push(next); }));
      box.appendChild(scoring());
    },
    "cloze": function (box) {
      var area = el("textarea", { rows: "4", "class": "rich", id: "cloze-text", "data-rich": "1", spellcheck: "false" });
      area.value = text(q.text);
      area.addEventListener("input", function () { q.text = area.value; changed(); });
      box.appendChild(el("label", { "for": "cloze-text", text: T.editor_cloze_text }));
      box.appendChild(area);
      q.gaps.forEach(function (gap, index) {
        var kind = el("select", { "aria-label": T.editor_gap_kind + " " + gap.id }, ["text", "numeric", "choice"].map(function (k) { return el("option", { value: k, text: T["gap_" + k], selected: gap.kind === k }); }));
        kind.addEventListener("change", function () {
          var next = { id: gap.id, kind: kind.value };
          if (kind.value === "choice") { next.options = [{ id: "a", text: "" }, { id: "b", text: "" }]; next.answer = "a"; }
          else if (kind.value === "numeric") { next.answer = ""; next.boxRule = false; } else { next.answers = [""]; }
          q.gaps[index] = next; drawBody(); changed();
        });
        var fields = el("div", { "class": "gap-fields" });
        if (gap.kind === "choice") {
          fields.appendChild(textList(gap.options, function (i) { return labelOf(i) + "."; }, function (entry) {
            var mark = el("input", { type: "radio", name: "gap-" + gap.id, checked: gap.answer === entry.id, "aria-label": T.editor_correct });
            mark.addEventListener("change", function () { gap.answer = entry.id; changed(); });
            return [mark];
          }));
          fields.appendChild(addButton(T.editor_add_option, function () { gap.options.push({ id: nextId(gap.options), text: "" }); }));
        } else {
          var answer = el("input", { value: gap.kind === "numeric" ? text(gap.answer) : (gap.answers || []).join(" | "), "aria-label": T.key + " " + gap.id });
          answer.addEventListener("input", function () {
            if (gap.kind === "numeric") gap.answer = answer.value.trim(); else gap.answers = answer.value.split("|").map(function (a) { return a.trim(); }).filter(Boolean);
            changed();
          });
          fields.appendChild(answer);
        }
        var remove = el("button", { type: "button", text: "✕", "aria-label": T.remove, disabled: q.gaps.length <= 1, onclick: function () { q.gaps.splice(index, 1); drawBody(); changed(); } });
        box.appendChild(el("div", { "class": "gap" }, [el("b", { text: "{{" + gap.id + "}}" }), kind, fields, remove]));
      });
      box.appendChild(addButton(T.editor_add_gap, function () { var next = nextId(q.gaps, true); q.gaps.push({ id: next, kind: "text", answers: [""] }); q.text = (q.text || "") + " {{" + next + "}}"; }));
    },
    "essay": function (box) {
      var rubric = el("textarea", { rows: "4", id: "rubric", "class": "rich" });
      rubric.value = text(q.rubric);
      rubric.addEventListener("input", function () { q.rubric = rubric.value || undefined; changed(); });
      box.appendChild(el("label", { "for": "rubric", text: T.editor_rubric }));
      box.appendChild(rubric);
    },
  };

  function scoring() {
    var select = el("select", { "aria-label": T.editor_scoring }, [el("option", { value: "all-or-nothing", text: T.scoring_all, selected: q.scoring === "all-or-nothing" }),
      el("option", { value: "partial", text: T.scoring_partial, selected: q.scoring === "partial" })]);
    select.addEventListener("change", function () { q.scoring = select.value; changed(); });
    return el("label", { "class": "inline" }, [T.editor_scoring + ": ", select]);
  }

  function drawBody() {
    var box = $("body-fields");
    box.innerHTML = "";
    $("body-legend").textContent = S.kindName(q.kind);
    (bodies[q.kind] || function () {})(box);
    box.querySelectorAll("textarea").forEach(watchPaste);
    if (readOnly) box.querySelectorAll("input, select, textarea, button").forEach(function (n) { n.disabled = true; });
  }

  // --- preview and checks -----------------------------------------------------------------------------
  function changed() {
    dirty = true;
    $("save-state").textContent = T.editor_unsaved;
    clearTimeout(previewTimer);
    previewTimer = setTimeout(preview, 300);
  }

  function draft() {
    readCommon();
    var copy = JSON.parse(JSON.stringify(q));
    if (!copy.subject) copy.subject = S.unclassifiedTopic;
    if (!copy.topic) copy.topic = S.unclassifiedTopic;
    return copy;
  }

  function preview() {
    var body = draft();
    if (!body.id) body.id = "new";
    api("POST", "/api/staff/questions/preview", { question: body, media: media }).then(function (result) {
      if (result.status !== 200) { showProblems([K.message(result)]); return; }
      var p = result.body, box = $("preview");
      showProblems(p.problems);
      if (!p.item) return;
      box.innerHTML = "";
      box.appendChild(K.render.question(p.item, p.media, null, "preview"));
      $("preview-key").innerHTML = "";
      $("preview-key").appendChild(el("b", { text: T.key + ": " }));
      $("preview-key").appendChild(K.richNode("span", p.key || "", p.media));
    });
  }

  function showProblems(list) {
    var box = $("problems");
    box.innerHTML = "";
    box.hidden = !list.length;
    if (!list.length) return;
    box.appendChild(el("b", { text: T.editor_problems }));
    var ul = el("ul");
    list.forEach(function (p) { ul.appendChild(el("li", { text: p })); });
    box.appendChild(ul);
  }

  // --- images -----------------------------------------------------------------------------------------
  function insertImage(target, file) {
    if (!file) return;
    var name = (file.name && file.name !== "image.png" ? file.name : "hinh-" + Date.now() + "." + (file.type.split("/")[1] || "png")).replace(/[\s()<>\[\]]+/g, "-");
    S.notice(T.editor_uploading, "info");
    fetch("/api/staff/media", { method: "POST", headers: { "X-Khaothi": "1", "Content-Type": file.type || "application/octet-stream" }, body: file, credentials: "same-origin" })
      .then(function (response) { return response.json().then(function (body) { return { status: response.status, body: body }; }); })
      .then(function (result) {
        if (result.status !== 201) { S.notice(K.message(result), "error"); return; }
        S.notice("");
        media[name] = result.body.sha256;
        var markdown = "![" + T.editor_figure + "](" + name + ")";
        var start = target.selectionStart || target.value.length;
        target.value = target.value.slice(0, start) + markdown + target.value.slice(target.selectionEnd || start);
        target.dispatchEvent(new Event("input"));
        target.focus();
      }, function () { S.notice(T.error_network, "error"); });
  }

  function watchPaste(area) {
    if (area.getAttribute("data-paste")) return;
    area.setAttribute("data-paste", "1");
    area.addEventListener("paste", function (event) {
      var items = (event.clipboardData && event.clipboardData.files) || [];
      for (var i = 0; i < items.length; i++) {
        if (/^image\//.test(items[i].type)) { event.preventDefault(); insertImage(area, items[i]); return; }
      }
    });
  }

  document.querySelectorAll(".add-image").forEach(function (button) {
    button.addEventListener("click", function () { imageTarget = $(button.getAttribute("data-target")); $("image-file").click(); });
  });
  $("image-file").addEventListener("change", function () { insertImage(imageTarget || $("stem"), $("image-file").files[0]); $("image-file").value = ""; });

  // --- saving -----------------------------------------------------------------------------------------
  function save(thenNew) {
    var body = draft();
    var request = base === null ? api("POST", S.bankPath(bankName) + "/questions", { question: body, media: media })
      : api("PUT", S.bankPath(bankName) + "/questions/" + encodeURIComponent(id), { question: body, baseRevision: base, media: media });
    $("save").disabled = true;
    request.then(function (result) {
      $("save").disabled = false;
      if (result.status !== 200 && result.status !== 201) {
        if (K.code(result) === "staleRevision") { S.notice(K.message(result), "error"); return; }
        showProblems(S.problems(result));
        $("problems").focus && $("problems").scrollIntoView({ block: "nearest" });
        return;
      }
      dirty = false;
      var saved = result.body;
      $("save-state").textContent = saved.changed ? T.editor_saved + " r" + saved.revision : T.editor_no_change;
      if (thenNew) { window.location.href = "/staff/question?bank=" + encodeURIComponent(bankName) + "&kind=" + q.kind; return; }
      if (id !== saved.id) history.replaceState(null, "", "/staff/question?bank=" + encodeURIComponent(bankName) + "&id=" + encodeURIComponent(saved.id));
      id = saved.id;
      load();
    }, function () { $("save").disabled = false; S.notice(T.error_network, "error"); });
  }

  $("editor").addEventListener("submit", function (event) { event.preventDefault(); save(false); });
  $("save-new").addEventListener("click", function () { save(true); });
  document.addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && (event.key === "s" || event.key === "S")) { event.preventDefault(); if (!readOnly) save(false); }
  });
  window.addEventListener("beforeunload", function (event) { if (dirty) { event.preventDefault(); event.returnValue = ""; } });
  $("kind").addEventListener("change", function () { readCommon(); q = blank($("kind").value, q); fill(); changed(); });
  ["points", "stem", "explanation", "subject", "grade", "level", "topic", "lesson", "requirement", "tags", "shuffle"].forEach(function (field) {
    $(field).addEventListener("input", changed);
    $(field).addEventListener("change", changed);
  });
  watchPaste($("stem"));
  watchPaste($("explanation"));

  // --- history ----------------------------------------------------------------------------------------
  // A word diff of two texts: removed words struck through, added ones marked.
  function diff(before, after) {
    var a = String(before).split(/(\s+)/), b = String(after).split(/(\s+)/);
    if (a.length * b.length > 400000) return [el("del", { text: before }), " ", el("ins", { text: after })];
    var table = [];
    for (var i = 0; i <= a.length; i++) { table.push(new Array(b.length + 1).fill(0)); }
    for (i = a.length - 1; i >= 0; i--) for (var j = b.length - 1; j >= 0; j--) table[i][j] = a[i] === b[j] ? table[i + 1][j + 1] + 1 : Math.max(table[i + 1][j], table[i][j + 1]);
    var out = [];
    i = 0; j = 0;
    while (i < a.length && j < b.length) {
      if (a[i] === b[j]) { out.push(a[i]); i++; j++; }
      else if (table[i + 1][j] >= table[i][j + 1]) { out.push(el("del", { text: a[i] })); i++; }
      else { out.push(el("ins", { text: b[j] })); j++; }
    }
    while (i < a.length) out.push(el("del", { text: a[i++] }));
    while (j < b.length) out.push(el("ins", { text: b[j++] }));
    return out;
  }

  function fieldName(field) {
    var parts = field.split(" ");
    return (T["change_" + parts[0]] || parts[0]) + (parts[1] ? " " + parts[1] : "");
  }

  function drawHistory() {
    var list = $("history");
    list.innerHTML = "";
    detail.revisions.slice().reverse().forEach(function (revision) {
      var current = revision.revision === detail.currentRevision;
      var changes = revision.changes.length ? revision.changes.map(function (c) { return fieldName(c.field); }).join(", ") : (revision.revision === 1 ? T.history_created : "");
      var view = el("button", { type: "button", "class": "small", text: T.view, onclick: function () { showRevision(revision); } });
      var restore = el("button", { type: "button", "class": "small", text: T.history_restore, hidden: current || readOnly, onclick: function () {
        if (!window.confirm(T.history_confirm_restore.replace("%d", revision.revision))) return;
        api("POST", S.bankPath(bankName) + "/questions/" + encodeURIComponent(id) + "/restore", { revision: revision.revision, baseRevision: detail.currentRevision }).then(function (result) {
          if (result.status !== 200) { S.notice(K.message(result), "error"); return; }
          S.notice(T.history_restored.replace("%d", revision.revision).replace("%n", result.body.revision), "info");
          dirty = false;
          load();
        });
      } });
      list.appendChild(el("li", { "class": current ? "current" : "" }, [
        el("b", { text: "r" + revision.revision + (current ? " (" + T.history_current + ")" : "") }), " ",
        el("span", { "class": "hint", text: S.date(revision.createdAt) + (revision.createdBy ? " · " + revision.createdBy : "") }),
        el("div", { text: changes }), view, restore,
      ]));
    });
  }

  function showRevision(revision) {
    var box = $("revision-view");
    box.innerHTML = "";
    box.hidden = false;
    box.appendChild(el("h3", { text: T.history_revision + " " + revision.revision }));
    if (revision.changes.length) {
      var table = el("table", { "class": "diff" });
      revision.changes.forEach(function (change) {
        table.appendChild(el("tr", null, [el("th", { text: fieldName(change.field) }), el("td", null, diff(change.before, change.after))]));
      });
      box.appendChild(table);
    }
    box.appendChild(K.render.question(revision.item, detail.media, null, "preview"));
    box.appendChild(el("p", { "class": "key" }, [el("b", { text: T.key + ": " }), document.createTextNode(revision.key)]));
    box.scrollIntoView({ block: "nearest" });
  }

  // --- loading ----------------------------------------------------------------------------------------
  function load() {
    if (!id) {
      q = blank(S.param("kind") || "single-choice");
      base = null;
      $("editor-heading").textContent = T.editor_new;
      $("editor-facts").textContent = T.bank + ": " + bankName;
      fill();
      preview();
      return;
    }
    api("GET", S.bankPath(bankName) + "/questions/" + encodeURIComponent(id)).then(function (result) {
      if (result.status !== 200) { S.notice(K.message(result), "error"); return; }
      detail = result.body;
      q = detail.question;
      if (q.points !== undefined) q.points = String(q.points);
      base = detail.currentRevision;
      media = detail.mediaSha || {};
      readOnly = detail.access === "read" || detail.retired;
      $("editor-heading").textContent = T.editor_title + " " + q.id;
      $("editor-facts").textContent = T.bank + ": " + bankName + " · r" + detail.currentRevision + " · " + T.bank_uses + " " + detail.uses
        + (detail.retired ? " · " + T.retired : "") + (readOnly ? " · " + T.access_read : "") + (q.unclassified ? " · " + T.unclassified : "");
      fill();
      $("editor").querySelectorAll("input, select, textarea, button[type=submit], #save-new, .add-image").forEach(function (n) { n.disabled = readOnly; });
      $("history-box").hidden = false;
      drawHistory();
      $("save-state").textContent = "";
      preview();
    });
  }

  S.fill($("kind"), S.kinds.map(function (k) { return [k, S.kindName(k)]; }));
  S.fill($("level"), S.levels.map(function (l) { return [l, S.levelName(l)]; }));
  S.ready(["teacher", "coordinator", "admin"]).then(function () {
    if (!bankName) { S.notice(T.editor_no_bank, "error"); return; }
    $("back").href = "/staff/banks?bank=" + encodeURIComponent(bankName);
    api("GET", S.bankPath(bankName) + "/facets").then(function (result) {
      if (result.status !== 200) return;
      result.body.topics.forEach(function (t) { if (t.value !== S.unclassifiedTopic) $("topic-list").appendChild(el("option", { value: t.value })); });
      result.body.lessons.forEach(function (l) { $("lesson-list").appendChild(el("option", { value: l.value.split(" / ").slice(1).join(" / ") })); });
    });
    load();
  }, function () {});
})();
