// khaothi: a coordinator's exams — create one, upload its class list (bad rows listed, nothing stored), prepare it
// (numbers, rooms, papers, access codes) and print the login slips per room.
"use strict";
(function () {
  var T = K.T, el = K.el, api = K.api, S;
  var $ = function (id) { return document.getElementById(id); };
  var exams = [];

  function examPath(name, suffix) { return "/api/staff/setup/exams/" + encodeURIComponent(name) + (suffix || ""); }
  function current() { return $("exam-select").value; }
  function showProblems(box, result) {
    box.innerHTML = "";
    var lines = S.problems(result);
    box.appendChild(el("p", { text: lines[0] }));
    if (lines.length > 1) box.appendChild(el("ul", {}, lines.slice(1).map(function (line) { return el("li", { text: line }); })));
    box.hidden = false;
    box.scrollIntoView({ block: "nearest" });
  }

  function load(select) {
    return api("GET", "/api/staff/setup/exams").then(function (result) {
      if (result.status !== 200) { S.notice(K.message(result), "error"); return; }
      exams = result.body.items;
      S.fill($("exam-select"), exams.map(function (exam) {
        return [exam.name, exam.name + " — " + (exam.state === "draft" ? T.setup_state_draft : T.setup_state_prepared)];
      }));
      if (select) $("exam-select").value = select;
      $("create-form").hidden = exams.length > 0 && !select && $("create-form").hidden;
      if (!exams.length) openCreate();
      show();
    });
  }

  function show() {
    var exam = exams.filter(function (e) { return e.name === current(); })[0];
    $("exam-panel").hidden = !exam;
    if (!exam) return;
    $("exam-title").textContent = exam.name;
    var sessions = exam.sessions.map(function (s) {
      return s.name + " " + S.when(s.opensAt) + " (" + s.durationMinutes + " " + T.staff_minutes + ")";
    }).join("; ");
    $("exam-facts").textContent = [exam.subject, exam.bank, exam.blueprint, sessions, T.setup_rooms + ": " + exam.rooms.map(function (r) { return exam.capacities && exam.capacities[r] ? r + " (" + exam.capacities[r] + " " + T.setup_seats + ")" : r; }).join(", "),
      exam.results === "later" ? T.setup_results_later : T.setup_results_immediate,
      exam.takeover === "proctor" ? T.setup_takeover_proctor : T.setup_takeover_free,
      T.setup_review + ": " + (T["setup_review_" + exam.review] || exam.review)].join(" · ");
    if (exam.grading) {
      $("g-rounds").value = String(exam.grading.rounds);
      $("g-threshold").value = K.points(exam.grading.threshold);
      $("g-graders").value = exam.grading.graders.join(", ");
    }
    var draft = exam.state === "draft";
    $("draft-tools").hidden = !draft;
    $("edit-exam").hidden = !draft;
    $("prepared-tools").hidden = draft;
    $("prepare").disabled = exam.candidates.length === 0;
    var stored = sessionStorage.getItem("khaothi-slips:" + exam.name);
    $("slips-link").hidden = !stored;
    $("slips-link").href = "/staff/setup/slips?exam=" + encodeURIComponent(exam.name);
    $("papers-link").href = "/staff/print/view?exam=" + encodeURIComponent(exam.name);
    $("key-link").href = "/staff/print/view?exam=" + encodeURIComponent(exam.name) + "&view=key";
    $("results-link").href = "/staff/results?exam=" + encodeURIComponent(exam.name);
    $("slips-hint").textContent = stored ? T.setup_slips_once : T.setup_slips_gone;
    drawProctors(exam);
    $("candidate-count").textContent = "(" + exam.candidates.length + ")";
    var body = $("candidates");
    body.innerHTML = "";
    exam.candidates.forEach(function (c) {
      var action = el("td");
      if (draft) action.appendChild(el("button", { type: "button", "class": "remove", text: T.setup_remove, "aria-label": T.setup_remove + " " + c.fullName, onclick: function () {
        api("DELETE", examPath(exam.name, "/candidates/" + encodeURIComponent(c.studentID))).then(function (r) {
          if (r.status !== 204) { S.notice(K.message(r), "error"); return; }
          load(exam.name);
        });
      } }));
      body.appendChild(el("tr", {}, [el("td", { text: c.studentID }), el("td", { text: c.fullName }), el("td", { text: S.dmy(c.dateOfBirth) }),
        el("td", { text: c.className || "" }), el("td", { text: c.sbd || "" }), el("td", { text: c.room || "" }), action]));
    });
  }

  // Proctors per room: a check box per member who may proctor, saved per room.
  var members = [];
  function drawProctors(exam) {
    var box = $("room-proctors");
    box.innerHTML = "";
    var proctors = members.filter(function (m) { return m.role !== "teacher"; });
    exam.rooms.forEach(function (room) {
      var chosen = (exam.proctors || {})[room] || [];
      var line = el("div", { "class": "toolbar room-proctors", "data-room": room }, [el("b", { text: T.confirm_room + " " + room + ":" })]);
      proctors.forEach(function (m) {
        var id = "rp-" + room + "-" + m.username;
        line.appendChild(el("label", { "class": "inline", "for": id }, [
          el("input", { type: "checkbox", id: id, value: m.username, checked: chosen.indexOf(m.username) >= 0 }), document.createTextNode(" " + m.fullName + " (" + m.username + ")")]));
      });
      line.appendChild(el("button", { type: "button", "class": "save-proctors", text: T.setup_save_proctors, onclick: function () {
        var names = Array.prototype.filter.call(line.querySelectorAll("input[type=checkbox]"), function (c) { return c.checked; }).map(function (c) { return c.value; });
        api("PUT", examPath(exam.name, "/rooms/" + encodeURIComponent(room) + "/proctors"), { usernames: names }).then(function (r) {
          if (r.status !== 200) { S.notice(K.message(r), "error"); return; }
          S.notice(T.setup_proctors_saved.replace("%s", room), "ok");
          load(exam.name);
        });
      } }));
      box.appendChild(line);
    });
  }

  // The create form: sessions as rows (name, opening, minutes, late entry, grace, deadline policy).
  function sessionRow(index) {
    var opens = new Date(Date.now() + 86400000);
    opens.setHours(7, 30, 0, 0);
    var local = new Date(opens.getTime() - opens.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
    var id = function (name) { return "s" + index + "-" + name; };
    return el("div", { "class": "grid4 session-row" }, [
      el("div", {}, [el("label", { "for": id("name"), text: T.setup_session_name }), el("input", { id: id("name"), value: "Ca " + (index + 1), "class": "s-name" })]),
      el("div", {}, [el("label", { "for": id("opens"), text: T.setup_opens }), el("input", { id: id("opens"), type: "datetime-local", value: local, "class": "s-opens" })]),
      el("div", {}, [el("label", { "for": id("minutes"), text: T.setup_duration }), el("input", { id: id("minutes"), type: "number", min: "1", max: "600", value: "45", "class": "s-minutes" })]),
      el("div", {}, [el("label", { "for": id("late"), text: T.setup_late }), el("input", { id: id("late"), type: "number", min: "0", max: "600", value: "15", "class": "s-late" })]),
      el("div", {}, [el("label", { "for": id("grace"), text: T.setup_grace }), el("input", { id: id("grace"), type: "number", min: "0", max: "600", value: "30", "class": "s-grace" })]),
      el("div", {}, [el("label", { "for": id("policy"), text: T.setup_policy }), el("select", { id: id("policy"), "class": "s-policy" }, [
        el("option", { value: "fixed-end", text: T.setup_policy_fixed }), el("option", { value: "from-start", text: T.setup_policy_start })])]),
    ]);
  }

  // `exam`: a draft to edit (the form filled with it and saved over it); otherwise a new exam.
  var editing = null;
  function openCreate(exam) {
    editing = exam && exam.name ? exam : null;
    $("create-form").hidden = false;
    $("create").textContent = editing ? T.setup_save_changes : T.setup_create;
    if (editing) {
      $("c-sessions").innerHTML = "";
      editing.sessions.forEach(function (session, index) {
        var row = sessionRow(index);
        var opens = new Date(session.opensAt);
        row.querySelector(".s-name").value = session.name;
        row.querySelector(".s-opens").value = new Date(opens.getTime() - opens.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
        row.querySelector(".s-minutes").value = session.durationMinutes;
        row.querySelector(".s-late").value = session.lateEntryMinutes;
        row.querySelector(".s-grace").value = session.graceSeconds;
        row.querySelector(".s-policy").value = session.policy;
        $("c-sessions").appendChild(row);
      });
      $("c-name").value = editing.name;
      $("c-mode").value = editing.paperMode;
      $("c-codes").value = editing.codeCount || 4;
      $("c-codes-box").hidden = editing.paperMode !== "codes";
      $("c-results").value = editing.results;
      $("c-takeover").value = editing.takeover;
      $("c-review").value = editing.review;
      $("c-rooms").value = editing.rooms.map(function (r) { return editing.capacities && editing.capacities[r] ? r + ":" + editing.capacities[r] : r; }).join(", ");
    } else if (!$("c-sessions").children.length) {
      $("c-sessions").appendChild(sessionRow(0));
    }
    Promise.all([api("GET", "/api/staff/blueprints"), api("GET", "/api/staff/banks")]).then(function (results) {
      if (results[0].status === 200) S.fill($("c-blueprint"), results[0].body.items.map(function (b) { return [b.name, b.name]; }));
      if (results[1].status === 200) S.fill($("c-bank"), results[1].body.items.map(function (b) { return [b.name, b.name + " (" + b.questions + ")"]; }));
      if (editing) { $("c-blueprint").value = editing.blueprint; $("c-bank").value = editing.bank; }
    });
    $("c-name").focus();
  }

  $("new-exam").addEventListener("click", function () { openCreate(null); });
  $("edit-exam").addEventListener("click", function () {
    openCreate(exams.filter(function (e) { return e.name === current(); })[0]);
  });
  $("create-cancel").addEventListener("click", function () { $("create-form").hidden = true; });
  $("c-add-session").addEventListener("click", function () { $("c-sessions").appendChild(sessionRow($("c-sessions").children.length)); });
  $("c-mode").addEventListener("change", function () { $("c-codes-box").hidden = $("c-mode").value !== "codes"; });
  $("create-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var sessions = Array.prototype.map.call($("c-sessions").querySelectorAll(".session-row"), function (row) {
      var opens = new Date(row.querySelector(".s-opens").value);
      return { name: row.querySelector(".s-name").value, opensAt: isNaN(opens) ? "" : opens.toISOString().replace(/\.\d{3}Z$/, "Z"),
        durationMinutes: parseInt(row.querySelector(".s-minutes").value, 10) || 0, lateEntryMinutes: parseInt(row.querySelector(".s-late").value, 10) || 0,
        graceSeconds: parseInt(row.querySelector(".s-grace").value, 10) || 0, policy: row.querySelector(".s-policy").value };
    });
    var body = { name: $("c-name").value.trim(), blueprint: $("c-blueprint").value, bank: $("c-bank").value, paperMode: $("c-mode").value,
      codes: parseInt($("c-codes").value, 10) || 0, results: $("c-results").value, takeover: $("c-takeover").value, review: $("c-review").value, sessions: sessions,
      rooms: $("c-rooms").value.split(/[,;\n]/).map(function (r) { return r.trim(); }).filter(Boolean) };
    $("create-problems").hidden = true;
    var request = editing ? api("PUT", examPath(editing.name), body) : api("POST", "/api/staff/setup/exams", body);
    request.then(function (result) {
      if (result.status !== 201 && result.status !== 200) { showProblems($("create-problems"), result); return; }
      $("create-form").hidden = true;
      S.notice((editing ? T.setup_saved : T.setup_created).replace("%s", result.body.name), "ok");
      editing = null;
      load(result.body.name);
    });
  });

  $("exam-select").addEventListener("change", show);
  $("upload").addEventListener("click", function () {
    var file = $("class-file").files[0];
    $("upload-problems").hidden = true;
    if (!file) { S.notice(T.setup_choose_file, "error"); $("class-file").focus(); return; }
    var name = current();
    fetch(examPath(name, "/class-list/" + encodeURIComponent(file.name)), { method: "PUT", body: file, credentials: "same-origin", cache: "no-store",
      headers: { "X-Khaothi": "1", "Content-Type": "application/octet-stream" } }).then(function (response) {
      return response.text().then(function (text) {
        var parsed = null;
        try { parsed = text ? JSON.parse(text) : null; } catch (e) { parsed = { error: { message: text } }; }
        return { status: response.status, body: parsed };
      });
    }).then(function (result) {
      if (result.status !== 200) { showProblems($("upload-problems"), result); return; }
      S.notice(K.count(T.setup_uploaded, [result.body.added, result.body.updated, result.body.total]), "ok");
      $("class-file").value = "";
      load(name);
    });
  });

  $("one-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var name = current();
    $("upload-problems").hidden = true;
    api("POST", examPath(name, "/candidates"), { studentID: $("o-id").value.trim(), fullName: $("o-name").value.trim(),
      dateOfBirth: $("o-birth").value.trim(), className: $("o-class").value.trim() }).then(function (result) {
      if (result.status !== 201) { showProblems($("upload-problems"), result); return; }
      ["o-id", "o-name", "o-birth", "o-class"].forEach(function (id) { $(id).value = ""; });
      S.notice(K.count(T.setup_uploaded, [result.body.added, result.body.updated, result.body.total]), "ok");
      load(name);
    });
  });

  $("grading-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var name = current();
    var graders = $("g-graders").value.split(",").map(function (g) { return g.trim(); }).filter(function (g) { return g; });
    api("PUT", examPath(name, "/grading"), { rounds: parseInt($("g-rounds").value, 10), threshold: $("g-threshold").value.trim().replace(",", "."),
      graders: graders }).then(function (result) {
      if (result.status !== 200) { S.notice(K.message(result), "error"); return; }
      S.notice(T.setup_grading_saved, "ok");
      load(name);
    });
  });

  $("prepare").addEventListener("click", function () { $("prepare-confirm").hidden = false; $("prepare-yes").focus(); });
  $("prepare-no").addEventListener("click", function () { $("prepare-confirm").hidden = true; });
  $("prepare-yes").addEventListener("click", function () {
    var name = current();
    $("prepare-confirm").hidden = true;
    $("prepare").disabled = true;
    S.notice(T.setup_preparing, "");
    var bar = $("prepare-progress");
    bar.hidden = false;
    bar.removeAttribute("value");
    function failed(result) { bar.hidden = true; S.notice(K.message(result), "error"); $("prepare").disabled = false; }
    // A job the page watches: papers made, then candidates seated, as a progress bar.
    api("POST", examPath(name, "/prepare?job=1")).then(function (started) {
      if (started.status !== 201) { failed(started); return; }
      S.job(started.body.job, function (done, total) {
        if (!total) return;
        bar.max = total;
        bar.value = done;
        bar.textContent = Math.round(100 * done / total) + " %";
        $("prepare-status").textContent = K.count(T.setup_prepare_progress, [done, total]);
      }).then(function (result) {
        bar.hidden = true;
        $("prepare-status").textContent = "";
        // The codes exist in clear only in this answer: kept in this tab for printing, never on the server's disk.
        sessionStorage.setItem("khaothi-slips:" + name, JSON.stringify(result.slips));
        S.notice(K.count(T.setup_prepared, result.slips.length), "ok");
        load(name);
      }, failed);
    });
  });

  K.staff.ready(["coordinator", "admin"]).then(function () {
    S = K.staff;
    api("GET", "/api/staff/members").then(function (r) { if (r.status === 200) members = r.body.items; load(S.param("exam")); });
  }, function () {});
  S = K.staff;
})();
