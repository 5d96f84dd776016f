// khaothi: the ma trận editor — rows are topics (and lessons), columns are parts × levels; each cell the
// number of questions wanted and, beside it, how many the chosen bank holds (checked by the server as the
// teacher types, short cells flagged); totals of questions and points against the scale (10) and the 2025
// template; the bản đặc tả (the requirement per cell) kept with it; save, copy, preview one paper.
"use strict";
(function () {
  var T = K.T, el = K.el, api = K.api, S = K.staff;
  var $ = function (id) { return document.getElementById(id); };
  var list = [], templates = [], banks = [];
  var original = null, canEdit = true, dirty = false, timer = null, focused = null, check = null;
  // The grid: rows shared by every part; cells[part][row][level] = { count, requirement, points }.
  var grid = { parts: [], rows: [], cells: [] };

  function levels() { return $("bp-scale").value === "three" ? ["nhan-biet", "thong-hieu", "van-dung"] : S.levels; }
  function levelShort(level) { return T["level_short_" + level.replace(/-/g, "_")] || level; }
  function points(text) { var v = String(text || "").trim().replace(",", "."); return v === "" ? undefined : v; }

  // --- blueprint ⇄ grid -------------------------------------------------------------------------------
  function fromBlueprint(bp) {
    $("bp-name").value = bp.name || "";
    $("bp-subject").value = bp.subject || "";
    $("bp-grade").value = bp.grade || "";
    $("bp-template").value = bp.template || "";
    $("bp-scale").value = bp.levelScale || "four";
    $("bp-minutes").value = bp.durationMinutes || "";
    $("bp-max").value = K.points(bp.maxScore === undefined ? 10 : bp.maxScore);
    grid = { parts: [], rows: [], cells: [] };
    var rowIndex = {};
    (bp.parts || []).forEach(function (part, p) {
      grid.parts.push({ id: part.id, title: part.title || "", kinds: part.kinds || [], points: part.points === undefined ? "" : String(part.points) });
      grid.cells.push([]);
      part.rows.forEach(function (row) {
        var key = row.topic + "\u0000" + (row.lesson || "");
        if (rowIndex[key] === undefined) { rowIndex[key] = grid.rows.length; grid.rows.push({ topic: row.topic, lesson: row.lesson || "" }); }
        var r = rowIndex[key];
        row.cells.forEach(function (cell) {
          grid.cells[p][r] = grid.cells[p][r] || {};
          grid.cells[p][r][cell.level] = { count: cell.count, requirement: cell.requirement || "", points: cell.points === undefined ? undefined : String(cell.points) };
        });
      });
    });
    draw();
  }

  function toBlueprint() {
    var bp = { name: $("bp-name").value.trim(), subject: $("bp-subject").value.trim(), levelScale: $("bp-scale").value, maxScore: points($("bp-max").value) || "10", parts: [] };
    if ($("bp-grade").value) bp.grade = parseInt($("bp-grade").value, 10);
    if ($("bp-template").value) bp.template = $("bp-template").value;
    if ($("bp-minutes").value) bp.durationMinutes = parseInt($("bp-minutes").value, 10);
    grid.parts.forEach(function (part, p) {
      var out = { id: part.id, kinds: part.kinds, rows: [] };
      if (part.title) out.title = part.title;
      if (points(part.points) !== undefined) out.points = points(part.points);
      grid.rows.forEach(function (row, r) {
        var cells = [];
        // Every cell, empty ones too: the check then tells what the bank holds for each.
        levels().forEach(function (level) {
          var cell = (grid.cells[p][r] || {})[level] || { count: 0 };
          var entry = { level: level, count: cell.count || 0 };
          if (cell.requirement) entry.requirement = cell.requirement;
          if (cell.points !== undefined && cell.points !== "") entry.points = points(cell.points);
          cells.push(entry);
        });
        var lesson = row.lesson.trim();
        out.rows.push(lesson ? { topic: row.topic.trim(), lesson: lesson, cells: cells } : { topic: row.topic.trim(), cells: cells });
      });
      bp.parts.push(out);
    });
    return bp;
  }

  function cell(p, r, level) {
    grid.cells[p][r] = grid.cells[p][r] || {};
    grid.cells[p][r][level] = grid.cells[p][r][level] || { count: 0, requirement: "" };
    return grid.cells[p][r][level];
  }

  // --- drawing ----------------------------------------------------------------------------------------
  function draw() {
    drawParts();
    var table = $("grid"), ls = levels();
    table.innerHTML = "";
    var head1 = el("tr", null, [el("th", { rowspan: "2", text: T.field_topic + " / " + T.field_lesson })]);
    var head2 = el("tr");
    grid.parts.forEach(function (part) {
      head1.appendChild(el("th", { colspan: String(ls.length), "class": "part", text: T.part + " " + part.id + (part.kinds.length ? " — " + part.kinds.map(S.kindName).join(", ") : "") }));
      ls.forEach(function (level) { head2.appendChild(el("th", { "class": "level", title: S.levelName(level), text: levelShort(level) })); });
    });
    head1.appendChild(el("th", { rowspan: "2", text: "" }));
    table.appendChild(el("thead", null, [head1, head2]));
    var body = el("tbody");
    grid.rows.forEach(function (row, r) {
      var topic = el("input", { value: row.topic, list: "bank-topics", "aria-label": T.field_topic + " " + (r + 1), "class": "topic", disabled: !canEdit });
      topic.addEventListener("input", function () { row.topic = topic.value; changed(); });
      var lesson = el("input", { value: row.lesson, placeholder: T.field_lesson, "aria-label": T.field_lesson + " " + (r + 1), "class": "lesson", disabled: !canEdit });
      lesson.addEventListener("input", function () { row.lesson = lesson.value; changed(); });
      var tr = el("tr", null, [el("th", { "class": "row-head" }, [topic, lesson])]);
      grid.parts.forEach(function (part, p) {
        ls.forEach(function (level) {
          var c = (grid.cells[p][r] || {})[level];
          var input = el("input", { type: "number", min: "0", max: "200", value: c && c.count ? String(c.count) : "", placeholder: "0", "class": "count",
            "aria-label": T.part + " " + part.id + ", " + (row.topic || "?") + ", " + S.levelName(level), "data-key": key(part.id, row, level), disabled: !canEdit });
          input.addEventListener("input", function () { cell(p, r, level).count = Math.max(0, parseInt(input.value || "0", 10) || 0); changed(); });
          input.addEventListener("focus", function () { focus(p, r, level); });
          var have = el("span", { "class": "have", "data-key": key(part.id, row, level) });
          var td = el("td", { "class": "cell" + (c && c.requirement ? " has-spec" : "") }, [input, have]);
          tr.appendChild(td);
        });
      });
      tr.appendChild(el("td", null, [el("button", { type: "button", "class": "small", text: "✕", "aria-label": T.remove + " " + row.topic, disabled: !canEdit, onclick: function () {
        grid.rows.splice(r, 1);
        grid.cells.forEach(function (rows) { rows.splice(r, 1); });
        draw(); changed();
      } })]));
      body.appendChild(tr);
    });
    table.appendChild(body);
    var foot = el("tfoot");
    var totals = el("tr", null, [el("th", { text: T.bp_total })]);
    grid.parts.forEach(function (part, p) {
      ls.forEach(function (level) {
        var n = 0;
        grid.rows.forEach(function (_, r) { var c = (grid.cells[p][r] || {})[level]; n += c ? c.count || 0 : 0; });
        totals.appendChild(el("td", { "class": "total", text: String(n) }));
      });
    });
    foot.appendChild(totals);
    table.appendChild(foot);
    showAvailability();
  }

  function drawParts() {
    var box = $("parts");
    box.innerHTML = "";
    grid.parts.forEach(function (part, p) {
      var id = el("input", { value: part.id, size: "4", "aria-label": T.bp_part_id, disabled: !canEdit });
      id.addEventListener("change", function () { part.id = id.value.trim(); draw(); changed(); });
      var title = el("input", { value: part.title, placeholder: T.bp_part_title, "aria-label": T.bp_part_title, disabled: !canEdit });
      title.addEventListener("input", function () { part.title = title.value; changed(); });
      var pts = el("input", { value: K.points(part.points || ""), size: "5", inputmode: "decimal", "aria-label": T.bp_part_points, placeholder: T.bp_part_points, disabled: !canEdit });
      pts.addEventListener("input", function () { part.points = pts.value; changed(); });
      var kinds = el("span", { "class": "kinds" });
      S.kinds.forEach(function (kind) {
        var box = el("input", { type: "checkbox", checked: part.kinds.indexOf(kind) >= 0, disabled: !canEdit });
        box.addEventListener("change", function () {
          part.kinds = part.kinds.filter(function (k) { return k !== kind; });
          if (box.checked) part.kinds.push(kind);
          draw(); changed();
        });
        kinds.appendChild(el("label", { "class": "inline" }, [box, " " + S.kindName(kind)]));
      });
      var remove = el("button", { type: "button", "class": "small", text: "✕", "aria-label": T.remove + " " + T.part + " " + part.id, disabled: !canEdit, onclick: function () {
        grid.parts.splice(p, 1); grid.cells.splice(p, 1); draw(); changed();
      } });
      box.appendChild(el("div", { "class": "part-row" }, [el("b", { text: T.part }), id, title, el("span", { text: T.bp_part_points + ":" }), pts, kinds, remove]));
    });
  }

  function key(partId, row, level) { return partId + "|" + row.topic.trim() + "|" + row.lesson.trim() + "|" + level; }

  function focus(p, r, level) {
    focused = { p: p, r: r, level: level };
    var row = grid.rows[r];
    $("spec").hidden = false;
    $("spec-label").textContent = T.bp_spec + " — " + T.part + " " + grid.parts[p].id + ", " + (row.topic || "?") + (row.lesson ? " / " + row.lesson : "") + ", " + S.levelName(level);
    $("spec-text").value = ((grid.cells[p][r] || {})[level] || {}).requirement || "";
    $("spec-text").disabled = !canEdit;
  }

  $("spec-text").addEventListener("input", function () {
    if (!focused) return;
    cell(focused.p, focused.r, focused.level).requirement = $("spec-text").value;
    changed();
  });

  // --- checking against the bank ----------------------------------------------------------------------
  function changed() {
    dirty = true;
    $("bp-state").textContent = T.editor_unsaved;
    clearTimeout(timer);
    timer = setTimeout(runCheck, 400);
  }

  function runCheck() {
    if (!$("bp-bank").value) { check = null; showAvailability(); return; }
    api("POST", "/api/staff/blueprint-check", { blueprint: toBlueprint(), bank: $("bp-bank").value }).then(function (result) {
      if (result.status !== 200) { check = null; showProblems(S.problems(result), []); showAvailability(); return; }
      check = result.body;
      showAvailability();
    });
  }

  function showAvailability() {
    var byKey = {};
    if (check) check.cells.forEach(function (c) { byKey[c.part + "|" + c.topic + "|" + (c.lesson || "") + "|" + c.level] = c; });
    document.querySelectorAll("#grid .have").forEach(function (span) {
      var found = byKey[span.getAttribute("data-key")];
      var input = span.previousSibling;
      var wanted = parseInt(input.value || "0", 10) || 0;
      span.textContent = found ? "/" + found.available : "";
      var short = found ? found.available < wanted : false;
      span.parentNode.classList.toggle("short", short);
      span.title = found ? T.bp_bank_has + " " + found.available : "";
      input.setAttribute("aria-invalid", short ? "true" : "false");
    });
    var totals = $("totals");
    totals.innerHTML = "";
    if (!check) { showProblems([], []); return; }
    check.parts.forEach(function (part) {
      var line = T.part + " " + part.part + ": " + part.questions + " " + T.questions + ", " + K.points(part.points) + " " + T.points;
      var off = part.templateQuestions !== undefined && (part.templateQuestions !== part.questions || Number(part.templatePoints) !== Number(part.points));
      if (part.templateQuestions !== undefined) line += " (" + T.bp_template_wants + " " + part.templateQuestions + " / " + K.points(part.templatePoints) + ")";
      totals.appendChild(el("span", { "class": off ? "off" : "ok", text: line }));
    });
    var ok = Number(check.points) === Number(check.maxScore);
    totals.appendChild(el("b", { "class": ok ? "ok" : "off", text: T.bp_total + ": " + check.questions + " " + T.questions + ", " + K.points(check.points) + " / " + K.points(check.maxScore) + " " + T.points }));
    if (check.unclassified) totals.appendChild(el("span", { "class": "hint", text: check.unclassified + " " + T.bp_unclassified_left }));
    showProblems(check.problems, check.shortfalls);
  }

  function showProblems(problems, shortfalls) {
    var box = $("bp-problems");
    box.innerHTML = "";
    box.hidden = !problems.length && !shortfalls.length;
    if (problems.length) {
      box.appendChild(el("b", { text: T.bp_problems }));
      var ul = el("ul");
      problems.forEach(function (p) { ul.appendChild(el("li", { text: p })); });
      box.appendChild(ul);
    }
    if (shortfalls.length) {
      box.appendChild(el("b", { text: T.bp_shortfalls }));
      var short = el("ul", { id: "shortfalls" });
      shortfalls.forEach(function (p) { short.appendChild(el("li", { text: p })); });
      box.appendChild(short);
    }
  }

  // --- list, load, save ------------------------------------------------------------------------------
  function loadList(select) {
    return api("GET", "/api/staff/blueprints").then(function (result) {
      list = result.status === 200 ? result.body.items : [];
      var ul = $("blueprints");
      ul.innerHTML = "";
      list.forEach(function (bp) {
        var link = el("a", { href: "?name=" + encodeURIComponent(bp.name), text: bp.name, onclick: function (event) { event.preventDefault(); open(bp.name); } });
        ul.appendChild(el("li", { "class": bp.name === original ? "current" : "" }, [link, el("span", { "class": "hint", text: " " + bp.subject + " · " + bp.questions + " " + T.questions + " · "
          + K.points(bp.points) + " " + T.points + (bp.canEdit ? "" : " · " + T.access_read) })]));
      });
      if (select) open(select);
    });
  }

  function open(name) {
    if (dirty && !window.confirm(T.bp_discard)) return;
    api("GET", "/api/staff/blueprints/" + encodeURIComponent(name)).then(function (result) {
      if (result.status !== 200) { S.notice(K.message(result), "error"); return; }
      original = name;
      canEdit = result.body.canEdit;
      history.replaceState(null, "", "?name=" + encodeURIComponent(name));
      $("editor").hidden = false;
      fromBlueprint(result.body.blueprint);
      lock();
      dirty = false;
      $("bp-state").textContent = canEdit ? "" : T.bp_read_only;
      $("paper-preview").hidden = true;
      loadList();
      runCheck();
    });
  }

  function lock() {
    ["bp-name", "bp-subject", "bp-grade", "bp-template", "bp-scale", "bp-minutes", "bp-max", "add-part", "add-row", "add-bank-topics", "bp-save", "bp-delete", "new-topic", "new-lesson"].forEach(function (id) {
      $(id).disabled = !canEdit;
    });
    $("bp-print").href = original ? "/staff/print?blueprint=" + encodeURIComponent(original) + ($("bp-bank").value ? "&bank=" + encodeURIComponent($("bp-bank").value) : "") : "/staff/print";
    $("bp-print").hidden = !original;
  }

  function fresh(template) {
    original = null;
    canEdit = true;
    var bp = { name: "", subject: "", levelScale: "three", maxScore: 10, parts: [] };
    var t = templates.filter(function (x) { return x.id === template; })[0];
    if (t) {
      bp.template = t.id;
      bp.durationMinutes = t.minutes;
      bp.parts = t.parts.map(function (part) { return { id: part.id, kinds: [part.kind], points: part.points, rows: [] }; });
    } else {
      bp.parts = [{ id: "I", kinds: ["single-choice"], points: 0.25, rows: [] }, { id: "II", kinds: ["true-false"], points: 1, rows: [] }, { id: "III", kinds: ["numeric"], points: 0.25, rows: [] }];
    }
    $("editor").hidden = false;
    fromBlueprint(bp);
    lock();
    dirty = false;
    history.replaceState(null, "", window.location.pathname);
    $("bp-name").focus();
  }

  function save(asName) {
    var bp = toBlueprint();
    if (asName) bp.name = asName;
    var body = { blueprint: bp };
    if (original && !asName) body.originalName = original;
    api("POST", "/api/staff/blueprints", body).then(function (result) {
      if (result.status !== 200) { S.notice(S.problems(result).join(" — "), "error"); return; }
      dirty = false;
      S.notice(result.body.problems.length ? T.bp_saved_incomplete : T.bp_saved, result.body.problems.length ? "warning" : "info");
      loadList(result.body.name);
    });
  }

  // --- preview ---------------------------------------------------------------------------------------
  function preview() {
    if (!$("bp-bank").value) { S.notice(T.bp_choose_bank, "error"); $("bp-bank").focus(); return; }
    api("POST", "/api/staff/blueprint-preview", { blueprint: toBlueprint(), bank: $("bp-bank").value }).then(function (result) {
      if (result.status !== 200) { S.notice(S.problems(result).join(" — "), "error"); return; }
      var box = $("paper");
      box.innerHTML = "";
      var view = result.body, keys = {};
      view.key.entries.forEach(function (e) { keys[e.key] = e.answer; });
      view.paper.parts.forEach(function (part) {
        box.appendChild(el("h3", { text: T.part + " " + part.id + (part.title ? ". " + part.title : "") }));
        part.items.forEach(function (item) {
          var article = el("article", { "class": "question paper-item" }, [el("h4", { text: T.question + " " + item.number + " (" + K.points(item.points) + " " + T.points + ")" })]);
          article.appendChild(K.render.question(item, view.media[item.key], null, "preview"));
          article.appendChild(el("p", { "class": "key" }, [el("b", { text: T.key + ": " }), K.richNode("span", keys[item.key] || "", view.media[item.key])]));
          box.appendChild(article);
        });
      });
      $("paper-preview").hidden = false;
      $("paper-preview").scrollIntoView({ block: "start" });
    });
  }

  // --- wiring ----------------------------------------------------------------------------------------
  $("bp-form").addEventListener("submit", function (event) { event.preventDefault(); save(null); });
  $("bp-copy").addEventListener("click", function () {
    var name = window.prompt(T.bp_copy_name, $("bp-name").value + " (" + T.copy + ")");
    if (name && name.trim()) save(name.trim());
  });
  $("bp-delete").addEventListener("click", function () {
    if (!original || !window.confirm(T.bp_confirm_delete)) return;
    api("DELETE", "/api/staff/blueprints/" + encodeURIComponent(original)).then(function (result) {
      if (result.status !== 204) { S.notice(K.message(result), "error"); return; }
      dirty = false; original = null; $("editor").hidden = true; loadList();
    });
  });
  $("bp-preview").addEventListener("click", preview);
  $("new-blueprint").addEventListener("click", function () { if (!dirty || window.confirm(T.bp_discard)) fresh(""); });
  $("bp-template").addEventListener("change", function () {
    var t = templates.filter(function (x) { return x.id === $("bp-template").value; })[0];
    if (t && window.confirm(T.bp_apply_template)) {
      var current = toBlueprint();
      current.template = t.id;
      current.durationMinutes = t.minutes;
      current.maxScore = 10;
      var rows = grid.rows.map(function (r) { return { topic: r.topic, lesson: r.lesson, cells: [] }; });
      current.parts = t.parts.map(function (part) { return { id: part.id, kinds: [part.kind], points: part.points, rows: rows }; });
      fromBlueprint(current);
    }
    changed();
  });
  ["bp-name", "bp-subject", "bp-grade", "bp-minutes", "bp-max"].forEach(function (id) { $(id).addEventListener("input", changed); });
  $("bp-scale").addEventListener("change", function () { draw(); changed(); });
  $("bp-bank").addEventListener("change", function () { loadTopics(); lock(); runCheck(); });
  $("add-part").addEventListener("click", function () { grid.parts.push({ id: String(grid.parts.length + 1), title: "", kinds: ["essay"], points: "1" }); grid.cells.push([]); draw(); changed(); });
  $("add-row").addEventListener("click", function () {
    var topic = $("new-topic").value.trim();
    if (!topic) { $("new-topic").focus(); return; }
    grid.rows.push({ topic: topic, lesson: $("new-lesson").value.trim() });
    $("new-topic").value = ""; $("new-lesson").value = "";
    draw(); changed();
    $("new-topic").focus();
  });
  $("add-bank-topics").addEventListener("click", function () {
    if (!$("bp-bank").value) { S.notice(T.bp_choose_bank, "error"); return; }
    api("GET", S.bankPath($("bp-bank").value) + "/facets").then(function (result) {
      if (result.status !== 200) return;
      var have = {};
      grid.rows.forEach(function (r) { have[r.topic + "\u0000" + r.lesson] = true; });
      result.body.topics.forEach(function (t) {
        if (t.value !== S.unclassifiedTopic && !have[t.value + "\u0000"]) grid.rows.push({ topic: t.value, lesson: "" });
      });
      draw(); changed();
    });
  });
  window.addEventListener("beforeunload", function (event) { if (dirty) { event.preventDefault(); event.returnValue = ""; } });

  function loadTopics() {
    var datalist = $("bank-topics");
    datalist.innerHTML = "";
    if (!$("bp-bank").value) return;
    api("GET", S.bankPath($("bp-bank").value) + "/facets").then(function (result) {
      if (result.status !== 200) return;
      result.body.topics.forEach(function (t) { if (t.value !== S.unclassifiedTopic) datalist.appendChild(el("option", { value: t.value })); });
    });
  }

  S.ready(["teacher", "coordinator", "admin"]).then(function () {
    return Promise.all([api("GET", "/api/staff/blueprint-templates"), api("GET", "/api/staff/banks")]).then(function (results) {
      templates = results[0].status === 200 ? results[0].body.items : [];
      banks = results[1].status === 200 ? results[1].body.items : [];
      S.fill($("bp-template"), templates.map(function (t) { return [t.id, t.name]; }), T.bp_no_template);
      S.fill($("bp-bank"), banks.map(function (b) { return [b.name, b.name + (b.subject ? " (" + b.subject + ")" : "")]; }), T.bp_no_bank);
      if (S.param("bank")) $("bp-bank").value = S.param("bank");
      else if (banks.length === 1) $("bp-bank").value = banks[0].name;
      loadTopics();
      return loadList(S.param("name"));
    });
  }, function () {});
})();
