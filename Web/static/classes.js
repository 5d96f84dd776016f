// khaothi: a teacher's classes (lớp) — students and their accounts (printed slips with a temporary password,
// a class join code, resets), assignments done from home (window, time limit, attempts and which counts,
// review), the class table of an assignment with a facility strip, the push into the gradebook (ĐĐGtx), one
// student across the semester, and practice opened on a bank or topic.
"use strict";
(function () {
  var T = K.T, el = K.el, api = K.api, S = K.staff;
  var $ = function (id) { return document.getElementById(id); };
  var classes = [], current = null, table = null, me = null;

  function schoolYear() {
    var now = new Date(), y = now.getFullYear();
    return now.getMonth() >= 7 ? y + "-" + (y + 1) : (y - 1) + "-" + y;
  }
  function localInput(date) {
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate()) + "T" + pad(date.getHours()) + ":" + pad(date.getMinutes());
  }
  function iso(value) { return value ? new Date(value).toISOString().replace(/\.\d{3}Z$/, "Z") : null; }
  function stateName(state) { return T["cl_state_" + state.replace(/-/g, "_")] || state; }

  function loadClasses(pick) {
    return api("GET", "/api/staff/classes").then(function (result) {
      if (result.status !== 200) { S.notice(K.message(result), "error"); return; }
      classes = result.body.items;
      S.fill($("cl-pick"), classes.map(function (c) { return [String(c.id), c.name + " (" + c.year + ") · " + K.count(T.cl_n_students, c.students)]; }), T.cl_choose);
      if (pick) $("cl-pick").value = String(pick);
      if ($("cl-pick").value) openClass(parseInt($("cl-pick").value, 10));
    });
  }

  function openClass(id) {
    api("GET", "/api/staff/classes/" + id).then(function (result) {
      if (result.status !== 200) { S.notice(K.message(result), "error"); return; }
      current = result.body;
      var info = current.info;
      // The class stays chosen on a reload and in a bookmark.
      if (S.param("class") !== String(id)) window.history.replaceState(null, "", "?class=" + id);
      $("cl-pick").value = String(id);
      $("cl-box").hidden = false;
      $("cl-heading").textContent = T.confirm_class + " " + info.name + " — " + info.year;
      $("cl-teachers").textContent = T.cl_teachers + ": " + (info.teachers.map(function (t) { return t.fullName + (t.subject ? " (" + t.subject + ")" : ""); }).join(", ") || "—");
      $("cl-join").textContent = T.cl_join_code + ": " + (info.joinCode || "—");
      // Coordinators and admins say who teaches the class: "username:subject, …".
      $("cl-teachers-form").hidden = !(me && (me.role === "coordinator" || me.role === "admin"));
      $("t-list").value = info.teachers.map(function (t) { return t.username + (t.subject ? ":" + t.subject : ""); }).join(", ");
      $("slips-box").hidden = true;
      var rows = $("st-rows");
      rows.innerHTML = "";
      current.students.forEach(function (s) {
        rows.appendChild(el("tr", null, [el("td", { text: s.studentID }),
          el("td", null, [el("a", { href: "#", text: s.fullName, onclick: function (event) { event.preventDefault(); studentReport(s); } })]),
          el("td", { text: S.dmy(s.dateOfBirth) }), el("td", { text: T["cl_account_" + s.account] || s.account }),
          el("td", null, [el("button", { type: "button", text: T.cl_reset, onclick: function () { reset(s); } })])]));
      });
      var list = $("as-rows");
      list.innerHTML = "";
      current.assignments.forEach(function (a) {
        list.appendChild(el("tr", null, [el("td", { text: a.title }), el("td", { text: S.when(a.closesAt) }), el("td", { "class": "num", text: a.submitted + " / " + a.students }),
          el("td", null, [el("button", { type: "button", text: T.cl_open_table, onclick: function () { openTable(a.id); } })])]));
      });
      var pr = $("pr-list");
      pr.innerHTML = "";
      current.practice.forEach(function (p) {
        pr.appendChild(el("li", null, [p.bank + (p.topic ? " — " + p.topic : "") + " · " + K.count(T.hoc_questions, p.questions) + (p.closed ? " · " + T.cl_closed : " "),
          p.closed ? "" : el("button", { type: "button", text: T.cl_close_practice, onclick: function () {
            api("DELETE", "/api/staff/practice/" + p.id).then(function (r) { if (r.status !== 204) S.notice(K.message(r), "error"); openClass(info.id); });
          } })]));
      });
      var boxes = $("a-classes");
      boxes.innerHTML = "";
      classes.filter(function (c) { return c.year === info.year; }).forEach(function (c) {
        boxes.appendChild(el("label", { "class": "inline" }, [el("input", { type: "checkbox", value: String(c.id), checked: c.id === info.id }), c.name]));
      });
    });
  }

  function reset(student) {
    if (!window.confirm(K.count(T.cl_reset_confirm, [student.fullName]))) return;
    api("POST", "/api/staff/classes/" + current.info.id + "/students/" + encodeURIComponent(student.studentID) + "/reset-password").then(function (result) {
      if (result.status !== 200) { S.notice(K.message(result), "error"); return; }
      showSlips([result.body]);
      openClassKeepSlips();
    });
  }
  function openClassKeepSlips() { var box = $("slips-box"), keep = box.innerHTML; openClass(current.info.id); setTimeout(function () { box.hidden = false; }, 300); }

  function showSlips(slips) {
    var box = $("slips");
    box.innerHTML = "";
    slips.forEach(function (s) {
      box.appendChild(el("div", { "class": "slip" }, [el("strong", { text: s.fullName }), el("div", { text: T.confirm_class + " " + s.className + " · " + s.year }),
        el("div", { text: T.hoc_student_id + ": " + s.studentID }), el("div", { "class": "slip-password" }, [T.cl_temp_password + ": ", el("code", { text: s.password })]),
        el("div", { "class": "hint", text: T.cl_slip_where + " " + window.location.origin + "/hoc" })]));
    });
    if (!slips.length) box.appendChild(el("p", { text: T.cl_no_slips }));
    $("slips-box").hidden = false;
  }

  function openTable(id) {
    api("GET", "/api/staff/assignments/" + id).then(function (result) {
      if (result.status !== 200) { S.notice(K.message(result), "error"); return; }
      table = result.body;
      var a = table.assignment;
      $("at-box").hidden = false;
      $("at-title").textContent = a.title + " — " + a.classes.join(", ");
      $("at-counts").textContent = ["not-started", "in-progress", "submitted", "late"].map(function (s) { return stateName(s) + ": " + (table.counts[s] || 0); }).join(" · ");
      $("at-grading").href = "/staff/grading?exam=" + encodeURIComponent(a.exam);
      var strip = $("at-facility");
      strip.innerHTML = "";
      if (!table.facility.length) strip.appendChild(el("span", { "class": "hint", style: "color:#555", text: T.cl_no_facility }));
      table.facility.forEach(function (f) {
        var pct = Math.round(100 * f.facility), hue = Math.round(120 * f.facility);
        strip.appendChild(el("span", { title: f.questionID + " · " + f.topic + " · " + K.count(T.cl_n_attempts, f.attempts), style: "background:hsl(" + hue + ",65%,35%)", text: f.questionID + " " + pct + "%" }));
      });
      var rows = $("at-rows");
      rows.innerHTML = "";
      table.lines.forEach(function (line) {
        rows.appendChild(el("tr", { "class": "state-" + line.state }, [el("td", { text: line.studentID }), el("td", { text: line.fullName }), el("td", { text: line.className }),
          el("td", { text: stateName(line.state) }),
          el("td", { text: line.attempts.map(function (t) { return "#" + t.number + ": " + (t.score !== null && t.score !== undefined ? K.points(t.score) : stateName(t.state)) + (t.late ? " (" + T.hoc_late + ")" : "") + (t.pendingItems ? " *" : ""); }).join("; ") }),
          el("td", { "class": "num" }, [line.counted !== null && line.counted !== undefined ? K.points(line.counted) : "", line.provisional ? el("span", { "class": "pill provisional", text: " " + T.result_provisional }) : ""])]));
      });
      $("push-report").innerHTML = "";
      $("p-commit").hidden = true;
      $("at-box").scrollIntoView();
    });
  }

  function push(commit) {
    var overwrite = Array.prototype.map.call(document.querySelectorAll("#push-report input.overwrite:checked"), function (box) { return box.value; });
    api("POST", "/api/staff/assignments/" + table.assignment.id + "/push", { subject: $("p-subject").value, semester: parseInt($("p-semester").value, 10),
      slot: $("p-slot").value, commit: commit, overwrite: overwrite }).then(function (result) {
      if (result.status !== 200) { S.notice(K.message(result), "error"); return; }
      var box = $("push-report");
      box.innerHTML = "";
      result.body.pushes.forEach(function (r) {
        box.appendChild(el("p", { "class": "totals push-summary", text: r.year + ": " + K.count(T.gb_push_summary, [r.written, r.conflicts, r.pending]) + " · " + (r.committed ? T.gb_pushed : T.regrade_dry_note) }));
        var body = el("tbody");
        r.lines.forEach(function (line) {
          var pick = line.outcome === "conflict" ? el("input", { type: "checkbox", "class": "overwrite", value: line.studentID, "aria-label": T.gb_overwrite + " " + line.fullName }) : "";
          body.appendChild(el("tr", { "class": "outcome-" + line.outcome }, [el("td", { text: line.studentID }), el("td", { text: line.fullName }),
            el("td", { "class": "num", text: line.score !== null && line.score !== undefined ? K.points(line.score) : "" }), el("td", { "class": "num", text: line.existing !== null && line.existing !== undefined ? K.points(line.existing) : "" }),
            el("td", { text: T["gb_outcome_" + line.outcome.replace(/-/g, "_")] || line.outcome }), el("td", null, [pick])]));
        });
        box.appendChild(el("table", { "class": "monitor" }, [el("thead", null, [el("tr", null, [T.setup_student_id, T.confirm_name, T.gb_recorded, T.gb_existing, T.staff_state, T.gb_overwrite]
          .map(function (t) { return el("th", { text: t }); }))]), body]));
        $("p-commit").hidden = r.committed;
      });
    });
  }

  function studentReport(student) {
    api("GET", "/api/staff/classes/" + current.info.id + "/students/" + encodeURIComponent(student.studentID)).then(function (result) {
      if (result.status !== 200) { S.notice(K.message(result), "error"); return; }
      $("st-report-box").hidden = false;
      $("st-report-title").textContent = student.fullName + " — " + student.studentID;
      var rows = $("st-report");
      rows.innerHTML = "";
      result.body.items.forEach(function (line) {
        rows.appendChild(el("tr", null, [el("td", { text: line.className }), el("td", { text: stateName(line.state) }), el("td", { "class": "num", text: String(line.attempts.length) }),
          el("td", { "class": "num" }, [line.counted !== null && line.counted !== undefined ? K.points(line.counted) : "", line.provisional ? el("span", { "class": "pill provisional", text: " " + T.result_provisional }) : ""])]));
      });
      $("st-report-box").scrollIntoView();
    });
  }

  // Lines pasted from Excel or typed: Mã học sinh, Họ và tên, Ngày sinh (tab, semicolon or comma between).
  function pastedStudents(text) {
    return text.split(/\r?\n/).map(function (line) { return line.trim(); }).filter(Boolean).map(function (line) {
      var cells = line.split(line.indexOf("\t") >= 0 ? "\t" : line.indexOf(";") >= 0 ? ";" : ",").map(function (c) { return c.trim(); });
      return { studentID: cells[0] || "", fullName: cells[1] || "", dateOfBirth: cells[2] || null };
    });
  }

  $("cl-teachers-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var teachers = $("t-list").value.split(",").map(function (part) { return part.trim(); }).filter(Boolean).map(function (part) {
      var colon = part.indexOf(":");
      return colon < 0 ? { username: part } : { username: part.slice(0, colon).trim(), subject: part.slice(colon + 1).trim() };
    });
    api("PUT", "/api/staff/classes/" + current.info.id + "/teachers", { teachers: teachers }).then(function (result) {
      if (result.status !== 200) { S.notice(K.message(result), "error"); return; }
      S.notice(T.cl_saved, "ok");
      openClass(current.info.id);
    });
  });
  $("cl-pick").addEventListener("change", function () { if (this.value) openClass(parseInt(this.value, 10)); });
  $("cl-new").addEventListener("click", function () { $("cl-form").hidden = false; $("f-year").value = $("f-year").value || schoolYear(); $("f-name").focus(); });
  $("cl-form").addEventListener("submit", function (event) {
    event.preventDefault();
    $("cl-error").hidden = true;
    api("POST", "/api/staff/classes", { year: $("f-year").value.trim(), name: $("f-name").value.trim(), subject: $("f-subject").value.trim() || null,
      students: pastedStudents($("f-students").value) }).then(function (result) {
      if (result.status !== 201) { $("cl-error").textContent = S.problems(result).join("\n"); $("cl-error").hidden = false; return; }
      $("cl-form").hidden = true;
      $("f-students").value = "";
      S.notice(T.cl_saved, "ok");
      loadClasses(result.body.id);
    });
  });
  $("cl-file").addEventListener("change", function () {
    var file = this.files[0];
    if (!file) return;
    fetch("/api/staff/classes/" + current.info.id + "/class-list/" + encodeURIComponent(file.name), { method: "PUT", headers: { "X-Khaothi": "1" }, body: file, credentials: "same-origin" })
      .then(function (response) { return response.json().then(function (body) { return { status: response.status, body: body }; }); })
      .then(function (result) {
        if (result.status !== 200) { S.notice(S.problems(result).join(" · "), "error"); return; }
        S.notice(T.cl_saved, "ok");
        loadClasses(current.info.id);
      });
    this.value = "";
  });
  $("cl-join-new").addEventListener("click", function () {
    api("POST", "/api/staff/classes/" + current.info.id + "/join-code").then(function (result) {
      if (result.status !== 200) { S.notice(K.message(result), "error"); return; }
      $("cl-join").textContent = T.cl_join_code + ": " + result.body.joinCode;
    });
  });
  $("cl-slips").addEventListener("click", function () {
    api("POST", "/api/staff/classes/" + current.info.id + "/slips").then(function (result) {
      if (result.status !== 200) { S.notice(K.message(result), "error"); return; }
      showSlips(result.body.items);
    });
  });
  $("slips-print").addEventListener("click", function () { window.print(); });
  $("as-form").addEventListener("submit", function (event) {
    event.preventDefault();
    $("as-error").hidden = true;
    var picked = Array.prototype.map.call(document.querySelectorAll("#a-classes input:checked"), function (box) { return parseInt(box.value, 10); });
    var attempts = $("a-attempts").value === "" ? 1 : parseInt($("a-attempts").value, 10);
    var fixed = $("a-questions").value.split(/[,;\s]+/).filter(Boolean);
    api("POST", "/api/staff/assignments", { title: $("a-title").value.trim(), classes: picked, bank: $("a-bank").value,
      blueprint: fixed.length ? null : $("a-blueprint").value, questions: fixed.length ? fixed : null,
      opensAt: iso($("a-opens").value), closesAt: iso($("a-closes").value), lateUntil: iso($("a-late").value),
      timeLimitMinutes: $("a-limit").value ? parseInt($("a-limit").value, 10) : null, attempts: attempts, counting: $("a-counting").value,
      ownPapers: $("a-papers").value === "own", review: $("a-review").value, reviewAfter: $("a-review-after").value }).then(function (result) {
      if (result.status !== 201) { $("as-error").textContent = S.problems(result).join("\n"); $("as-error").hidden = false; return; }
      $("as-new-box").open = false;
      S.notice(T.cl_assigned, "ok");
      openClass(current.info.id);
      openTable(result.body.id);
    });
  });
  $("at-push").addEventListener("submit", function (event) { event.preventDefault(); push(false); });
  $("p-commit").addEventListener("click", function () { push(true); });
  $("pr-form").addEventListener("submit", function (event) {
    event.preventDefault();
    api("POST", "/api/staff/practice", { classID: current.info.id, bank: $("pr-bank").value, topic: $("pr-topic").value.trim() || null }).then(function (result) {
      if (result.status !== 201) { S.notice(K.message(result), "error"); return; }
      $("pr-topic").value = "";
      openClass(current.info.id);
    });
  });

  S.ready(["teacher", "coordinator", "admin"]).then(function (member) {
    me = member;
    var now = new Date(), week = new Date(now.getTime() + 7 * 86400000);
    now.setSeconds(0, 0); week.setSeconds(0, 0);
    $("a-opens").value = localInput(now);
    $("a-closes").value = localInput(week);
    Promise.all([api("GET", "/api/staff/blueprints"), api("GET", "/api/staff/banks"), api("GET", "/api/staff/gradebook/subjects")]).then(function (results) {
      if (results[0].status === 200) S.fill($("a-blueprint"), results[0].body.items.map(function (b) { return [b.name, b.name]; }));
      if (results[1].status === 200) {
        var banks = results[1].body.items.map(function (b) { return [b.name, b.name + " (" + b.questions + ")"]; });
        S.fill($("a-bank"), banks); S.fill($("pr-bank"), banks);
      }
      if (results[2].status === 200) S.fill($("p-subject"), results[2].body.items.filter(function (s) { return !s.commentOnly; }).map(function (s) { return [s.name, s.name]; }));
    });
    loadClasses(S.param("class"));
  });
})();
