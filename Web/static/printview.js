// khaothi: the print view of a print set — each exam code on A4 with the school, exam, subject, time and
// mã đề in its header, Phần I/II/III in order drawn by the candidate's renderer in its print mode (no
// inputs; KaTeX and images print sharp), optionally the 2025 answer sheet after each code, and the answer
// key table (bảng đáp án) for all codes.
"use strict";
(function () {
  var T = K.T, el = K.el, api = K.api, S = K.staff;
  var $ = function (id) { return document.getElementById(id); };
  var set = null;

  function instruction(part) {
    var count = part.items.length, kind = part.items.length ? part.items[0].kind : "";
    var template = T["paper_instruction_" + String(kind).replace(/-/g, "_")] || T.paper_instruction;
    return template.replace("%d", count);
  }

  function header(view) {
    var paper = view.paper, summary = set.summary;
    return el("header", { "class": "paper-head" }, [
      el("div", { "class": "paper-school" }, [el("div", { text: summary.school || "" }), el("div", { "class": "paper-official", text: summary.school ? T.paper_official : "" })]),
      el("div", { "class": "paper-title" }, [
        el("div", { "class": "paper-exam", text: (summary.examTitle || summary.name).toUpperCase() }),
        el("div", { text: T.paper_subject + ": " + paper.subject }),
        el("div", { text: paper.durationMinutes ? K.count(T.paper_time, paper.durationMinutes) : "" }),
      ]),
    ]);
  }

  function drawPaper(view, withSheet) {
    var paper = view.paper;
    var page = el("section", { "class": "paper", "data-code": paper.code }, [
      header(view),
      el("div", { "class": "paper-candidate" }, [
        el("span", { text: T.paper_name + " ………………………………………………" }),
        el("span", { text: T.paper_sbd + " ……………………" }),
        el("span", { "class": "paper-code", text: T.paper_code + " " + paper.code }),
      ]),
    ]);
    paper.parts.forEach(function (part) {
      // A title that names its part already ("Phần I. Câu trắc nghiệm…") is printed as it is.
      var named = /^\s*(phần|phan|part)\s/i.test(part.title || "");
      var heading = named ? [el("b", { text: part.title.replace(/^\s*\S+\s+\S+/, function (head) { return head.toUpperCase(); }) + " " })]
        : [el("b", { text: T.paper_part.replace("%s", part.id) + ". " }), document.createTextNode(part.title ? part.title + " " : "")];
      page.appendChild(el("h2", { "class": "paper-part" }, heading.concat([el("span", { "class": "paper-instruction", text: instruction(part) })])));
      part.items.forEach(function (item) {
        var block = el("div", { "class": "paper-item" }, [el("b", { "class": "paper-number", text: T.question + " " + item.number + ". " })]);
        block.appendChild(K.render.question(item, view.media[item.key], null, "print"));
        page.appendChild(block);
      });
    });
    page.appendChild(el("p", { "class": "paper-end", text: T.paper_end }));
    $("papers").appendChild(page);
    if (withSheet) $("papers").appendChild(answerSheet(view));
  }

  // Phiếu trả lời (2025 layout): Phần I bubbles A–D per question, Phần II Đúng/Sai per statement,
  // Phần III four columns of "-", "," and 0–9.
  function bubble(text) { return el("span", { "class": "bubble", text: text }); }
  function answerSheet(view) {
    var paper = view.paper;
    var sheet = el("section", { "class": "paper sheet", "data-code": paper.code }, [
      el("h1", { text: T.sheet_title }),
      el("div", { "class": "paper-candidate" }, [el("span", { text: T.paper_name + " ………………………………" }), el("span", { text: T.paper_sbd + " …………" }),
        el("span", { "class": "paper-code", text: T.paper_code + " " + paper.code })]),
    ]);
    paper.parts.forEach(function (part) {
      var kind = part.items.length ? part.items[0].kind : "";
      var box = el("div", { "class": "sheet-part" }, [el("h2", { text: T.paper_part.replace("%s", part.id) })]);
      var grid = el("div", { "class": "sheet-grid " + kind });
      part.items.forEach(function (item) {
        var cellBox = el("div", { "class": "sheet-item" }, [el("b", { text: String(item.number) })]);
        if (kind === "single-choice" || kind === "multiple-response") {
          (item.options || ["", "", "", ""]).forEach(function (_, i) { cellBox.appendChild(bubble(String.fromCharCode(65 + i))); });
        } else if (kind === "true-false") {
          (item.options || []).forEach(function (_, i) {
            cellBox.appendChild(el("div", { "class": "tf-row" }, [el("span", { text: String.fromCharCode(97 + i) + ")" }), bubble("Đ"), bubble("S")]));
          });
        } else if (kind === "numeric") {
          var columns = el("div", { "class": "digits" });
          for (var c = 0; c < 4; c++) {
            // The minus sign only in the first column, the decimal comma only in the two middle ones.
            var column = el("div", { "class": "digit-column" }, [el("span", { "class": "print-box" }),
              c === 0 ? bubble("-") : el("span", { "class": "bubble blank" }), c === 1 || c === 2 ? bubble(",") : el("span", { "class": "bubble blank" })]);
            for (var d = 0; d <= 9; d++) column.appendChild(bubble(String(d)));
            columns.appendChild(column);
          }
          cellBox.appendChild(columns);
        } else {
          cellBox.appendChild(el("div", { "class": "print-line" }));
        }
        grid.appendChild(cellBox);
      });
      box.appendChild(grid);
      sheet.appendChild(box);
    });
    return sheet;
  }

  function keyTable() {
    var page = el("section", { "class": "paper key-page" }, [el("h1", { text: T.key_title + " — " + set.summary.name }),
      el("p", { text: T.paper_subject + ": " + (set.papers[0] ? set.papers[0].paper.subject : "") })]);
    var table = el("table", { "class": "key-table" });
    var head = el("tr", null, [el("th", { text: T.question })]);
    set.papers.forEach(function (view) { head.appendChild(el("th", { text: T.paper_code + " " + view.paper.code })); });
    table.appendChild(el("thead", null, [head]));
    var body = el("tbody");
    var answers = set.papers.map(function (view) { var map = {}; view.key.entries.forEach(function (e) { map[e.key] = e.answer; }); return map; });
    if (set.papers.length) set.papers[0].paper.parts.forEach(function (part) {
      body.appendChild(el("tr", { "class": "key-part" }, [el("th", { colspan: String(set.papers.length + 1), text: T.paper_part.replace("%s", part.id) })]));
      part.items.forEach(function (item) {
        var row = el("tr", null, [el("th", { text: String(item.number) })]);
        answers.forEach(function (map) { row.appendChild(el("td", { text: map[item.key] || "" })); });
        body.appendChild(row);
      });
    });
    table.appendChild(body);
    page.appendChild(table);
    $("papers").appendChild(page);
  }

  function draw() {
    $("papers").innerHTML = "";
    var code = $("code").value;
    if ($("key").checked) { keyTable(); return; }
    set.papers.forEach(function (view) { if (!code || view.paper.code === code) drawPaper(view, $("sheet").checked); });
  }

  function remember() {
    var parts = [S.param("exam") ? "exam=" + encodeURIComponent(S.param("exam")) : "set=" + set.summary.id];
    if ($("code").value) parts.push("code=" + encodeURIComponent($("code").value));
    if ($("sheet").checked) parts.push("sheet=1");
    if ($("key").checked) parts.push("view=key");
    history.replaceState(null, "", "?" + parts.join("&"));
  }

  ["code", "sheet", "key"].forEach(function (id) { $(id).addEventListener("change", function () { remember(); draw(); }); });
  $("print").addEventListener("click", function () { window.print(); });

  S.ready(["teacher", "coordinator", "admin"]).then(function () {
    // A print set, or an exam's own papers (the paper fallback when computers fail on exam day).
    var id = S.param("set"), exam = S.param("exam");
    if (!id && !exam) { S.notice(T.print_no_set, "error"); return; }
    var path = exam ? "/api/staff/setup/exams/" + encodeURIComponent(exam) + "/papers" : "/api/staff/print-sets/" + encodeURIComponent(id);
    if (exam) { $("print-back").href = "/staff/setup?exam=" + encodeURIComponent(exam); $("print-back").textContent = "← " + T.nav_setup; }
    api("GET", path).then(function (result) {
      if (result.status !== 200) { S.notice(K.message(result), "error"); return; }
      set = result.body;
      document.title = set.summary.name + " — khaothi";
      S.fill($("code"), set.papers.map(function (p) { return [p.paper.code, p.paper.code]; }), T.print_all_codes);
      if (S.param("code")) $("code").value = S.param("code");
      $("sheet").checked = S.param("sheet") === "1";
      $("key").checked = S.param("view") === "key";
      draw();
      document.body.setAttribute("data-ready", "1");
    });
  }, function () {});
})();
