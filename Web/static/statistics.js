// khaothi: an exam's item analysis for coordinators — the test's figures, the score distribution and
// facility × discrimination drawn as SVG by the server, each question's figures with its flags, and for choice
// questions how often each option was picked overall and by the top and bottom 27 %.
"use strict";
(function () {
  var T = K.T, el = K.el, api = K.api, S = K.staff;
  var $ = function (id) { return document.getElementById(id); };

  function path(suffix) { return "/api/staff/exams/" + encodeURIComponent($("s-exam").value) + "/statistics" + (suffix || ""); }
  function n(value, digits) { return value === null || value === undefined ? "–" : Number(value).toFixed(digits === undefined ? 2 : digits).replace(".", ","); }
  function percent(value) { return value === null || value === undefined ? "–" : Math.round(value * 100) + " %"; }

  function load() {
    if (!$("s-exam").value) return;
    loadReviewing().then(draw);
  }

  function draw() {
    var stamp = "?t=" + Date.now();
    $("st-csv").href = path("?format=csv");
    $("st-xlsx").href = path("?format=xlsx");
    $("st-results").href = "/staff/results?" + new URLSearchParams({ exam: $("s-exam").value }).toString();
    api("GET", path()).then(function (result) {
      if (result.status !== 200) { S.notice(K.message(result), "error"); return; }
      var s = result.body, t = s.test;
      $("st-empty").hidden = t.count > 0;
      document.querySelectorAll(".needs-attempts").forEach(function (section) { section.hidden = t.count === 0; });
      var facts = [[T.stats_attempts, t.count + (s.pendingLeftOut ? " (" + K.count(T.stats_pending_left, s.pendingLeftOut) + ")" : "")],
        [T.stats_mean, n(t.mean)], [T.stats_median, n(t.median)], [T.stats_mode, n(t.mode)], [T.stats_sd, n(t.standardDeviation)],
        [T.stats_alpha, n(t.alpha, 3)], [T.stats_error_ratio, percent(t.errorRatio)], [T.stats_sem, n(t.standardError)]];
      var dl = $("st-test");
      dl.innerHTML = "";
      facts.forEach(function (f) { dl.appendChild(el("div", null, [el("dt", { text: f[0] }), el("dd", { text: f[1] })])); });
      $("st-histogram").src = path("/charts/histogram.svg" + stamp);
      $("st-scatter").src = path("/charts/scatter.svg" + stamp);
      var body = $("st-items");
      body.innerHTML = "";
      var reviewed = {};
      var options = $("st-options");
      options.innerHTML = "";
      s.questions.forEach(function (q) {
        var st = q.statistics;
        body.appendChild(el("tr", { "class": q.flags.length ? "flagged" : "" }, [el("td", { text: q.keys.join(", ") }),
          el("td", { "class": "stem-cell", text: q.questionID + " — " + q.stem.replace(/\s+/g, " ").slice(0, 90) }),
          el("td", { "class": "num", text: String(st.count) }), el("td", { "class": "num", text: percent(st.facility) }),
          el("td", { "class": "num", text: percent(st.standardDeviation) }), el("td", { "class": "num", text: percent(st.discrimination) }),
          el("td", { "class": "num", text: percent(st.discriminativeEfficiency) }),
          el("td", { text: q.flags.map(function (f) { return T["stats_flag_" + f.replace(/[^a-z]/g, "") + (f.indexOf(">") > 0 ? "_high" : "")] || f; }).join("; ") }),
          el("td", null, [q.kind === "essay" ? "" : reviewButton(q)])]));
        if (q.options) {
          options.appendChild(el("figure", { "class": "options-chart" }, [
            el("figcaption", { text: q.keys.join(", ") + " — " + q.questionID + (q.blank ? " · " + T.stats_blank + " " + percent(q.blank) : "") }),
            el("img", { src: path("/charts/options-" + q.revision + ".svg" + stamp), alt: T.stats_options + " " + q.keys.join(", "), "class": "chart" })]));
        }
      });
    });
  }

  // Send an autoscored question to graders (a flagged one, typically), or take it back before anyone grades it.
  var reviewing = {};
  function reviewButton(q) {
    var button = el("button", { type: "button", "class": "small review-toggle", "data-question": String(q.revision) });
    function label() { button.textContent = reviewing[q.revision] ? T.stats_review_off : T.stats_review_on; }
    label();
    button.addEventListener("click", function () {
      var on = !reviewing[q.revision];
      api("PUT", "/api/staff/grading/exams/" + encodeURIComponent($("s-exam").value) + "/review/" + q.revision, { review: on }).then(function (result) {
        if (result.status !== 204) { S.notice(K.message(result), "error"); return; }
        reviewing[q.revision] = on;
        label();
        S.notice(on ? T.stats_review_sent : T.stats_review_taken, "ok");
      });
    });
    return button;
  }
  function loadReviewing() {
    reviewing = {};
    return api("GET", "/api/staff/grading/exams/" + encodeURIComponent($("s-exam").value)).then(function (result) {
      if (result.status !== 200) return;
      result.body.questions.forEach(function (q) { if (q.review) reviewing[q.id] = true; });
    });
  }

  S.ready(["coordinator", "admin"]).then(function () {
    api("GET", "/api/staff/setup/exams").then(function (result) {
      if (result.status !== 200) { S.notice(K.message(result), "error"); return; }
      var prepared = result.body.items.filter(function (e) { return e.state === "prepared"; });
      S.fill($("s-exam"), prepared.map(function (e) { return [e.name, e.name]; }));
      if (S.param("exam")) $("s-exam").value = S.param("exam");
      load();
    });
    $("s-exam").addEventListener("change", function () {
      history.replaceState(null, "", "/staff/statistics?" + new URLSearchParams({ exam: $("s-exam").value }).toString());
      load();
    });
    $("st-store").addEventListener("click", function () {
      api("POST", path("/store")).then(function (result) {
        if (result.status !== 200) { S.notice(K.message(result), "error"); return; }
        S.notice(K.count(T.stats_stored, result.body.questions), "ok");
      });
    });
  }, function () {});
})();
