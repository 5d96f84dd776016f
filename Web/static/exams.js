// khaothi: the exam room page — watch an exam's candidates, add time, new access codes, release results, download scores.
"use strict";
(function () {
  var T = K.T, el = K.el, api = K.api;
  var $ = function (id) { return document.getElementById(id); };
  var member = null, exams = [], timer = null, codes = {};

  function signedIn(signed) {
    member = signed;
    var coordinates = member.role === "admin" || member.role === "coordinator";
    $("release-panel").hidden = !coordinates;
    $("staff-download").hidden = !coordinates;
    api("GET", "/api/staff/exams").then(function (result) {
      if (result.status !== 200) { $("staff-message").textContent = K.message(result); $("staff-exam").hidden = false; return; }
      exams = result.body;
      var select = $("staff-exam-select");
      select.innerHTML = "";
      exams.forEach(function (exam) { select.appendChild(el("option", { value: exam.name, text: exam.name + " (" + exam.subject + ")" })); });
      $("staff-exam").hidden = false;
      refresh();
      clearInterval(timer);
      timer = setInterval(refresh, 5000);
    });
  }

  function exam() { return $("staff-exam-select").value; }
  function path(suffix) { return "/api/staff/exams/" + encodeURIComponent(exam()) + suffix; }

  $("staff-exam-select").addEventListener("change", function () { codes = {}; $("staff-room").value = ""; refresh(); });
  $("staff-search").addEventListener("input", function () { refresh(); });
  $("staff-room").addEventListener("change", function () { refresh(); });
  $("incident-save").addEventListener("click", function () {
    var note = $("incident-note").value.trim();
    if (!note) { $("staff-message").textContent = T.incident_need_note; $("incident-note").focus(); return; }
    api("POST", path("/incidents"), { room: $("staff-room").value, sbd: $("incident-sbd").value.trim(), note: note }).then(function (r) {
      $("staff-message").textContent = r.status === 201 ? T.incident_saved : K.message(r);
      if (r.status === 201) { $("incident-note").value = ""; $("incident-sbd").value = ""; }
    });
  });
  $("room-log").addEventListener("click", function (event) {
    event.preventDefault();
    window.location.href = "/staff/exams/log?exam=" + encodeURIComponent(exam()) + "&room=" + encodeURIComponent($("staff-room").value);
  });
  $("room-add").addEventListener("click", function () {
    var room = $("staff-room").value;
    if (!$("room-reason").value.trim()) { $("staff-message").textContent = T.room_need_reason; $("room-reason").focus(); return; }
    api("POST", path("/rooms/" + encodeURIComponent(room) + "/add-time"), { minutes: parseInt($("room-minutes").value, 10), reason: $("room-reason").value }).then(function (r) {
      $("staff-message").textContent = r.status === 200 ? K.count(T.room_added, [r.body.minutes, r.body.candidates.length, room]) : K.message(r);
      if (r.status === 200) $("room-reason").value = "";
      refresh();
    });
  });
  $("staff-refresh").addEventListener("click", refresh);
  // Results: released after a confirmation; while a session runs only with a reason (audited); withdrawn with one.
  var pending = null;
  function ask(action) {
    pending = action;
    $("release-question").textContent = action === "release" ? T.release_question : T.release_withdraw_question;
    $("release-confirm").hidden = false;
    $("release-yes").focus();
  }
  function releaseState() {
    if (!member || !(member.role === "admin" || member.role === "coordinator") || !exam()) return;
    api("GET", "/api/staff/setup/exams/" + encodeURIComponent(exam())).then(function (result) {
      if (result.status !== 200) return;
      var o = result.body;
      $("release-state").textContent = o.resultsReleasedAt
        ? T.release_done.replace("%1", K.staff.date(o.resultsReleasedAt)).replace("%2", o.resultsReleasedBy || "?")
        : (o.results === "immediate" ? T.setup_results_immediate : T.release_not_yet) + (o.running ? " · " + T.release_running : "");
      $("staff-release").hidden = !!o.resultsReleasedAt || o.results === "immediate";
      $("staff-withdraw").hidden = !o.resultsReleasedAt;
      $("release-reason").hidden = o.results === "immediate" && !o.resultsReleasedAt;
    });
  }
  $("staff-release").addEventListener("click", function () { ask("release"); });
  $("staff-withdraw").addEventListener("click", function () {
    if (!$("release-reason").value.trim()) { $("staff-message").textContent = T.release_need_reason; $("release-reason").focus(); return; }
    ask("withdraw");
  });
  $("release-no").addEventListener("click", function () { $("release-confirm").hidden = true; pending = null; });
  $("release-yes").addEventListener("click", function () {
    var reason = $("release-reason").value.trim();
    $("release-confirm").hidden = true;
    var request = pending === "withdraw"
      ? api("POST", path("/withdraw-results"), { reason: reason })
      : api("POST", path("/release-results"), reason ? { force: true, reason: reason } : {});
    var action = pending;
    pending = null;
    request.then(function (result) {
      if (result.status === 200) {
        $("staff-message").textContent = action === "withdraw" ? T.release_withdrawn : T.staff_released;
        $("release-reason").value = "";
      } else if (K.code(result) === "sessionRunning") {
        $("staff-message").textContent = K.message(result) + " " + T.release_need_reason;
        $("release-reason").focus();
      } else {
        $("staff-message").textContent = K.message(result);
      }
      releaseState();
    });
  });

  // "2 phút" since the last stored answer, by the server's clock as the page knows it.
  var skew = 0;
  function ago(when) {
    var seconds = Math.max(0, Math.round((Date.now() + skew - new Date(when).getTime()) / 1000));
    return seconds < 60 ? seconds + " s" : Math.floor(seconds / 60) + " " + T.staff_minutes;
  }
  // In progress but nothing saved for 5 minutes: worth a look.
  function quiet(row) {
    return row.state === "in-progress" && row.lastSavedAt && Date.now() + skew - new Date(row.lastSavedAt).getTime() > 300000;
  }

  var states = { "not-started": "staff_not_started", "in-progress": "staff_in_progress", "submitted": "staff_submitted" };

  function refresh() {
    if (!exam()) return;
    releaseState();
    $("staff-download").href = path("/results?format=csv");
    // Do not redraw under a proctor who is typing minutes or a reason.
    if (document.activeElement && document.activeElement.closest && document.activeElement.closest("#staff-rows")) return;
    api("GET", "/api/time").then(function (result) {
      if (result.status === 200) skew = new Date(result.body.serverTime).getTime() - Date.now();
    });
    api("GET", path("/monitor")).then(function (result) {
      if (result.status !== 200) { $("staff-message").textContent = K.message(result); return; }
      var body = $("staff-rows");
      body.innerHTML = "";
      // Totals over the whole exam; the table shows what the search keeps.
      var counts = { "not-started": 0, "in-progress": 0, submitted: 0, paused: 0, quiet: 0, absent: 0 };
      result.body.forEach(function (row) {
        if (row.absent) counts.absent += 1; else counts[row.state] += 1;
        if (row.paused) counts.paused += 1;
        if (quiet(row)) counts.quiet += 1;
      });
      $("totals").textContent = [T.staff_not_started + ": " + counts["not-started"], T.staff_in_progress + ": " + counts["in-progress"],
        T.staff_submitted + ": " + counts.submitted, T.room_absent_count + ": " + counts.absent, T.room_paused_count + ": " + counts.paused, T.room_quiet + ": " + counts.quiet].join(" · ");
      var rooms = [];
      result.body.forEach(function (row) { if (row.room && rooms.indexOf(row.room) < 0) rooms.push(row.room); });
      K.staff.fill($("staff-room"), rooms.sort().map(function (r) { return [r, r]; }), T.room_all);
      var room = $("staff-room").value;
      $("room-time").hidden = !room;
      var needle = $("staff-search").value.trim().toLowerCase();
      result.body.filter(function (row) {
        if (room && row.room !== room) return false;
        return !needle || row.sbd.toLowerCase().indexOf(needle) >= 0 || row.fullName.toLowerCase().indexOf(needle) >= 0 ||
          (row.className || "").toLowerCase().indexOf(needle) >= 0;
      }).forEach(function (row) {
        var cell = el("td");
        if (row.state === "in-progress") {
          var minutes = el("input", { type: "number", min: "1", max: "240", value: "5", size: "3", "aria-label": T.staff_minutes + " " + row.sbd, "class": "minutes" });
          var reason = el("input", { type: "text", size: "12", placeholder: T.staff_reason, "aria-label": T.staff_reason + " " + row.sbd, "class": "reason" });
          var button = el("button", { type: "button", "class": "add-time", "data-sbd": row.sbd, text: "+ " + T.staff_minutes, onclick: function () {
            api("POST", path("/candidates/" + encodeURIComponent(row.sbd) + "/add-time"), { minutes: parseInt(minutes.value, 10), reason: reason.value }).then(function (r) {
              $("staff-message").textContent = r.status === 200 ? T.staff_added + " " + row.sbd : K.message(r);
              button.blur();
              refresh();
            });
          } });
          cell.appendChild(minutes); cell.appendChild(reason); cell.appendChild(button);
        }
        if (row.state === "in-progress") {
          // Pause or resume with the reason typed beside the minutes (required; audited; the candidate's page shows it).
          cell.appendChild(el("button", { type: "button", "class": row.paused ? "resume" : "pause", "data-sbd": row.sbd,
            text: row.paused ? T.room_resume : T.room_pause, onclick: function () {
              var why = cell.querySelector(".reason");
              if (!why.value.trim()) { $("staff-message").textContent = T.room_need_reason; why.focus(); return; }
              api("POST", path("/candidates/" + encodeURIComponent(row.sbd) + (row.paused ? "/resume" : "/pause")), { reason: why.value }).then(function (r) {
                $("staff-message").textContent = r.status === 200 ? (r.body.paused ? T.room_paused : T.room_resumed) + " " + row.sbd : K.message(r);
                document.activeElement.blur();
                refresh();
              });
            } }));
        }
        // End an attempt now, or reopen one submitted by mistake: with the reason typed beside it (or asked for).
        function withReason(action, done) {
          var why = cell.querySelector(".reason"), reason = why.value.trim();
          if (!reason) { $("staff-message").textContent = T.room_need_reason; why.focus(); return; }
          api("POST", path("/candidates/" + encodeURIComponent(row.sbd) + "/" + action), { reason: reason }).then(function (r) {
            $("staff-message").textContent = r.status === 200 ? done + " " + row.sbd : K.message(r);
            if (document.activeElement) document.activeElement.blur();
            refresh();
          });
        }
        if (row.state === "in-progress") {
          cell.appendChild(el("button", { type: "button", "class": "allow-move", "data-sbd": row.sbd, text: T.room_allow_move, onclick: function () {
            withReason("allow-move", T.room_move_allowed);
          } }));
          cell.appendChild(el("button", { type: "button", "class": "force-submit", "data-sbd": row.sbd, text: T.room_force_submit, onclick: function () {
            withReason("force-submit", T.room_force_submitted);
          } }));
        }
        if (row.state === "submitted" && !row.autoSubmitted && row.deadline && new Date(row.deadline).getTime() > Date.now() + skew) {
          cell.appendChild(el("input", { type: "text", size: "12", placeholder: T.staff_reason, "aria-label": T.staff_reason + " " + row.sbd, "class": "reason" }));
          cell.appendChild(el("button", { type: "button", "class": "reopen", "data-sbd": row.sbd, text: T.room_reopen, onclick: function () {
            withReason("reopen", T.room_reopened);
          } }));
        }
        if (row.state === "not-started") {
          cell.appendChild(el("button", { type: "button", "class": row.absent ? "present" : "absent", "data-sbd": row.sbd,
            text: row.absent ? T.room_present : T.room_absent, onclick: function () {
              api("POST", path("/candidates/" + encodeURIComponent(row.sbd) + (row.absent ? "/present" : "/absent")), {}).then(function (r) {
                $("staff-message").textContent = r.status === 204 ? (row.absent ? T.room_marked_present : T.room_marked_absent) + " " + row.sbd : K.message(r);
                document.activeElement.blur();
                refresh();
              });
            } }));
        }
        if (row.state !== "submitted") {
          cell.appendChild(el("button", { type: "button", "class": "reset-code", "data-sbd": row.sbd, text: T.staff_new_code, onclick: function () {
            api("POST", path("/candidates/" + encodeURIComponent(row.sbd) + "/reset-code")).then(function (r) {
              if (r.status !== 200) { $("staff-message").textContent = K.message(r); return; }
              // Shown next to the candidate until the proctor closes it, not in a status line off-screen.
              codes[r.body.sbd] = r.body.accessCode;
              $("staff-message").textContent = T.staff_new_code_for + " " + r.body.sbd + ": " + r.body.accessCode;
              document.activeElement.blur();
              refresh();
            });
          } }));
        }
        if (codes[row.sbd]) {
          cell.appendChild(el("span", { "class": "new-code", role: "status" }, [el("b", { text: T.staff_new_code_for + " " + row.sbd + ": " + codes[row.sbd] }),
            el("button", { type: "button", text: "×", "aria-label": T.cancel, onclick: function () { delete codes[row.sbd]; refresh(); } })]));
        }
        body.appendChild(el("tr", { "data-sbd": row.sbd }, [
          el("td", { text: row.sbd }), el("td", { text: row.fullName }), el("td", { text: row.className || "" }), el("td", { text: row.room || "" }),
          el("td", { text: (row.absent ? T.room_absent_state : T[states[row.state]]) + (row.paused ? " — " + T.room_paused_state : "") + (row.autoSubmitted ? " (" + T.staff_auto + ")" : "") }),
          el("td", { text: row.answered + "/" + row.items }),
          el("td", { "class": quiet(row) ? "quiet" : "", text: row.lastSavedAt ? ago(row.lastSavedAt) : "" }),
          el("td", { text: row.remainingSeconds === null || row.remainingSeconds === undefined ? "" : K.clock(row.remainingSeconds) + (row.extraSeconds ? " (+" + Math.round(row.extraSeconds / 60) + "′)" : "") }),
          el("td", { text: row.score === null || row.score === undefined ? "" : K.points(row.score) + (row.pendingItems ? " " + T.result_provisional : "") }),
          cell,
        ]));
      });
    });
  }

  K.staff.ready(["proctor", "coordinator", "admin"]).then(signedIn, function () {});
})();
