// khaothi: a room's log for one exam, in time order — every proctor action (added time, pauses, absences, new
// codes) and every biên bản — to print and sign at the end of the session.
"use strict";
(function () {
  var T = K.T, el = K.el, api = K.api;
  var $ = function (id) { return document.getElementById(id); };
  var actions = { incident: "log_incident", addTime: "log_add_time", pause: "log_pause", resume: "log_resume", absent: "log_absent",
    present: "log_present", takeover: "log_takeover", resetCode: "log_reset_code" };

  K.staff.ready(["proctor", "coordinator", "admin"]).then(function () {
    var exam = K.staff.param("exam") || "", room = K.staff.param("room") || "";
    $("log-title").textContent = T.log_title + " — " + exam + (room ? " — " + T.confirm_room + " " + room : "");
    $("log-facts").textContent = T.log_printed + " " + K.staff.when(new Date().toISOString());
    api("GET", "/api/staff/exams/" + encodeURIComponent(exam) + "/log?room=" + encodeURIComponent(room)).then(function (result) {
      if (result.status !== 200) { K.staff.notice(K.message(result), "error"); return; }
      var body = $("log-rows");
      result.body.items.forEach(function (entry) {
        body.appendChild(el("tr", { "class": entry.action === "incident" ? "incident" : "" }, [
          el("td", { text: K.staff.when(entry.at) }), el("td", { text: entry.actor }), el("td", { text: T[actions[entry.action]] || entry.action }),
          el("td", { text: entry.sbd || "" }), el("td", { text: entry.reason || "" })]));
      });
      $("log-none").hidden = result.body.items.length > 0;
    });
    $("print-log").addEventListener("click", function () { window.print(); });
  }, function () {});
})();
