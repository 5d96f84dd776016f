// khaothi: the bank browser — a teacher's banks, filtered and searched (with or without diacritics), each
// question drawn as the candidate sees it with its key, many at once classified, tagged, moved, copied or
// deleted (a question a paper used is retired, never deleted). Filters live in the address, so a reload
// or the back button keeps them.
"use strict";
(function () {
  var T = K.T, el = K.el, api = K.api, S = K.staff;
  var $ = function (id) { return document.getElementById(id); };
  var banks = [], bank = null, page = 1, pages = 1, rows = [], selected = {}, members = [], shares = [];
  var filterIds = ["q", "f-subject", "f-grade", "f-topic", "f-lesson", "f-level", "f-kind", "f-tag", "f-unclassified", "f-used", "sort"];
  var names = { "q": "q", "f-subject": "subject", "f-grade": "grade", "f-topic": "topic", "f-lesson": "lesson", "f-level": "level", "f-kind": "kind",
    "f-tag": "tag", "f-unclassified": "unclassified", "f-used": "used", "sort": "sort" };

  // How the question worked in the latest exam whose statistics were kept; flagged like the statistics page.
  function observedTag(o) {
    var flagged = o.facility < 0.2 || o.facility > 0.9 || (o.discrimination !== null && o.discrimination !== undefined && o.discrimination < 0.2);
    var text = T.stats_facility + " " + Math.round(o.facility * 100) + " % · " + T.stats_discrimination + " "
      + (o.discrimination === null || o.discrimination === undefined ? "–" : Math.round(o.discrimination * 100) + " %") + " (" + o.attempts + " " + T.stats_count.toLowerCase() + ")";
    return el("span", { "class": "tag observed" + (flagged ? " warn" : ""), title: o.exam, text: text });
  }

  function current() { return banks.filter(function (b) { return b.name === $("bank").value; })[0] || null; }
  function canEdit() { return bank && (bank.access === "edit" || bank.access === "owner"); }

  function loadBanks(choose) {
    return api("GET", "/api/staff/banks").then(function (result) {
      if (result.status !== 200) { S.notice(K.message(result), "error"); return; }
      banks = result.body.items;
      S.fill($("bank"), banks.map(function (b) { return [b.name, b.name + (b.access === "read" ? " (" + T.access_read + ")" : "")]; }));
      if (choose) $("bank").value = choose;
      S.fill($("b-target"), banks.filter(function (b) { return b.access !== "read"; }).map(function (b) { return [b.name, b.name]; }), T.bulk_target);
      if (!banks.length) { $("empty").hidden = false; $("empty").textContent = T.bank_none; }
      return bankChanged(false);
    });
  }

  function bankChanged(resetFilters) {
    bank = current();
    selected = {};
    if (!bank) return;
    if (resetFilters) { filterIds.forEach(function (id) { $(id).value = id === "sort" ? "added" : ""; }); page = 1; }
    $("bank-facts").textContent = bank.questions + " " + T.questions + (bank.unclassified ? " · " + bank.unclassified + " " + T.bank_unclassified_count : "")
      + (bank.retired ? " · " + bank.retired + " " + T.bank_retired_count : "") + " · " + T["visibility_" + bank.visibility] + (bank.owner ? " · " + T.bank_owner + " " + bank.owner : "");
    $("new-question").href = "/staff/question?bank=" + encodeURIComponent(bank.name);
    $("new-question").hidden = !canEdit();
    $("import-here").href = "/staff/import?bank=" + encodeURIComponent(bank.name);
    $("import-here").hidden = !canEdit();
    $("sharing").hidden = bank.access !== "owner";
    $("bulk").classList.toggle("read-only", !canEdit());
    return loadFacets().then(search);
  }

  function loadFacets() {
    return api("GET", S.bankPath(bank.name) + "/facets").then(function (result) {
      if (result.status !== 200) { S.notice(K.message(result), "error"); return; }
      var f = result.body;
      var counted = function (list, label) { return list.map(function (c) { return [c.value, (label ? label(c.value) : c.value) + " (" + c.count + ")"]; }); };
      S.fill($("f-subject"), counted(f.subjects), T.field_subject + ": " + T.all);
      S.fill($("f-grade"), counted(f.grades, function (g) { return T.grade + " " + g; }), T.field_grade + ": " + T.all);
      S.fill($("f-topic"), counted(f.topics), T.field_topic + ": " + T.all);
      S.fill($("f-lesson"), f.lessons.map(function (c) { var parts = c.value.split(" / "); return [parts.slice(1).join(" / "), c.value + " (" + c.count + ")"]; }), T.field_lesson + ": " + T.all);
      S.fill($("f-level"), counted(f.levels, S.levelName), T.field_level + ": " + T.all);
      S.fill($("f-kind"), counted(f.kinds, S.kindName), T.field_kind + ": " + T.all);
      S.fill($("f-tag"), counted(f.tags), T.field_tags + ": " + T.all);
      var topics = $("topics");
      topics.innerHTML = "";
      f.topics.forEach(function (c) { if (c.value !== S.unclassifiedTopic) topics.appendChild(el("option", { value: c.value })); });
    });
  }

  function query() {
    var parts = [];
    filterIds.forEach(function (id) { if ($(id).value) parts.push(names[id] + "=" + encodeURIComponent($(id).value)); });
    if ($("f-retired").checked) parts.push("retired=true");
    if ($("desc").checked) parts.push("desc=true");
    parts.push("page=" + page, "pageSize=" + $("page-size").value);
    return parts.join("&");
  }

  function remember() {
    var address = "?bank=" + encodeURIComponent(bank.name) + "&" + query();
    history.replaceState(null, "", window.location.pathname + address);
  }

  function search() {
    if (!bank) return Promise.resolve();
    remember();
    return api("GET", S.bankPath(bank.name) + "/questions?" + query()).then(function (result) {
      if (result.status !== 200) { S.notice(K.message(result), "error"); return; }
      var body = result.body;
      rows = body.rows;
      pages = Math.max(1, Math.ceil(body.total / body.pageSize));
      $("total").textContent = body.total + " " + T.questions;
      $("page-of").textContent = T.page + " " + body.page + " / " + pages;
      $("prev").disabled = body.page <= 1;
      $("next").disabled = body.page >= pages;
      $("empty").hidden = rows.length > 0;
      draw();
    });
  }

  function draw() {
    var list = $("rows");
    list.innerHTML = "";
    rows.forEach(function (row) {
      var box = el("input", { type: "checkbox", "aria-label": T.bulk_select + " " + row.id, checked: !!selected[row.id], onchange: function () {
        if (box.checked) selected[row.id] = true; else delete selected[row.id];
        bulkBar();
      } });
      var meta = el("div", { "class": "row-meta" }, [
        box,
        el("b", { text: row.id }),
        el("span", { "class": "tag", text: S.kindName(row.kind) }),
        el("span", { "class": "tag level", text: S.levelName(row.level) }),
        el("span", { text: row.subject + (row.grade ? " " + row.grade : "") + " · " + row.topic + (row.lesson ? " / " + row.lesson : "") }),
        row.unclassified ? el("span", { "class": "tag warn", text: T.unclassified }) : null,
        row.retired ? el("span", { "class": "tag warn", text: T.retired }) : null,
        el("span", { "class": "hint", text: K.points(row.points) + " " + T.points + " · " + T.bank_uses + " " + row.uses + " · r" + row.revision
          + (row.updatedBy ? " · " + row.updatedBy : "") + " · " + S.date(row.updatedAt) }),
        (row.tags || []).length ? el("span", { "class": "hint", text: "#" + row.tags.join(" #") }) : null,
        row.observed ? observedTag(row.observed) : null,
        el("a", { "class": "button small", href: "/staff/question?bank=" + encodeURIComponent(bank.name) + "&id=" + encodeURIComponent(row.id), text: canEdit() ? T.edit : T.view }),
      ]);
      var item = row.item;
      item.number = row.id;
      list.appendChild(el("li", { "class": "row", "data-id": row.id }, [
        meta,
        K.render.question(item, row.media, null, "preview"),
        el("p", { "class": "key" }, [el("b", { text: T.key + ": " }), K.richNode("span", row.key, row.media)]),
      ]));
    });
    bulkBar();
  }

  function selection() { return Object.keys(selected); }

  function bulkBar() {
    var count = selection().length;
    // The bar appears once something is selected.
    $("bulk").hidden = count === 0;
    $("bulk-count").textContent = count + " " + T.bulk_selected;
    $("select-all-page").hidden = !canEdit() || rows.length === 0;
    $("bulk").querySelectorAll(".group button, #b-delete, #b-restore").forEach(function (b) { b.disabled = count === 0 || !canEdit(); });
    $("b-restore").hidden = !$("f-retired").checked;
    $("b-delete").hidden = $("f-retired").checked;
  }

  function bulk(action, extra, confirmText) {
    var ids = selection();
    if (!ids.length) return;
    if (confirmText && !window.confirm(K.count(confirmText, ids.length))) return;
    var body = { ids: ids, action: action };
    for (var key in extra) body[key] = extra[key];
    api("POST", S.bankPath(bank.name) + "/bulk", body).then(function (result) {
      if (result.status !== 200) { S.notice(S.problems(result).join(" — "), "error"); return; }
      var r = result.body, parts = [];
      if (r.changed) parts.push(r.changed + " " + T.bulk_changed);
      if (r.unchanged) parts.push(r.unchanged + " " + T.bulk_unchanged);
      if (r.moved) parts.push(r.moved + " " + T.bulk_moved);
      if (r.copied) parts.push(r.copied + " " + T.bulk_copied);
      if (r.deleted) parts.push(r.deleted + " " + T.bulk_deleted);
      if (r.retired) parts.push(r.retired + " " + T.bulk_retired);
      if (r.restored) parts.push(r.restored + " " + T.bulk_restored);
      if (r.stillUnclassified) parts.push(r.stillUnclassified + " " + T.bulk_still_unclassified);
      if (r.skipped.length) parts.push(T.bulk_skipped + ": " + r.skipped.join("; "));
      S.notice(parts.join(" · ") || T.bulk_nothing, r.skipped.length ? "warning" : "info");
      selected = {};
      loadBanks(bank.name);
    });
  }

  // --- wiring ---------------------------------------------------------------------------------------
  $("bank").addEventListener("change", function () { bankChanged(true); });
  $("filters").addEventListener("submit", function (event) { event.preventDefault(); page = 1; search(); });
  filterIds.concat(["f-retired", "desc"]).forEach(function (id) {
    if (id !== "q") $(id).addEventListener("change", function () { page = 1; search(); });
  });
  $("clear").addEventListener("click", function () { $("f-retired").checked = false; $("desc").checked = false; bankChanged(true); });
  $("page-size").addEventListener("change", function () { page = 1; search(); });
  $("prev").addEventListener("click", function () { if (page > 1) { page -= 1; search().then(function () { window.scrollTo(0, 0); }); } });
  $("next").addEventListener("click", function () { if (page < pages) { page += 1; search().then(function () { window.scrollTo(0, 0); }); } });
  $("select-page").addEventListener("click", function () { rows.forEach(function (r) { selected[r.id] = true; }); draw(); });
  $("select-all-page").addEventListener("click", function () { rows.forEach(function (r) { selected[r.id] = true; }); draw(); $("bulk-count").focus(); });
  $("select-none").addEventListener("click", function () { selected = {}; draw(); });
  $("b-classify").addEventListener("click", function () {
    if (!$("b-topic").value.trim() || !$("b-level").value) { S.notice(T.bulk_need_topic_level, "error"); $("b-topic").focus(); return; }
    bulk("classify", { topic: $("b-topic").value.trim(), lesson: $("b-lesson").value.trim(), level: $("b-level").value });
  });
  $("b-set-level").addEventListener("click", function () {
    if (!$("b-level").value) { S.notice(T.bulk_need_level, "error"); $("b-level").focus(); return; }
    bulk("set-level", { level: $("b-level").value });
  });
  $("b-add-tag").addEventListener("click", function () { if ($("b-tag").value.trim()) bulk("add-tags", { tags: $("b-tag").value.split(",") }); });
  $("b-remove-tag").addEventListener("click", function () { if ($("b-tag").value.trim()) bulk("remove-tags", { tags: $("b-tag").value.split(",") }); });
  $("b-move").addEventListener("click", function () { if ($("b-target").value) bulk("move", { toBank: $("b-target").value }); else $("b-target").focus(); });
  $("b-copy").addEventListener("click", function () { if ($("b-target").value) bulk("copy", { toBank: $("b-target").value }); else $("b-target").focus(); });
  $("b-delete").addEventListener("click", function () { bulk("delete", {}, T.bulk_confirm_delete); });
  $("b-restore").addEventListener("click", function () { bulk("restore", {}); });
  $("export-format").addEventListener("change", function () {
    var format = $("export-format").value;
    $("export-format").value = "";
    if (format && bank) window.location.href = S.bankPath(bank.name) + "/export?format=" + format;
  });

  // New bank.
  function dialog(id, open) {
    $(id).hidden = !open;
    if (open) { var first = $(id).querySelector("input, select"); if (first) first.focus(); }
  }
  document.querySelectorAll(".dialog .close").forEach(function (button) {
    button.addEventListener("click", function () { button.closest(".dialog").hidden = true; });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") document.querySelectorAll(".dialog").forEach(function (d) { d.hidden = true; });
  });
  $("new-bank").addEventListener("click", function () { $("nb-error").hidden = true; dialog("bank-dialog", true); });
  $("bank-form").addEventListener("submit", function (event) {
    event.preventDefault();
    api("POST", "/api/staff/banks", { name: $("nb-name").value.trim(), subject: $("nb-subject").value.trim(), visibility: $("nb-visibility").value }).then(function (result) {
      if (result.status !== 201) { $("nb-error").textContent = K.message(result); $("nb-error").hidden = false; return; }
      dialog("bank-dialog", false);
      loadBanks(result.body.name);
    });
  });

  // Sharing: the owner names teachers who read or edit, and whether the whole school reads it.
  function drawShares() {
    var body = $("sh-rows");
    body.innerHTML = "";
    shares.forEach(function (share, index) {
      body.appendChild(el("tr", null, [el("td", { text: share.username }), el("td", { text: T["access_" + share.access] }),
        el("td", null, [el("button", { type: "button", text: T.remove, "aria-label": T.remove + " " + share.username, onclick: function () { shares.splice(index, 1); drawShares(); } })])]));
    });
  }
  $("sharing").addEventListener("click", function () {
    shares = (bank.shares || []).map(function (s) { return { username: s.username, access: s.access }; });
    $("sh-visibility").value = bank.visibility;
    $("sh-error").hidden = true;
    api("GET", "/api/staff/members").then(function (result) {
      members = result.status === 200 ? result.body.items : [];
      S.fill($("sh-member"), members.filter(function (m) { return m.username !== bank.owner && m.role !== "proctor"; })
        .map(function (m) { return [m.username, m.fullName + " (" + m.username + ")"]; }));
      drawShares();
      dialog("share-dialog", true);
    });
  });
  $("sh-add").addEventListener("click", function () {
    var username = $("sh-member").value;
    if (!username) return;
    shares = shares.filter(function (s) { return s.username !== username; });
    shares.push({ username: username, access: $("sh-access").value });
    drawShares();
  });
  $("share-form").addEventListener("submit", function (event) {
    event.preventDefault();
    api("PUT", S.bankPath(bank.name) + "/sharing", { visibility: $("sh-visibility").value, shares: shares }).then(function (result) {
      if (result.status !== 200) { $("sh-error").textContent = K.message(result); $("sh-error").hidden = false; return; }
      dialog("share-dialog", false);
      S.notice(T.share_saved, "info");
      loadBanks(bank.name);
    });
  });

  S.fill($("b-level"), S.levels.map(function (l) { return [l, S.levelName(l)]; }), T.field_level);

  S.ready(["teacher", "coordinator", "admin"]).then(function () {
    // Filters from the address (a reload, a link from the import page).
    var from = new URLSearchParams(window.location.search);
    var wanted = from.get("bank");
    return loadBanks(wanted).then(function () {
      if (!bank) return;
      var changed = false;
      filterIds.forEach(function (id) {
        var value = from.get(names[id]);
        if (value === null) return;
        if ($(id).tagName === "SELECT" && !Array.prototype.some.call($(id).options, function (o) { return o.value === value; })) $(id).appendChild(el("option", { value: value, text: value }));
        $(id).value = value;
        changed = true;
      });
      if (from.get("retired") === "true") { $("f-retired").checked = true; changed = true; }
      if (from.get("desc") === "true") { $("desc").checked = true; changed = true; }
      if (from.get("pageSize")) $("page-size").value = from.get("pageSize");
      if (from.get("page")) { page = parseInt(from.get("page"), 10) || 1; changed = true; }
      if (changed) search();
    });
  }, function () {});
})();
