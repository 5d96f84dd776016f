// khaothi: the audit log for admins — who changed which key, points, question, bank, blueprint, time or
// attempt, when, revision before → after, and why.
"use strict";
(function () {
  var T = K.T, el = K.el, api = K.api, S = K.staff;
  var $ = function (id) { return document.getElementById(id); };

  function details(entry) {
    var parts = [];
    if (entry.exam) parts.push(entry.exam + (entry.sbd ? " · SBD " + entry.sbd : ""));
    if (entry.details) {
      try {
        var d = JSON.parse(entry.details);
        if (d.from !== undefined || d.to !== undefined) parts.push("r" + (d.from === undefined ? "—" : d.from) + " → r" + d.to);
        if (d.fields && d.fields.length) parts.push(d.fields.join(", "));
        Object.keys(d).forEach(function (key) {
          if (["from", "to", "fields", "keyPointsOrText"].indexOf(key) < 0) parts.push(key + ": " + (Array.isArray(d[key]) ? d[key].join(", ") : d[key]));
        });
      } catch (e) { parts.push(entry.details); }
    }
    if (entry.reason) parts.push(T.staff_reason + ": " + entry.reason);
    return parts.join(" · ");
  }

  function load() {
    var query = [];
    if ($("a-actor").value.trim()) query.push("actor=" + encodeURIComponent($("a-actor").value.trim()));
    if ($("a-action").value) query.push("action=" + encodeURIComponent($("a-action").value));
    if ($("a-subject").value.trim()) query.push("subject=" + encodeURIComponent($("a-subject").value.trim()));
    if ($("a-since").value) query.push("since=" + encodeURIComponent($("a-since").value + "T00:00:00Z"));
    query.push("limit=500");
    api("GET", "/api/staff/audit?" + query.join("&")).then(function (result) {
      if (result.status !== 200) { S.notice(K.message(result), "error"); return; }
      var body = $("entries");
      body.innerHTML = "";
      $("none").hidden = result.body.items.length > 0;
      result.body.items.forEach(function (entry) {
        var important = entry.details && entry.details.indexOf("\"keyPointsOrText\":true") >= 0;
        body.appendChild(el("tr", { "class": important ? "important" : "" }, [el("td", { text: S.date(entry.at) }), el("td", { text: entry.actor }),
          el("td", { text: entry.action }), el("td", { text: entry.subject || "" }), el("td", { text: details(entry) })]));
      });
    });
  }

  $("audit-form").addEventListener("submit", function (event) { event.preventDefault(); load(); });
  S.ready(["admin"]).then(load, function () {});
})();
