// khaothi: import by upload — drop files in any format khaothi reads (with the images they name), see
// a dry run (questions per kind, new / changed / unchanged, every problem as "file:line: what is wrong"),
// then import all or nothing, or skip the bad questions. Uploads and the import show their progress.
"use strict";
(function () {
  var T = K.T, el = K.el, api = K.api, S = K.staff;
  var $ = function (id) { return document.getElementById(id); };
  var files = [], batch = null, lastCheck = null, banks = [];

  function target() { return $("target").value === "" ? $("new-name").value.trim() : $("target").value; }

  function settings(partial) {
    return { bank: target(), subject: $("subject").value.trim(), grade: $("grade").value ? parseInt($("grade").value, 10) : undefined,
      topic: $("topic").value.trim(), lesson: $("lesson").value.trim(), level: $("level").value, partial: !!partial };
  }

  function progress(done, total, label) {
    $("progress").hidden = false;
    var percent = total > 0 ? Math.round(done * 100 / total) : 0;
    $("progress-bar").style.width = percent + "%";
    $("progress-text").textContent = label + (total > 0 ? " " + percent + "%" : "");
  }

  function listFiles() {
    var list = $("file-list");
    list.innerHTML = "";
    files.forEach(function (file, index) {
      list.appendChild(el("li", null, [file.name + " (" + Math.ceil(file.size / 1024) + " KB) ",
        el("button", { type: "button", "class": "small", text: T.remove, "aria-label": T.remove + " " + file.name, onclick: function () { files.splice(index, 1); batch = null; listFiles(); } })]));
    });
  }

  function add(list) {
    for (var i = 0; i < list.length; i++) {
      files = files.filter(function (f) { return f.name !== list[i].name; });
      files.push(list[i]);
    }
    batch = null;
    $("report").hidden = true;
    listFiles();
  }

  // One file up, with its progress (XMLHttpRequest reports upload progress; fetch does not).
  function send(file, sent, total) {
    return new Promise(function (resolve, reject) {
      var request = new XMLHttpRequest();
      request.open("PUT", "/api/staff/imports/" + batch + "/files/" + encodeURIComponent(file.name));
      request.setRequestHeader("X-Khaothi", "1");
      request.upload.onprogress = function (event) { progress(sent + event.loaded, total, T.import_uploading); };
      request.onload = function () {
        if (request.status === 201) resolve(); else {
          var body = null;
          try { body = JSON.parse(request.responseText); } catch (e) { body = null; }
          reject({ status: request.status, body: body });
        }
      };
      request.onerror = function () { reject({ status: 0, body: { error: { message: T.error_network } } }); };
      request.send(file);
    });
  }

  function upload() {
    if (batch) return Promise.resolve();
    return api("POST", "/api/staff/imports").then(function (result) {
      if (result.status !== 201) return Promise.reject(result);
      batch = result.body.batch;
      var total = files.reduce(function (n, f) { return n + f.size; }, 0), sent = 0;
      return files.reduce(function (chain, file) {
        return chain.then(function () { return send(file, sent, total).then(function () { sent += file.size; }); });
      }, Promise.resolve());
    }).catch(function (error) { batch = null; return Promise.reject(error); });
  }

  function check() {
    if (!files.length) { S.notice(T.import_no_files, "error"); $("files").focus(); return; }
    if (!target()) { S.notice(T.import_need_bank, "error"); $("new-name").focus(); return; }
    S.notice("");
    $("check").disabled = true;
    upload().then(function () {
      progress(0, 0, T.import_reading);
      return api("POST", "/api/staff/imports/" + batch + "/check", settings(false));
    }).then(function (result) {
      $("check").disabled = false;
      $("progress").hidden = true;
      if (result.status !== 200) { S.notice(S.problems(result).join(" — "), "error"); return; }
      lastCheck = result.body;
      report(result.body);
    }, function (result) {
      $("check").disabled = false;
      $("progress").hidden = true;
      S.notice(S.problems(result).join(" — "), "error");
    });
  }

  function report(check) {
    var plan = check.plan;
    $("report").hidden = false;
    $("done").hidden = true;
    var kinds = Object.keys(plan.kinds).map(function (k) { return plan.kinds[k] + " " + S.kindName(k); }).join(", ");
    $("summary").textContent = (plan.bankExists ? T.import_into_existing : T.import_into_new) + " \u201c" + plan.bank + "\u201d: "
      + plan.added + " " + T.import_new + ", " + plan.revised + " " + T.import_changed + ", " + plan.unchanged + " " + T.import_unchanged
      + (plan.unclassified ? ", " + plan.unclassified + " " + T.import_unclassified : "") + (kinds ? " — " + kinds : "")
      + (check.problems.length ? ". " + check.problems.length + " " + T.import_problem_count : "");
    var rows = $("file-rows");
    rows.innerHTML = "";
    check.files.forEach(function (f) {
      rows.appendChild(el("tr", { "class": f.error || f.problems ? "bad" : "" }, [el("td", { text: f.name }), el("td", { text: f.format || "?" }),
        el("td", { text: String(f.questions) }), el("td", { text: f.error || String(f.problems) })]));
    });
    var problems = $("problem-list");
    problems.innerHTML = "";
    check.problems.forEach(function (p) { problems.appendChild(el("li", { text: p })); });
    $("problem-box").hidden = !check.problems.length;
    var warnings = $("warning-list");
    warnings.innerHTML = "";
    check.warnings.forEach(function (w) { warnings.appendChild(el("li", { text: w })); });
    $("warning-box").hidden = !check.warnings.length;
    var nothing = plan.added + plan.revised === 0;
    $("run-all").disabled = check.problems.length > 0 || nothing;
    $("run-all").textContent = check.problems.length ? T.import_all_blocked : T.import_all;
    $("run-partial").hidden = !check.problems.length;
    $("run-partial").disabled = nothing;
    var entries = $("entries");
    entries.innerHTML = "";
    plan.entries.forEach(function (e) {
      entries.appendChild(el("tr", { "class": e.status }, [el("td", { text: T["import_status_" + e.status] }), el("td", { text: e.place || "" }),
        el("td", { text: S.kindName(e.kind) }), el("td", { text: e.stem }),
        el("td", { text: e.changes.map(function (c) { return c.field; }).join(", ") + (e.unclassified ? " " + T.unclassified : "") })]));
    });
    (check.problems.length ? $("problem-box") : $("report")).scrollIntoView({ block: "start" });
    (check.problems.length ? $("run-partial") : $("run-all")).focus();
  }

  function run(partial) {
    $("run-all").disabled = true;
    $("run-partial").disabled = true;
    api("POST", "/api/staff/imports/" + batch + "/run", settings(partial)).then(function (result) {
      if (result.status !== 201) { S.notice(S.problems(result).join(" — "), "error"); return; }
      return S.job(result.body.job, function (done, total) { progress(done, total, T.import_importing); }).then(function (summary) {
        $("progress").hidden = true;
        $("report").hidden = true;
        $("done").hidden = false;
        $("done-text").textContent = summary.added + " " + T.import_new + ", " + summary.revised + " " + T.import_changed + ", " + summary.unchanged + " "
          + T.import_unchanged + (summary.skipped ? ", " + summary.skipped + " " + T.import_skipped : "") + (summary.mediaAdded ? ", " + summary.mediaAdded + " " + T.import_images : "") + ".";
        $("done-link").href = "/staff/banks?bank=" + encodeURIComponent(summary.bank);
        var unclassified = lastCheck && lastCheck.plan.unclassified;
        $("done-unclassified").hidden = !unclassified;
        $("done-unclassified").href = "/staff/banks?bank=" + encodeURIComponent(summary.bank) + "&unclassified=true";
        files = []; batch = null; listFiles();
        $("done-link").focus();
      }, function (failure) {
        $("progress").hidden = true;
        S.notice(S.problems(failure).join(" — "), "error");
        $("run-all").disabled = false; $("run-partial").disabled = false;
      });
    });
  }

  $("files").addEventListener("change", function () { add($("files").files); $("files").value = ""; });
  var drop = $("drop");
  ["dragenter", "dragover"].forEach(function (name) { drop.addEventListener(name, function (event) { event.preventDefault(); drop.classList.add("over"); }); });
  ["dragleave", "drop"].forEach(function (name) { drop.addEventListener(name, function () { drop.classList.remove("over"); }); });
  drop.addEventListener("drop", function (event) { event.preventDefault(); add(event.dataTransfer.files); });
  drop.addEventListener("keydown", function (event) { if (event.key === "Enter" || event.key === " ") { event.preventDefault(); $("files").click(); } });
  $("import-form").addEventListener("submit", function (event) { event.preventDefault(); check(); });
  // Settings change what the dry run finds: check again (the files stay uploaded).
  ["target", "new-name", "subject", "grade", "topic", "lesson", "level"].forEach(function (id) { $(id).addEventListener("change", function () { $("report").hidden = true; }); });
  $("target").addEventListener("change", function () { $("new-name-box").hidden = $("target").value !== ""; });
  $("reset").addEventListener("click", function () { files = []; batch = null; listFiles(); $("report").hidden = true; $("done").hidden = true; S.notice(""); });
  $("run-all").addEventListener("click", function () { run(false); });
  $("run-partial").addEventListener("click", function () { run(true); });

  S.fill($("level"), S.levels.map(function (l) { return [l, S.levelName(l)]; }), T.import_if_missing);
  S.ready(["teacher", "coordinator", "admin"]).then(function () {
    return api("GET", "/api/staff/banks").then(function (result) {
      banks = result.status === 200 ? result.body.items.filter(function (b) { return b.access !== "read"; }) : [];
      S.fill($("target"), banks.map(function (b) { return [b.name, b.name]; }), T.import_new_bank_option);
      var wanted = S.param("bank");
      if (wanted && banks.some(function (b) { return b.name === wanted; })) $("target").value = wanted;
      $("new-name-box").hidden = $("target").value !== "";
      var chosen = banks.filter(function (b) { return b.name === $("target").value; })[0];
      if (chosen && chosen.subject) $("subject").placeholder = chosen.subject;
    });
  }, function () {});
})();
