// khaothi: papers to print — generate K exam codes (mã đề) or one paper per candidate from a blueprint and
// a bank (with progress), then open each code's A4 print view, the answer key table for all codes, or
// download the key as XLSX or CSV.
"use strict";
(function () {
  var T = K.T, el = K.el, api = K.api, S = K.staff;
  var $ = function (id) { return document.getElementById(id); };

  function loadSets() {
    return api("GET", "/api/staff/print-sets").then(function (result) {
      var sets = result.status === 200 ? result.body.items : [];
      var body = $("sets");
      body.innerHTML = "";
      $("no-sets").hidden = sets.length > 0;
      sets.forEach(function (set) {
        var view = "/staff/print/view?set=" + set.id;
        var links = el("td", { "class": "links" }, [
          el("a", { href: view, text: T.print_all_codes }),
          el("a", { href: view + "&view=key", text: T.print_key_table }),
          el("a", { href: view + "&sheet=1", text: T.print_with_sheet }),
          el("a", { href: "/api/staff/print-sets/" + set.id + "/key?format=xlsx", text: T.print_key_xlsx }),
          el("a", { href: "/api/staff/print-sets/" + set.id + "/key?format=csv", text: "CSV" }),
          el("button", { type: "button", "class": "small danger", text: T.delete, onclick: function () {
            if (!window.confirm(T.print_confirm_delete.replace("%s", set.name))) return;
            api("DELETE", "/api/staff/print-sets/" + set.id).then(function (r) { if (r.status === 204) loadSets(); else S.notice(K.message(r), "error"); });
          } }),
        ]);
        body.appendChild(el("tr", { "data-id": String(set.id) }, [el("td", null, [el("b", { text: set.name }), el("div", { "class": "hint", text: [set.school, set.examTitle].filter(Boolean).join(" · ") })]),
          el("td", { text: set.blueprint }), el("td", { text: set.bank }), el("td", { text: String(set.papers) }),
          el("td", { text: S.date(set.createdAt) + " · " + set.owner }), links]));
      });
    });
  }

  function progress(done, total) {
    $("progress").hidden = false;
    var percent = total > 0 ? Math.round(done * 100 / total) : 0;
    $("progress-bar").style.width = percent + "%";
    $("progress-text").textContent = T.print_generating + " " + done + "/" + (total || "?");
  }

  $("p-mode").addEventListener("change", function () { $("first-box").hidden = $("p-mode").value !== "codes"; });
  $("print-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var body = { name: $("p-name").value.trim(), blueprint: $("p-blueprint").value, bank: $("p-bank").value,
      school: $("p-school").value.trim() || undefined, examTitle: $("p-title").value.trim() || undefined };
    var count = parseInt($("p-count").value, 10);
    if ($("p-mode").value === "codes") { body.codes = count; body.firstCode = parseInt($("p-first").value || "101", 10); } else body.candidates = count;
    if ($("p-seed").value) body.seed = parseInt($("p-seed").value, 10);
    if (!body.name) { S.notice(T.print_need_name, "error"); $("p-name").focus(); return; }
    $("generate").disabled = true;
    api("POST", "/api/staff/print-sets", body).then(function (result) {
      if (result.status !== 201) { $("generate").disabled = false; S.notice(S.problems(result).join(" — "), "error"); return; }
      S.job(result.body.job, progress).then(function (set) {
        $("generate").disabled = false;
        $("progress").hidden = true;
        S.notice(K.count(T.print_done, [set.papers, set.name]), "info");
        loadSets();
      }, function (failure) {
        $("generate").disabled = false;
        $("progress").hidden = true;
        S.notice(S.problems(failure).join(" — "), "error");
      });
    });
  });

  S.ready(["teacher", "coordinator", "admin"]).then(function () {
    return Promise.all([api("GET", "/api/staff/blueprints"), api("GET", "/api/staff/banks")]).then(function (results) {
      var blueprints = results[0].status === 200 ? results[0].body.items : [];
      var banks = results[1].status === 200 ? results[1].body.items : [];
      S.fill($("p-blueprint"), blueprints.map(function (b) { return [b.name, b.name + " (" + b.questions + " " + T.questions + ")"]; }));
      S.fill($("p-bank"), banks.map(function (b) { return [b.name, b.name]; }));
      if (S.param("blueprint")) $("p-blueprint").value = S.param("blueprint");
      if (S.param("bank")) $("p-bank").value = S.param("bank");
      return loadSets();
    });
  }, function () {});
})();
