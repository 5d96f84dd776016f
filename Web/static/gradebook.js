// khaothi: the continuous-assessment record (sổ điểm, Thông tư 22) for coordinators — push an exam's scores into
// a slot (dry run first; a slot already holding a score is a conflict, overwritten only when ticked; undo),
// a class's sheet per subject with ĐTBmhk and ĐTBmcn computed by the server, cells typed or pasted from Excel,
// the class's result levels, and the detailed score sheet as XLSX.
"use strict";
(function () {
  var T = K.T, el = K.el, api = K.api, S = K.staff;
  var $ = function (id) { return document.getElementById(id); };
  var sheet = null, lastPush = null;

  function schoolYear() {
    var now = new Date(), y = now.getFullYear();
    return now.getMonth() >= 7 ? y + "-" + (y + 1) : (y - 1) + "-" + y;
  }
  function params(extra) {
    var p = new URLSearchParams({ year: $("gb-year").value.trim(), "class": $("gb-class").value.trim(), subject: $("gb-subject").value });
    Object.keys(extra || {}).forEach(function (k) { p.set(k, extra[k]); });
    return p.toString();
  }

  function loadLists() {
    return api("GET", "/api/staff/gradebook").then(function (result) {
      if (result.status !== 200) { S.notice(K.message(result), "error"); return; }
      S.fill($("gb-subject"), result.body.subjects.map(function (s) { return [s.name, s.name + (s.commentOnly ? " (Đ/CĐ)" : " · " + s.periodsPerYear + " " + T.gb_periods_short)]; }));
      var list = $("gb-classes");
      list.innerHTML = "";
      result.body.years.filter(function (y) { return y.name === $("gb-year").value.trim(); }).forEach(function (y) {
        y.classes.forEach(function (c) { list.appendChild(el("option", { value: c })); });
      });
    });
  }

  function outcomeName(outcome) { return T["gb_outcome_" + outcome.replace(/-/g, "_")] || outcome; }

  function push(commit) {
    var overwrite = Array.prototype.map.call(document.querySelectorAll("#push-report input.overwrite:checked"), function (box) { return box.value; });
    api("POST", "/api/staff/gradebook/push", { exam: $("p-exam").value, year: $("gb-year").value.trim(), subject: $("gb-subject").value,
      semester: parseInt($("p-semester").value, 10), slot: $("p-slot").value, commit: commit, overwrite: overwrite }).then(function (result) {
      if (result.status !== 200) { S.notice(K.message(result), "error"); return; }
      var r = result.body, box = $("push-report");
      box.innerHTML = "";
      box.appendChild(el("p", { id: "push-summary", "class": "totals", text: K.count(T.gb_push_summary, [r.written, r.conflicts, r.pending])
        + (r.committed ? " · " + T.gb_pushed : " · " + T.regrade_dry_note) }));
      var body = el("tbody");
      r.lines.forEach(function (line) {
        var pick = line.outcome === "conflict" ? el("input", { type: "checkbox", "class": "overwrite", value: line.studentID, "aria-label": T.gb_overwrite + " " + line.fullName }) : "";
        body.appendChild(el("tr", { "class": "outcome-" + line.outcome }, [el("td", { text: line.studentID }), el("td", { text: line.fullName }),
          el("td", { text: line.className || "" }), el("td", { "class": "num", text: line.score !== null && line.score !== undefined ? K.points(line.score) : "" }),
          el("td", { "class": "num", text: line.existing !== null && line.existing !== undefined ? K.points(line.existing) : "" }), el("td", { text: outcomeName(line.outcome) }), el("td", null, [pick])]));
      });
      box.appendChild(el("table", { "class": "monitor" }, [el("thead", null, [el("tr", null, [T.setup_student_id, T.confirm_name, T.confirm_class, T.gb_recorded,
        T.gb_existing, T.staff_state, T.gb_overwrite].map(function (t) { return el("th", { text: t }); }))]), body]));
      $("p-commit").hidden = r.committed;
      if (r.committed) {
        lastPush = r.id;
        box.appendChild(el("button", { type: "button", id: "push-undo", text: T.gb_undo, onclick: function () {
          api("POST", "/api/staff/gradebook/pushes/" + lastPush + "/undo").then(function (undone) {
            if (undone.status !== 200) { S.notice(K.message(undone), "error"); return; }
            S.notice(K.count(T.gb_undone, undone.body.written), "ok");
            openSheet();
          });
        } }));
        S.notice(T.gb_pushed, "ok");
        loadLists();
        if ($("gb-class").value.trim()) openSheet();
      }
    });
  }

  function cellInput(row, semester, slot) {
    var value = (row.semesters[semester - 1].slots || {})[slot] || "";
    var input = el("input", { value: value, size: "4", "class": "cell", "data-student": row.studentID, "data-semester": String(semester), "data-slot": slot,
      "aria-label": row.fullName + " HK" + semester + " " + slotName(slot), "data-saved": value });
    // Saved when it changes; also on leaving a cell whose typing a redraw kept (no change event then).
    var saveIfChanged = function () {
      if (input.value === input.getAttribute("data-saved")) return;
      input.setAttribute("data-saved", input.value);
      save([cellOf(input)]);
    };
    input.addEventListener("change", saveIfChanged);
    input.addEventListener("blur", saveIfChanged);
    input.addEventListener("paste", function (event) {
      var text = (event.clipboardData || window.clipboardData).getData("text");
      if (text.indexOf("\t") < 0 && text.indexOf("\n") < 0) return;
      event.preventDefault();
      // A block from Excel: rows down the students, columns across the slots, from this cell.
      var inputs = Array.prototype.slice.call(document.querySelectorAll("#gb-rows input.cell"));
      var perRow = inputs.filter(function (i) { return i.getAttribute("data-student") === row.studentID; });
      var column = perRow.indexOf(input), rows = Array.prototype.slice.call(document.querySelectorAll("#gb-rows tr"));
      var start = rows.indexOf(input.closest("tr")), cells = [];
      text.replace(/\r/g, "").replace(/\n$/, "").split("\n").forEach(function (line, i) {
        var target = rows[start + i];
        if (!target) return;
        var boxes = target.querySelectorAll("input.cell");
        line.split("\t").forEach(function (value, j) {
          var box = boxes[column + j];
          if (!box) return;
          box.value = value.trim();
          box.setAttribute("data-saved", box.value);
          cells.push(cellOf(box));
        });
      });
      save(cells);
    });
    return el("td", null, [input]);
  }
  function cellOf(input) {
    return { studentID: input.getAttribute("data-student"), semester: parseInt(input.getAttribute("data-semester"), 10), slot: input.getAttribute("data-slot"), value: input.value };
  }
  function slotName(slot) { return slot === "gk" ? "ĐĐGgk" : slot === "ck" ? "ĐĐGck" : "ĐĐGtx " + slot.slice(2); }

  var saving = 0;
  function cellKey(input) { return [input.getAttribute("data-student"), input.getAttribute("data-semester"), input.getAttribute("data-slot")].join("|"); }

  function save(cells) {
    saving += 1;
    $("gb-rows").setAttribute("data-busy", "true");
    api("PUT", "/api/staff/gradebook/sheet?" + params(), { cells: cells }).then(function (result) {
      saving -= 1;
      if (!saving) $("gb-rows").removeAttribute("data-busy");
      var box = $("gb-problems");
      if (result.status !== 200) {
        box.hidden = false;
        box.innerHTML = "";
        S.problems(result).forEach(function (line) { box.appendChild(el("p", { text: line })); });
        return;
      }
      box.hidden = true;
      // The sheet is drawn again with the stored values and averages; what was typed meanwhile (the next cell,
      // on a slow network) stays, with the caret where it was.
      var typed = {}, active = document.activeElement, focused = null;
      Array.prototype.forEach.call(document.querySelectorAll("#gb-rows input.cell"), function (input) {
        if (input.value !== input.getAttribute("data-saved")) typed[cellKey(input)] = input.value;
      });
      if (active && active.matches && active.matches("#gb-rows input.cell")) focused = { key: cellKey(active), start: active.selectionStart, end: active.selectionEnd };
      draw(result.body);
      Array.prototype.forEach.call(document.querySelectorAll("#gb-rows input.cell"), function (input) {
        var key = cellKey(input);
        if (typed[key] !== undefined) input.value = typed[key];
        if (focused && key === focused.key) {
          input.focus();
          try { input.setSelectionRange(focused.start, focused.end); } catch (e) { /* not a text field */ }
        }
      });
      S.notice(T.gb_saved, "ok");
    });
  }

  function draw(s) {
    sheet = s;
    $("gb-sheet-box").hidden = false;
    $("sheet-title").textContent = s.subject.name + " — " + T.confirm_class + " " + s.className + " — " + s.year;
    var head = $("gb-head");
    head.innerHTML = "";
    var top = [el("th", { rowspan: "2", text: "STT" }), el("th", { rowspan: "2", text: T.setup_student_id }), el("th", { rowspan: "2", text: T.confirm_name })];
    [1, 2].forEach(function (n) { top.push(el("th", { colspan: String(s.slots.length + 1), text: T.gb_semester + " " + (n === 1 ? "I" : "II") })); });
    top.push(el("th", { rowspan: "2", text: "ĐTBmcn" }));
    head.appendChild(el("tr", null, top));
    var second = [];
    [1, 2].forEach(function () {
      s.slots.forEach(function (slot) { second.push(el("th", { text: slotName(slot) })); });
      second.push(el("th", { text: s.subject.commentOnly ? T.gb_result : "ĐTBmhk" }));
    });
    head.appendChild(el("tr", null, second));
    var body = $("gb-rows");
    body.innerHTML = "";
    s.rows.forEach(function (row, index) {
      var cells = [el("td", { text: String(index + 1) }), el("td", { text: row.studentID }), el("td", { text: row.fullName })];
      [1, 2].forEach(function (n) {
        s.slots.forEach(function (slot) { cells.push(cellInput(row, n, slot)); });
        cells.push(el("td", { "class": "num average", text: row.semesters[n - 1].average || "" }));
      });
      cells.push(el("td", { "class": "num average", text: row.yearAverage || "" }));
      body.appendChild(el("tr", { "data-student": row.studentID }, cells));
    });
    $("x-xlsx").href = "/api/staff/gradebook/sheet?" + params({ format: "xlsx", semester: $("x-semester").value, school: $("x-school").value });
    levels();
  }

  function levels() {
    api("GET", "/api/staff/gradebook/levels?" + new URLSearchParams({ year: sheet.year, "class": sheet.className }).toString()).then(function (result) {
      if (result.status !== 200) return;
      var l = result.body;
      $("lv-head").innerHTML = "";
      $("lv-head").appendChild(el("tr", null, [T.setup_student_id, T.confirm_name].concat(l.subjects).concat([T.gb_level]).map(function (t) { return el("th", { text: t }); })));
      var body = $("lv-rows");
      body.innerHTML = "";
      l.rows.forEach(function (row) {
        body.appendChild(el("tr", null, [el("td", { text: row.studentID }), el("td", { text: row.fullName })]
          .concat(l.subjects.map(function (s) { return el("td", { "class": "num", text: row.results[s] || "" }); }))
          .concat([el("td", { text: row.level || "" })])));
      });
    });
  }

  function openSheet() {
    if (!$("gb-subject").value || !$("gb-class").value.trim()) { S.notice(T.gb_pick, "error"); return; }
    api("GET", "/api/staff/gradebook/sheet?" + params()).then(function (result) {
      if (result.status !== 200) { S.notice(K.message(result), "error"); return; }
      draw(result.body);
    });
  }

  S.ready(["coordinator", "admin"]).then(function () {
    $("gb-year").value = S.param("year") || schoolYear();
    $("x-school").value = localStorage.getItem("khaothi-school") || "";
    $("x-school").addEventListener("change", function () { localStorage.setItem("khaothi-school", $("x-school").value); if (sheet) draw(sheet); });
    $("x-semester").addEventListener("change", function () { if (sheet) draw(sheet); });
    loadLists().then(function () {
      if (S.param("class")) $("gb-class").value = S.param("class");
      if (S.param("subject")) $("gb-subject").value = S.param("subject");
      if (S.param("class") && S.param("subject")) openSheet();
    });
    api("GET", "/api/staff/setup/exams").then(function (result) {
      if (result.status !== 200) return;
      S.fill($("p-exam"), result.body.items.filter(function (e) { return e.state === "prepared"; }).map(function (e) { return [e.name, e.name]; }));
    });
    $("gb-year").addEventListener("change", loadLists);
    $("gb-pick").addEventListener("submit", function (event) { event.preventDefault(); openSheet(); });
    $("gb-push").addEventListener("submit", function (event) { event.preventDefault(); push(false); });
    $("p-commit").addEventListener("click", function () { push(true); });
    $("gb-subject-form").addEventListener("submit", function (event) {
      event.preventDefault();
      var name = $("s-name").value.trim();
      api("PUT", "/api/staff/gradebook/subjects/" + encodeURIComponent(name), { commentOnly: $("s-comment").checked,
        periodsPerYear: parseInt($("s-periods").value, 10) || 0 }).then(function (result) {
        if (result.status !== 200) { S.notice(K.message(result), "error"); return; }
        S.notice(T.gb_subject_saved.replace("%s", result.body.name), "ok");
        loadLists().then(function () { $("gb-subject").value = result.body.name; });
      });
    });
  }, function () {});
})();
