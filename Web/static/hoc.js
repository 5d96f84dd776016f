// khaothi: the student's own page (classwork from home) — sign in with Mã học sinh and a password (a slip's,
// or set with the class's join code), change a temporary password, see what to do and what is done, start or
// resume an assignment on the test page, and practise a topic one question at a time with the lời giải.
"use strict";
(function () {
  var T = K.T, el = K.el, api = K.api;
  var $ = function (id) { return document.getElementById(id); };
  var me = null, run = null;

  function notice(text, kind) { var n = $("notice"); n.textContent = text || ""; n.className = "notice " + (kind || ""); n.hidden = !text; }
  function show(id) { ["signin", "change", "home", "practice-run"].forEach(function (name) { $(name).hidden = name !== id; }); $("logout").hidden = id === "signin"; }
  function fail(box, text) { $(box).textContent = text; $(box).hidden = !text; }
  function when(iso) {
    var d = new Date(iso), two = function (n) { return (n < 10 ? "0" : "") + n; };
    return two(d.getHours()) + ":" + two(d.getMinutes()) + " " + two(d.getDate()) + "/" + two(d.getMonth() + 1) + "/" + d.getFullYear();
  }

  function begin() {
    api("GET", "/api/student/me").then(function (result) {
      if (result.status !== 200) { show("signin"); $("s-id").focus(); return; }
      signedIn(result.body);
    }, function () { notice(T.error_network, "error"); });
  }

  function signedIn(account) {
    me = account;
    $("who").textContent = account.fullName + " — " + account.studentID;
    if (account.mustChangePassword) { show("change"); $("c-current").focus(); return; }
    loadHome();
  }

  // --- signing in ---------------------------------------------------------------------------------------
  $("signin-form").addEventListener("submit", function (event) {
    event.preventDefault();
    fail("signin-error", "");
    if (!$("s-id").value.trim() || !$("s-password").value) { fail("signin-error", T.hoc_need_both); return; }
    api("POST", "/api/student/login", { studentID: $("s-id").value.trim(), password: $("s-password").value }).then(function (result) {
      if (result.status !== 200) { fail("signin-error", K.message(result)); $("s-password").select(); return; }
      $("s-password").value = "";
      signedIn(result.body);
    }, function () { fail("signin-error", T.error_network); });
  });

  $("join-form").addEventListener("submit", function (event) {
    event.preventDefault();
    fail("join-error", "");
    if ($("j-password").value !== $("j-again").value) { fail("join-error", T.hoc_mismatch); return; }
    api("POST", "/api/student/join", { studentID: $("j-id").value.trim(), joinCode: $("j-code").value.trim(), dateOfBirth: $("j-birth").value.trim() || null,
      password: $("j-password").value }).then(function (result) {
      if (result.status !== 200) { fail("join-error", K.message(result)); return; }
      signedIn(result.body);
    }, function () { fail("join-error", T.error_network); });
  });

  $("change-form").addEventListener("submit", function (event) {
    event.preventDefault();
    fail("change-error", "");
    if ($("c-password").value !== $("c-again").value) { fail("change-error", T.hoc_mismatch); return; }
    api("POST", "/api/student/password", { current: $("c-current").value, password: $("c-password").value }).then(function (result) {
      if (result.status !== 200) { fail("change-error", K.message(result)); return; }
      ["c-current", "c-password", "c-again"].forEach(function (id) { $(id).value = ""; });
      notice(T.hoc_changed, "ok");
      signedIn(result.body);
    }, function () { fail("change-error", T.error_network); });
  });

  $("logout").addEventListener("click", function () {
    api("POST", "/api/student/logout").then(function () { window.location.href = "/hoc"; });
  });
  $("logout-all").addEventListener("click", function () {
    api("POST", "/api/student/logout-all").then(function () { window.location.href = "/hoc"; });
  });
  $("to-change").addEventListener("click", function () { $("change-hint").hidden = true; show("change"); $("c-current").focus(); });

  // --- home -----------------------------------------------------------------------------------------------
  function loadHome() {
    show("home");
    $("home-title").textContent = T.hoc_hello + " " + me.fullName;
    $("home-classes").textContent = me.classes.length ? T.confirm_class + ": " + me.classes.join(", ") : T.hoc_no_class;
    api("GET", "/api/student/home").then(function (result) {
      if (result.status === 401) { show("signin"); return; }
      if (result.status !== 200) { notice(K.message(result), "error"); return; }
      var home = result.body;
      var todo = home.assignments.filter(function (a) { return a.canStart || a.state === "upcoming"; });
      var done = home.assignments.filter(function (a) { return !(a.canStart || a.state === "upcoming"); });
      fillCards($("todo"), todo, T.hoc_nothing_todo);
      fillCards($("done"), done, T.hoc_nothing_done);
      var practice = $("practice");
      practice.innerHTML = "";
      if (!home.practice.length) practice.appendChild(el("li", { "class": "empty", text: T.hoc_no_practice }));
      home.practice.forEach(function (p) {
        var count = el("select", { "aria-label": T.hoc_how_many }, [5, 10, 20].map(function (n) { return el("option", { value: n, text: K.count(T.hoc_questions, n) }); }));
        count.value = "10";
        practice.appendChild(el("li", null, [el("h3", { text: p.topic || p.bank }), el("p", { "class": "meta", text: p.bank + " · " + K.count(T.hoc_questions, p.questions) }),
          count, " ", el("button", { type: "button", "class": "primary", text: T.hoc_practise, onclick: function () { practise(p, parseInt(count.value, 10)); } })]));
      });
      var box = $("progress-box");
      box.innerHTML = "";
      if (home.progress.length) {
        var rows = home.progress.map(function (p) {
          return el("tr", null, [el("td", { text: p.topic }), el("td", { "class": "num", text: String(p.answered) }), el("td", { "class": "num", text: String(p.correct) }),
            el("td", { "class": "num", text: Math.round(100 * p.correct / Math.max(1, p.answered)) + "%" })]);
        });
        box.appendChild(el("h2", { text: T.hoc_progress }));
        box.appendChild(el("table", { "class": "monitor", id: "progress" }, [el("thead", null, [el("tr", null, [T.hoc_topic, T.hoc_answered, T.hoc_correct, "%"].map(function (t) {
          return el("th", { text: t }); }))]), el("tbody", null, rows)]));
      }
      var first = document.querySelector("#todo button");
      if (first) first.focus();
    }, function () { notice(T.error_network, "error"); });
  }

  function fillCards(list, assignments, empty) {
    list.innerHTML = "";
    if (!assignments.length) list.appendChild(el("li", { "class": "empty", text: empty }));
    assignments.forEach(function (a) {
      var used = a.attempts.filter(function (t) { return t.state !== "not-started"; }).length;
      var meta = [T.hoc_due + ": " + when(a.closesAt)];
      if (a.lateUntil) meta.push(T.hoc_late_until + " " + when(a.lateUntil));
      if (a.timeLimitMinutes) meta.push(a.timeLimitMinutes + " " + T.minutes);
      meta.push(a.attemptsAllowed ? K.count(T.hoc_attempts_of, [used, a.attemptsAllowed]) : K.count(T.hoc_attempts_unlimited, used));
      var item = el("li", { "class": "assignment state-" + a.state + (a.lateNow ? " late" : ""), "data-id": a.id }, [
        el("h3", null, [a.title, " ", el("span", { "class": "pill " + a.state, text: T["hoc_state_" + a.state.replace("-", "_")] || a.state })]),
        el("p", { "class": "meta", text: a.subject + " · " + a.className }),
        el("p", { "class": "meta", text: meta.join(" · ") })]);
      if (a.state === "upcoming") item.appendChild(el("p", { "class": "meta", text: T.hoc_opens + ": " + when(a.opensAt) }));
      if (a.counted !== null && a.counted !== undefined) {
        item.appendChild(el("p", { "class": "meta score" }, [T.hoc_score + ": ", el("strong", { text: K.points(a.counted) + " / 10" }),
          a.provisional ? " " : "", a.provisional ? el("span", { "class": "pill provisional", text: T.result_provisional }) : ""]));
      } else if (a.attempts.some(function (t) { return t.state === "submitted"; })) {
        item.appendChild(el("p", { "class": "meta", text: T.hoc_score_later }));
      }
      a.attempts.filter(function (t) { return t.state === "submitted"; }).forEach(function (t) {
        item.appendChild(el("p", { "class": "meta" }, [K.count(T.hoc_attempt_n, t.number) + ": " + (t.score !== null && t.score !== undefined ? K.points(t.score) : "—"),
          t.late ? " " : "", t.late ? el("span", { "class": "pill late", text: T.hoc_late }) : "", " ",
          el("button", { type: "button", text: T.hoc_review, onclick: function () { openAttempt(a, t.number); } })]));
      });
      if (a.canStart) {
        var label = a.state === "in-progress" ? T.hoc_resume : used ? T.hoc_again_attempt : T.hoc_start;
        item.appendChild(el("button", { type: "button", "class": "primary start", text: label + (a.lateNow ? " (" + T.hoc_late + ")" : ""), onclick: function () { start(a); } }));
      }
      list.appendChild(item);
    });
  }

  function start(a) {
    api("POST", "/api/student/assignments/" + a.id + "/start").then(function (result) {
      if (result.status !== 200) { notice(K.message(result), "error"); loadHome(); return; }
      window.location.href = result.body.url;
    }, function () { notice(T.error_network, "error"); });
  }

  function openAttempt(a, number) {
    api("POST", "/api/student/assignments/" + a.id + "/attempts/" + number + "/review").then(function (result) {
      if (result.status !== 200) { notice(K.message(result), "error"); return; }
      window.location.href = result.body.url;
    }, function () { notice(T.error_network, "error"); });
  }

  // --- practice -------------------------------------------------------------------------------------------
  function practise(p, count) {
    api("POST", "/api/student/practice/" + p.id + "/draw", { count: count }).then(function (result) {
      if (result.status !== 200) { notice(K.message(result), "error"); return; }
      if (!result.body.items.length) { notice(T.hoc_no_questions, "error"); return; }
      run = { practice: p, items: result.body.items, index: 0, right: 0 };
      $("practice-title").textContent = T.hoc_practice + ": " + (p.topic || p.bank);
      show("practice-run");
      drawQuestion();
    }, function () { notice(T.error_network, "error"); });
  }

  function drawQuestion() {
    var entry = run.items[run.index];
    run.io = K.render.scratch();
    $("practice-count").textContent = K.count(T.hoc_practice_count, [run.index + 1, run.items.length]);
    var box = $("practice-question");
    box.innerHTML = "";
    box.hidden = false;
    box.appendChild(el("h2", { text: T.question + " " + (run.index + 1) }));
    box.appendChild(K.render.question(entry.item, {}, run.io, "take"));
    $("practice-feedback").innerHTML = "";
    $("practice-check").hidden = false;
    $("practice-next").hidden = true;
    var first = box.querySelector("input, select, textarea, button");
    if (first) first.focus();
  }

  $("practice-check").addEventListener("click", function () {
    var entry = run.items[run.index], answer = run.io.value();
    if (!K.render.isAnswered(answer)) { notice(T.hoc_answer_first, "warning"); return; }
    notice("");
    api("POST", "/api/student/practice/" + run.practice.id + "/answer", { questionID: entry.questionID, response: answer }).then(function (result) {
      if (result.status !== 200) { notice(K.message(result), "error"); return; }
      var r = result.body;
      if (r.correct) run.right += 1;
      $("practice-question").hidden = true;
      var review = K.render.review({ paper: { parts: [{ id: "P", items: [entry.item] }] }, media: {},
        items: [{ key: entry.item.key, awarded: r.awarded, maximum: r.maximum, status: r.status, answer: answer, keyText: r.keyText, explanation: r.explanation }] });
      $("practice-feedback").innerHTML = "";
      $("practice-feedback").appendChild(el("p", { "class": "big", id: "practice-verdict", text: r.correct ? T.hoc_right : T.hoc_wrong }));
      $("practice-feedback").appendChild(review);
      $("practice-check").hidden = true;
      $("practice-next").hidden = false;
      $("practice-next").textContent = run.index + 1 < run.items.length ? T.hoc_next : T.hoc_finish;
      $("practice-next").focus();
    }, function () { notice(T.error_network, "error"); });
  });
  $("practice-next").addEventListener("click", function () {
    run.index += 1;
    if (run.index < run.items.length) { drawQuestion(); return; }
    notice(K.count(T.hoc_practice_done, [run.right, run.items.length]), "ok");
    loadHome();
  });
  $("practice-stop").addEventListener("click", function () { loadHome(); });

  begin();
})();
