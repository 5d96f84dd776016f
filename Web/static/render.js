// khaothi: the one question renderer. The candidate's test page, the teacher's live preview, the bank
// browser, "Xem thử đề" and the print view all draw a question — the candidate's view of it (no key) — with
// this code, so it looks the same everywhere.
//
//   K.render.question(item, media, io, mode) → element with the passage, the stem and the answer area.
//   mode "take": inputs wired to io (the test page); "preview": inputs that keep their own state (a teacher
//   tries the question); "print": no inputs, as on paper (options as "A. …", boxes for a short answer).
//   io: { value(): the current answer, change(value), soon(read) for typing, now(read) on blur }.
"use strict";
(function () {
  var T = K.T, el = K.el;

  function letter(index) { return String.fromCharCode(65 + index); }

  function isAnswered(value) {
    if (value === undefined || value === null) return false;
    if (typeof value === "string") return value.trim() !== "";
    if (Array.isArray(value)) return value.some(function (v) { return String(v).trim() !== ""; });
    for (var key in value) if (String(value[key]).trim() !== "") return true;
    return false;
  }

  // How fully an answer answers its item: "none", "partial" (a Đ/S cluster, a matching or a cloze with some
  // statements, premises or gaps left) or "full". A partial answer is not "answered" in the navigator.
  function completeness(item, value) {
    if (!isAnswered(value)) return "none";
    var parts = item.kind === "true-false" ? (item.options || []).length
      : item.kind === "matching" ? (item.premises || []).length
      : item.kind === "cloze" ? (item.gaps || []).length : 0;
    if (!parts || typeof value !== "object" || Array.isArray(value)) return "full";
    var given = Object.keys(value).filter(function (k) { return String(value[k]).trim() !== ""; }).length;
    return given >= parts ? "full" : "partial";
  }

  // An option as plain text for a drop-down: TeX and Markdown marks dropped, shortened.
  function plain(text) {
    var t = String(text || "").replace(/\$+/g, "").replace(/[*_`]/g, "").replace(/\s+/g, " ").trim();
    return t.length > 48 ? t.slice(0, 47) + "…" : t;
  }

  // An io that keeps the answer in itself: a preview the teacher can click through.
  function scratch() {
    var value;
    return {
      value: function () { return value; },
      change: function (v) { value = v; },
      soon: function (read) { value = read(); },
      now: function (read) { value = read(); },
    };
  }

  var interactive = {
    "single-choice": function (item, body, media, io) {
      var name = "a-" + item.key;
      item.options.forEach(function (text, i) {
        var input = el("input", { type: "radio", name: name, value: letter(i), id: name + "-" + i, checked: io.value() === letter(i) });
        input.addEventListener("change", function () { io.change(letter(i)); });
        body.appendChild(el("label", { "class": "option", "for": name + "-" + i }, [input, el("b", { text: letter(i) + ". " }), K.richNode("span", text, media)]));
      });
    },
    "multiple-response": function (item, body, media, io) {
      var name = "a-" + item.key, chosen = Array.isArray(io.value()) ? io.value() : [];
      var read = function () {
        return Array.prototype.filter.call(body.querySelectorAll("input"), function (b) { return b.checked; }).map(function (b) { return b.value; });
      };
      item.options.forEach(function (text, i) {
        var input = el("input", { type: "checkbox", name: name, value: letter(i), id: name + "-" + i, checked: chosen.indexOf(letter(i)) >= 0 });
        input.addEventListener("change", function () { io.change(read()); });
        body.appendChild(el("label", { "class": "option", "for": name + "-" + i }, [input, el("b", { text: letter(i) + ". " }), K.richNode("span", text, media)]));
      });
    },
    "true-false": function (item, body, media, io) {
      var marks = io.value() && typeof io.value() === "object" ? io.value() : {};
      var table = el("table", { "class": "true-false" }, [el("thead", null, [el("tr", null, [el("th", { text: T.statement }), el("th"), el("th", { text: T["true"] }), el("th", { text: T["false"] })])])]);
      var tbody = el("tbody");
      var read = function () {
        var value = {};
        item.options.forEach(function (_, j) {
          var l = String.fromCharCode(97 + j), checked = body.querySelector('input[name="a-' + item.key + "-" + l + '"]:checked');
          if (checked) value[l] = checked.value;
        });
        return value;
      };
      item.options.forEach(function (text, i) {
        var label = String.fromCharCode(97 + i), name = "a-" + item.key + "-" + label;
        var yes = el("input", { type: "radio", name: name, value: "Đ", checked: marks[label] === "Đ", "aria-label": label + ") " + T["true"] });
        var no = el("input", { type: "radio", name: name, value: "S", checked: marks[label] === "S", "aria-label": label + ") " + T["false"] });
        yes.addEventListener("change", function () { io.change(read()); });
        no.addEventListener("change", function () { io.change(read()); });
        tbody.appendChild(el("tr", null, [el("td", { text: label + ")" }), K.richNode("td", text, media), el("td", null, [yes]), el("td", null, [no])]));
      });
      table.appendChild(tbody);
      body.appendChild(table);
    },
    "numeric": function (item, body, media, io) {
      var input = el("input", { type: "text", "class": "numeric", autocomplete: "off", spellcheck: "false", inputmode: "decimal",
        maxlength: item.boxes ? String(item.boxes) : null, value: typeof io.value() === "string" ? io.value() : "", "aria-label": T.question + " " + item.number });
      var help = el("p", { "class": "hint", text: item.boxes ? T.numeric_rule : "" });
      var check = function () {
        var ok = !item.boxes || /^[0-9,\-]{0,4}$/.test(input.value);
        input.classList.toggle("invalid", !ok);
        help.textContent = ok ? (item.boxes ? T.numeric_rule : "") : T.numeric_bad;
        help.className = ok ? "hint" : "hint error";
        return ok;
      };
      // What breaks the rule (letters, a fifth character) is never stored as an answer: the item stays unanswered
      // while the box shows what was typed and the rule beside it.
      var valid = function () { return check() ? input.value.trim() : ""; };
      input.addEventListener("input", function () { input.value = input.value.replace(".", ","); check(); io.soon(valid); });
      input.addEventListener("blur", function () { io.now(valid); });
      body.appendChild(input); body.appendChild(help);
    },
    "short-text": function (item, body, media, io) {
      var input = el("input", { type: "text", "class": "short-text", autocomplete: "off", spellcheck: "false", value: typeof io.value() === "string" ? io.value() : "",
        "aria-label": T.question + " " + item.number });
      input.addEventListener("input", function () { io.soon(function () { return input.value; }); });
      input.addEventListener("blur", function () { io.now(function () { return input.value; }); });
      body.appendChild(input);
    },
    "essay": function (item, body, media, io) {
      var area = el("textarea", { rows: "12", maxlength: "100000", "aria-label": T.question + " " + item.number });
      area.value = typeof io.value() === "string" ? io.value() : "";
      area.addEventListener("input", function () { io.soon(function () { return area.value; }); });
      area.addEventListener("blur", function () { io.now(function () { return area.value; }); });
      body.appendChild(area);
      body.appendChild(el("p", { "class": "hint", text: T.essay_hint }));
    },
    "matching": function (item, body, media, io) {
      var chosen = io.value() && typeof io.value() === "object" ? io.value() : {};
      var choices = el("ol", { "class": "choices", type: "A" });
      item.options.forEach(function (text) { choices.appendChild(K.richNode("li", text, media)); });
      var table = el("table", { "class": "matching" });
      var read = function () {
        var value = {};
        Array.prototype.forEach.call(body.querySelectorAll("select"), function (s) { if (s.value) value[s.getAttribute("data-premise")] = s.value; });
        return value;
      };
      item.premises.forEach(function (text, i) {
        var select = el("select", { "data-premise": String(i + 1), "aria-label": (i + 1) + "" });
        select.appendChild(el("option", { value: "", text: T.choose }));
        item.options.forEach(function (option, j) {
          select.appendChild(el("option", { value: letter(j), text: letter(j) + ". " + plain(option), selected: chosen[String(i + 1)] === letter(j) }));
        });
        select.addEventListener("change", function () { io.change(read()); });
        table.appendChild(el("tr", null, [el("td", { text: (i + 1) + "." }), K.richNode("td", text, media), el("td", null, [select])]));
      });
      body.appendChild(table); body.appendChild(choices);
    },
    "ordering": function (item, body, media, io) {
      // Labels of the items as shown (A, B, …), in the order the candidate puts them.
      var current = io.value();
      var order = Array.isArray(current) && current.length === item.options.length ? current.slice() : item.options.map(function (_, i) { return letter(i); });
      var list = el("ol", { "class": "ordering" });
      var status = el("p", { "class": "hint", text: isAnswered(current) ? "" : T.order_not_set });
      var draw = function (focusLabel, focusDirection) {
        list.innerHTML = "";
        order.forEach(function (label, position) {
          var index = label.charCodeAt(0) - 65;
          var up = el("button", { type: "button", text: "↑", "aria-label": T.move_up + " " + label, disabled: position === 0, onclick: function () { move(position, -1); } });
          var down = el("button", { type: "button", text: "↓", "aria-label": T.move_down + " " + label, disabled: position === order.length - 1, onclick: function () { move(position, 1); } });
          list.appendChild(el("li", { "data-label": label }, [el("b", { text: label + ". " }), K.richNode("span", item.options[index], media), el("span", { "class": "moves" }, [up, down])]));
          if (label === focusLabel) setTimeout(function () { (focusDirection < 0 && !up.disabled ? up : (!down.disabled ? down : up)).focus(); }, 0);
        });
      };
      var move = function (position, direction) {
        var other = position + direction, label = order[position];
        order[position] = order[other]; order[other] = label;
        draw(label, direction);
        status.textContent = "";
        io.change(order.slice());
      };
      draw();
      body.appendChild(list);
      body.appendChild(el("button", { type: "button", "class": "keep-order", text: T.keep_order, onclick: function () { status.textContent = ""; io.change(order.slice()); } }));
      body.appendChild(status);
    },
    "cloze": function (item, body, media, io) {
      var values = io.value() && typeof io.value() === "object" ? io.value() : {};
      var gaps = {};
      (item.gaps || []).forEach(function (gap) { gaps[gap.id] = gap; });
      var read = function () {
        var value = {};
        Array.prototype.forEach.call(body.querySelectorAll("[data-gap]"), function (field) { if (field.value.trim() !== "") value[field.getAttribute("data-gap")] = field.value.trim(); });
        return value;
      };
      var text = el("p", { "class": "cloze" });
      String(item.clozeText || "").split(/\{\{([^}]+)\}\}/).forEach(function (part, i) {
        if (i % 2 === 0) { if (part) text.appendChild(K.richNode("span", part, media)); return; }
        var gap = gaps[part], field;
        if (gap && gap.kind === "choice") {
          field = el("select", { "data-gap": part, "aria-label": "(" + part + ")" });
          field.appendChild(el("option", { value: "", text: "(" + part + ")" }));
          gap.options.forEach(function (option, j) { field.appendChild(el("option", { value: letter(j), text: option, selected: values[part] === letter(j) })); });
          field.addEventListener("change", function () { io.change(read()); });
        } else {
          field = el("input", { type: "text", "data-gap": part, size: "8", autocomplete: "off", spellcheck: "false", placeholder: "(" + part + ")", "aria-label": "(" + part + ")",
            value: values[part] || "" });
          field.addEventListener("input", function () { io.soon(read); });
          field.addEventListener("blur", function () { io.now(read); });
        }
        text.appendChild(field);
      });
      body.appendChild(text);
    },
  };

  // On paper: what the candidate writes on is drawn, nothing to click.
  function lettered(options, media) {
    var list = el("div", { "class": "print-options" + (options.every(function (t) { return String(t).length < 28; }) ? " short" : "") });
    options.forEach(function (text, i) { list.appendChild(el("div", { "class": "print-option" }, [el("b", { text: letter(i) + ". " }), K.richNode("span", text, media)])); });
    return list;
  }
  function boxes(count) {
    var row = el("div", { "class": "print-boxes" });
    for (var i = 0; i < count; i++) row.appendChild(el("span", { "class": "print-box" }));
    return row;
  }
  var printed = {
    "single-choice": function (item, body, media) { body.appendChild(lettered(item.options, media)); },
    "multiple-response": function (item, body, media) { body.appendChild(lettered(item.options, media)); },
    "true-false": function (item, body, media) {
      var table = el("table", { "class": "true-false print" }, [el("thead", null, [el("tr", null, [el("th", { text: T.statement }), el("th"), el("th", { text: T["true"] }), el("th", { text: T["false"] })])])]);
      var tbody = el("tbody");
      item.options.forEach(function (text, i) {
        tbody.appendChild(el("tr", null, [el("td", { text: String.fromCharCode(97 + i) + ")" }), K.richNode("td", text, media), el("td", null, [el("span", { "class": "print-box" })]), el("td", null, [el("span", { "class": "print-box" })])]));
      });
      table.appendChild(tbody);
      body.appendChild(table);
    },
    "numeric": function (item, body) { body.appendChild(boxes(item.boxes || 4)); },
    "short-text": function (item, body) { body.appendChild(el("div", { "class": "print-line" })); },
    "essay": function (item, body) { for (var i = 0; i < 8; i++) body.appendChild(el("div", { "class": "print-line" })); },
    "matching": function (item, body, media) {
      var table = el("table", { "class": "matching print" });
      item.premises.forEach(function (text, i) { table.appendChild(el("tr", null, [el("td", { text: (i + 1) + "." }), K.richNode("td", text, media), el("td", { text: "→ ……" })])); });
      body.appendChild(table);
      body.appendChild(lettered(item.options, media));
    },
    "ordering": function (item, body, media) { body.appendChild(lettered(item.options, media)); body.appendChild(el("p", { text: T.print_order + " ……………" })); },
    "cloze": function (item, body, media) {
      var gaps = {};
      (item.gaps || []).forEach(function (gap) { gaps[gap.id] = gap; });
      var text = el("p", { "class": "cloze" });
      String(item.clozeText || "").split(/\{\{([^}]+)\}\}/).forEach(function (part, i) {
        if (i % 2 === 0) { if (part) text.appendChild(K.richNode("span", part, media)); return; }
        var gap = gaps[part];
        text.appendChild(el("span", { "class": "print-gap", text: "(" + part + ") " + (gap && gap.kind === "choice" ? "[" + gap.options.map(function (o, j) { return letter(j) + ". " + o; }).join(" / ") + "]" : "……………") }));
      });
      body.appendChild(text);
    },
  };

  function question(item, media, io, mode) {
    media = media || {};
    if (mode === "review") item = Object.assign({}, item, { key: "review-" + item.key });
    var box = el("div", { "class": "rendered " + (mode || "take"), "data-kind": item.kind });
    if (item.passage) box.appendChild(K.richNode("div", item.passage, media, "passage"));
    box.appendChild(K.richNode("div", item.stem, media, "stem"));
    var body = el("div", { "class": "answer" });
    var builders = mode === "print" ? printed : interactive;
    (builders[item.kind] || builders["short-text"])(item, body, media, io || scratch());
    if (mode === "review") body.querySelectorAll("input, select, textarea, button").forEach(function (control) { control.disabled = true; });
    box.appendChild(body);
    return box;
  }

  // "Phần I, câu 3" for the item key "I.3": the names the navigator and the submit dialog use.
  function itemName(key) {
    var dot = String(key).indexOf(".");
    return dot < 0 ? key : T.part + " " + key.slice(0, dot) + ", " + T.question_short + " " + key.slice(dot + 1);
  }

  // The attempt as the exam lets the candidate review it: each question drawn as they answered it (inputs
  // disabled), marked, with the key and lời giải when the exam shows them.
  function review(r) {
    var byKey = {};
    (r.items || []).forEach(function (item) { byKey[item.key] = item; });
    var section = el("section", { id: "review", "class": "review", "aria-labelledby": "review-title" }, [el("h2", { id: "review-title", text: T.review_title })]);
    r.paper.parts.forEach(function (part) {
      part.items.forEach(function (paperItem) {
        var result = byKey[paperItem.key] || {};
        var answer = result.answer === undefined ? null : result.answer;
        var status = result.status || "unanswered";
        var awarded = result.awarded === null || result.awarded === undefined ? T.result_waiting_grade : K.points(result.awarded);
        var box = el("article", { "class": "review-item " + status, id: "review-" + paperItem.key }, [
          el("h3", null, [itemName(paperItem.key), " ", el("span", { "class": "pill " + status, text: T["review_status_" + status] || status }),
            " ", el("span", { "class": "review-points", text: awarded + " / " + K.points(result.maximum || paperItem.points) })])]);
        box.appendChild(question(paperItem, mediaFor(r.media, paperItem.key),
          { value: function () { return answer; }, change: function () {}, soon: function () {}, now: function () {} }, "review"));
        if (paperItem.kind === "essay" || paperItem.kind === "numeric" || paperItem.kind === "short-text") {
          box.appendChild(el("p", { "class": "review-answer" }, [el("b", { text: T.review_your_answer + ": " }), typeof answer === "string" && answer ? answer : "—"]));
        }
        if (result.keyText) {
          var label = paperItem.kind === "essay" ? T.review_rubric : T.review_key;
          box.appendChild(el("div", { "class": "review-key" }, [el("b", { text: label + ": " }), K.richNode("span", result.keyText, mediaFor(r.media, paperItem.key))]));
        }
        if (result.explanation) {
          box.appendChild(el("div", { "class": "review-explanation" }, [el("b", { text: T.review_explanation + ": " }), K.richNode("div", result.explanation, mediaFor(r.media, paperItem.key))]));
        }
        if (result.comment) box.appendChild(el("p", { "class": "review-comment" }, [el("b", { text: T.review_comment + ": " }), result.comment]));
        if (result.gradedBy) box.appendChild(el("p", { "class": "hint review-graders", text: T.results_graders + ": " + result.gradedBy }));
        var events = (r.events || {})[paperItem.key];
        if (events && events.length) box.appendChild(eventLog(events));
        section.appendChild(box);
      });
    });
    return section;
  }

  // Every answer event of an item, in order: what the page sent, when, and when the server took it.
  function eventLog(events) {
    var body = el("tbody");
    events.forEach(function (e) {
      body.appendChild(el("tr", null, [el("td", { text: String(e.sequence) }), el("td", { text: typeof e.value === "string" ? e.value : JSON.stringify(e.value) }),
        el("td", { text: e.clientTime ? new Date(e.clientTime).toLocaleTimeString() : "" }), el("td", { text: new Date(e.receivedAt).toLocaleTimeString() })]));
    });
    return el("details", { "class": "event-log" }, [el("summary", { text: T.review_events + " (" + events.length + ")" }),
      el("table", { "class": "data" }, [el("thead", null, [el("tr", null, [el("th", { text: "#" }), el("th", { text: T.review_value }),
        el("th", { text: T.review_client_time }), el("th", { text: T.review_received })])]), body])]);
  }

  function mediaFor(media, key) { return (media || {})[key] || {}; }

  K.render = { question: question, isAnswered: isAnswered, completeness: completeness, letter: letter, scratch: scratch, itemName: itemName, review: review };
})();
