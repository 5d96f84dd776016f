// khaothi: an exam's results for coordinators — per room, session and class; each candidate's part scores,
// total and state (absent, not started, in progress, pending: provisional, final) with who graded; downloads
// as CSV (`,` or `;`) and XLSX with the same filters; one candidate's attempt beside the key with the answer log.
"use strict";
(function () {
  var T = K.T, el = K.el, api = K.api, S = K.staff;
  var $ = function (id) { return document.getElementById(id); };
  var rows = [];

  function examPath(name, suffix) { return "/api/staff/exams/" + encodeURIComponent(name) + (suffix || ""); }
  function filters() {
    var params = new URLSearchParams();
    [["room", "r-room"], ["session", "r-session"], ["class", "r-class"]].forEach(function (pair) { if ($(pair[1]).value) params.set(pair[0], $(pair[1]).value); });
    return params;
  }
  function distinct(field) {
    var seen = {};
    rows.forEach(function (row) { if (row[field]) seen[row[field]] = true; });
    return Object.keys(seen).sort().map(function (v) { return [v, v]; });
  }
  function stateName(state) { return T["results_state_" + state] || state; }

  function draw() {
    var chosen = filters(), exam = $("r-exam").value;
    var shown = rows.filter(function (row) {
      return (!chosen.get("room") || row.room === chosen.get("room")) && (!chosen.get("session") || row.session === chosen.get("session"))
        && (!chosen.get("class") || row.className === chosen.get("class"));
    });
    var parts = (rows.filter(function (r) { return r.parts; })[0] || {}).parts || [];
    $("results-head").innerHTML = "";
    $("results-head").appendChild(el("tr", null, ["SBD", T.confirm_name, T.confirm_class, T.confirm_room, T.results_session, T.staff_paper_code]
      .concat(parts.map(function (p) { return T.part + " " + p.id; })).concat([T.result_score, T.staff_state, T.results_graders, ""])
      .map(function (text) { return el("th", { text: text }); })));
    var body = $("results-rows");
    body.innerHTML = "";
    var counts = {};
    shown.forEach(function (row) {
      counts[row.state] = (counts[row.state] || 0) + 1;
      var partCells = parts.map(function (p) {
        var mine = (row.parts || []).filter(function (q) { return q.id === p.id; })[0];
        return el("td", { "class": "num", text: mine ? K.points(mine.awarded) : "" });
      });
      var view = row.state === "pending" || row.state === "final"
        ? el("a", { href: "/staff/results?" + new URLSearchParams({ exam: exam, sbd: row.sbd }).toString(), text: T.results_view }) : "";
      body.appendChild(el("tr", { "class": "state-" + row.state }, [el("td", { text: row.sbd || "" }), el("td", { text: row.fullName }),
        el("td", { text: row.className || "" }), el("td", { text: row.room || "" }), el("td", { text: row.session || "" }), el("td", { text: row.paperCode || "" })]
        .concat(partCells).concat([
          el("td", { "class": "num" }, [row.score === null || row.score === undefined ? "" : K.points(row.score),
            row.state === "pending" ? el("span", { "class": "pill provisional", text: " " + T.result_provisional }) : ""]),
          el("td", { text: stateName(row.state) }), el("td", { text: (row.graders || []).join(", ") }), el("td", null, [view])])));
    });
    $("results-totals").textContent = shown.length + " " + T.setup_candidates.toLowerCase() + ": " + ["final", "pending", "in-progress", "not-started", "absent"]
      .filter(function (s) { return counts[s]; }).map(function (s) { return stateName(s) + " " + counts[s]; }).join(" · ");
    var query = chosen.toString();
    $("dl-csv").href = examPath(exam, "/results?format=csv" + (query ? "&" + query : ""));
    $("dl-csv-semicolon").href = examPath(exam, "/results?format=csv&sep=%3B" + (query ? "&" + query : ""));
    $("dl-xlsx").href = examPath(exam, "/results?format=xlsx" + (query ? "&" + query : ""));
  }

  function load() {
    var exam = $("r-exam").value;
    if (!exam) return;
    api("GET", examPath(exam, "/results?format=json")).then(function (result) {
      if (result.status !== 200) { S.notice(K.message(result), "error"); return; }
      rows = result.body.rows;
      S.fill($("r-room"), distinct("room"), T.results_all);
      S.fill($("r-session"), distinct("session"), T.results_all);
      S.fill($("r-class"), distinct("className"), T.results_all);
      draw();
    });
  }

  // Regrade: a dry run lists every candidate whose score would change; the commit stores it (audited).
  function regrade(commit, reason) {
    var exam = $("r-exam").value, box = $("regrade-report");
    var body = reason ? { commit: commit, force: true, reason: reason } : { commit: commit };
    api("POST", examPath(exam, "/regrade"), body).then(function (result) {
      if (K.code(result) === "sessionRunning") {
        // A session still runs: the coordinator may go on with a reason (audited as forced).
        S.notice(K.message(result), "error");
        $("regrade-force").hidden = false;
        $("regrade-reason").focus();
        return;
      }
      if (result.status !== 200) { S.notice(K.message(result), "error"); return; }
      $("regrade-force").hidden = true;
      var r = result.body;
      box.innerHTML = "";
      if (!r.questions.length && !r.refused.length) { box.appendChild(el("p", { id: "regrade-nothing", text: T.regrade_nothing })); $("regrade-commit").hidden = true; return; }
      var q = el("ul", { "class": "regrade-questions" });
      r.questions.forEach(function (c) {
        q.appendChild(el("li", { text: c.questionID + " (" + c.keys.join(", ") + "): r" + c.fromRevision + " → r" + c.toRevision + " · " + T.review_key + " "
          + c.keyBefore + " → " + c.keyAfter + " · " + T.points + " " + K.points(c.pointsBefore) + " → " + K.points(c.pointsAfter) }));
      });
      r.refused.forEach(function (id) { q.appendChild(el("li", { "class": "error", text: id + ": " + T.regrade_refused })); });
      box.appendChild(q);
      box.appendChild(el("p", { id: "regrade-summary", "class": "totals", text: K.count(T.regrade_summary, [r.candidates.length, r.attempts, r.raised, r.lowered]) + (r.meanBefore !== undefined && r.meanBefore !== null ? " · " + T.stats_mean + " " + K.points(r.meanBefore) + " → " + K.points(r.meanAfter) : "")
        + " · " + (r.committed ? T.regrade_committed : T.regrade_dry_note) }));
      var body = el("tbody");
      r.candidates.forEach(function (c) {
        body.appendChild(el("tr", null, [el("td", { text: c.sbd }), el("td", { text: c.fullName }), el("td", { text: c.className || "" }),
          el("td", { "class": "num", text: K.points(c.before) }), el("td", { "class": "num" }, [K.points(c.after), c.pending ? el("span", { "class": "pill provisional", text: " " + T.result_provisional }) : ""]),
          el("td", { text: c.items.map(function (i) { return i.key + ": " + K.points(i.before) + " → " + K.points(i.after); }).join("; ") })]));
      });
      box.appendChild(el("table", { "class": "monitor" }, [el("thead", null, [el("tr", null, ["SBD", T.confirm_name, T.confirm_class, T.regrade_before, T.regrade_after, T.regrade_items]
        .map(function (t) { return el("th", { text: t }); }))]), body]));
      $("regrade-commit").hidden = r.committed || !r.questions.length;
      if (r.committed) { S.notice(T.regrade_committed, "ok"); load(); }
    });
  }

  function detail(exam, sbd) {
    $("list-view").hidden = true;
    $("detail-view").hidden = false;
    $("back").href = "/staff/results?" + new URLSearchParams({ exam: exam }).toString();
    api("GET", examPath(exam, "/candidates/" + encodeURIComponent(sbd) + "/attempt")).then(function (result) {
      if (result.status !== 200) { S.notice(K.message(result), "error"); return; }
      var r = result.body, box = $("detail-body");
      $("detail-title").textContent = T.results_detail + " — " + exam + " — SBD " + sbd;
      if (r.state !== "submitted") { box.appendChild(el("p", { text: T.results_not_submitted })); return; }
      box.appendChild(el("p", { "class": "big" }, [T.result_score + ": ", el("strong", { text: K.points(r.score) }), " / 10",
        r.pendingEssays ? el("span", { "class": "pill provisional", text: " " + T.result_provisional }) : ""]));
      if (r.paper) box.appendChild(K.render.review(r));
    });
  }

  S.ready(["coordinator", "admin"]).then(function () {
    var exam = S.param("exam"), sbd = S.param("sbd");
    if (exam && sbd) { detail(exam, sbd); return; }
    api("GET", "/api/staff/setup/exams").then(function (result) {
      if (result.status !== 200) { S.notice(K.message(result), "error"); return; }
      var prepared = result.body.items.filter(function (e) { return e.state === "prepared"; });
      S.fill($("r-exam"), prepared.map(function (e) { return [e.name, e.name]; }));
      if (exam) $("r-exam").value = exam;
      load();
    });
    $("r-exam").addEventListener("change", function () {
      history.replaceState(null, "", "/staff/results?" + new URLSearchParams({ exam: $("r-exam").value }).toString());
      load();
    });
    ["r-room", "r-session", "r-class"].forEach(function (id) { $(id).addEventListener("change", draw); });
    $("regrade-dry").addEventListener("click", function () { regrade(false); });
    $("regrade-commit").addEventListener("click", function () { $("regrade-confirm").hidden = false; $("regrade-yes").focus(); });
    $("regrade-no").addEventListener("click", function () { $("regrade-confirm").hidden = true; });
    $("regrade-yes").addEventListener("click", function () { $("regrade-confirm").hidden = true; $("regrade-commit").hidden = true; regrade(true); });
    $("regrade-force-yes").addEventListener("click", function () {
      var reason = $("regrade-reason").value.trim();
      if (!reason) { S.notice(T.regrade_need_reason, "error"); $("regrade-reason").focus(); return; }
      regrade(true, reason);
    });
  }, function () {});
})();
