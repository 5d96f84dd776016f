// khaothi: the candidate's test page. Confirm → waiting room → test → result, driven by the JSON API.
// Every change becomes an event with a per-attempt sequence number, kept in localStorage until the server
// acknowledges it (after it is on disk), so reloads, network cuts and browser crashes lose nothing.
"use strict";
(function () {
  var T = K.T, el = K.el, api = K.api;
  var $ = function (id) { return document.getElementById(id); };

  var me = null;            // /api/me
  var attempt = null;       // /api/attempt/start
  var skew = 0;             // server time − this PC's time, in ms
  var deadline = null;      // ms, server clock
  var items = [];           // flat list of paper items in order
  var answers = {};         // item key → value as last changed on this page
  var flags = {};           // item key → true
  var current = 0;          // index of the item shown
  var store = null;         // localStorage keys for this candidate
  var queue = [];           // events not yet acknowledged
  var sequence = 0;         // last sequence number used
  var sending = false, backoff = 0, retryTimer = null, stopped = false, submitting = false, warned = false;
  var paused = false;       // a proctor has paused the attempt: the clock stands, answers wait
  var frozenSeconds = 0;    // the time left while paused
  var oneByOne = 0;         // after a refused batch: how many events to send alone, to find the one refused

  // The session is gone (logged out elsewhere, a new access code, expired): back to the login page, which says
  // so; answers not yet sent stay in this browser and go once the candidate is back.
  function signInAgain() { window.location.href = homework ? "/hoc" : "/?ended=1"; }
  // An assignment done from home (opened from the student's page, /hoc): no confirmation of identity (the
  // student signed in with their own account), and back to that page at the end.
  var homework = new URLSearchParams(window.location.search).get("bt") === "1";

  function show(id) { ["confirm", "waiting", "test", "result"].forEach(function (name) { $(name).hidden = name !== id; }); }
  var noticeKind = "";
  function notice(text, kind) { var n = $("notice"); noticeKind = text ? kind || "" : ""; n.textContent = text || ""; n.className = "notice " + noticeKind; n.hidden = !text; }
  function now() { return Date.now() + skew; }
  function learnTime(serverTime, sentAt) {
    if (!serverTime) return;
    var received = Date.now(), rtt = sentAt ? received - sentAt : 0;
    skew = new Date(serverTime).getTime() + rtt / 2 - received;
  }

  // --- local storage -------------------------------------------------------------------------------
  function load(key, fallback) { try { var v = localStorage.getItem(key); return v ? JSON.parse(v) : fallback; } catch (e) { return fallback; } }
  function save(key, value) { try { localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* full or disabled: the queue lives in memory */ } }
  function persist() { save(store.queue, { sequence: sequence, events: queue }); save(store.flags, flags); save(store.current, current); }

  // --- start ---------------------------------------------------------------------------------------
  function begin() {
    var sentAt = Date.now();
    api("GET", "/api/me").then(function (result) {
      if (result.status === 401) { signInAgain(); return; }
      if (K.code(result) === "takenOver") { notice(T.taken_over, "error"); return; }
      if (result.status !== 200) { notice(K.message(result), "error"); return; }
      me = result.body;
      learnTime(me.serverTime, sentAt);
      var id = "khaothi:" + me.exam + ":" + me.sbd;
      store = { queue: id + ":queue", flags: id + ":flags", current: id + ":current", started: id + ":started" };
      $("who").textContent = homework ? me.fullName + " — " + me.exam.split(" · ")[0] : me.fullName + " — SBD " + me.sbd;
      if (homework) $("logout").textContent = T.hoc_back;
      if (me.attemptState === "submitted") { showResult(); return; }
      if (me.attemptState === "in-progress" || load(store.started, false) || homework) { startAttempt(); return; }
      $("c-sbd").textContent = me.sbd; $("c-name").textContent = me.fullName; $("c-dob").textContent = (me.dateOfBirth || "").replace(/^(\d{4})-(\d{2})-(\d{2})$/, "$3/$2/$1");
      $("c-class").textContent = me.className || ""; $("c-exam").textContent = me.exam; $("c-subject").textContent = me.subject;
      $("c-room").textContent = (me.room || "") + (me.session ? " — " + me.session : "");
      $("c-duration").textContent = me.durationMinutes ? me.durationMinutes + " " + T.minutes : "";
      show("confirm");
      $("confirm-yes").focus();
    }, function () { notice(T.error_network, "error"); setTimeout(begin, 3000); });
  }

  function waitingRoom() {
    show("waiting");
    var opens = new Date(me.opensAt).getTime();
    (function tick() {
      var left = (opens - now()) / 1000;
      if (left <= 0) { $("opens-in").textContent = "0:00"; $("start").disabled = false; $("start").focus(); return; }
      $("opens-in").textContent = K.clock(left);
      setTimeout(tick, 500);
    })();
  }

  function startAttempt() {
    var sentAt = Date.now();
    api("POST", "/api/attempt/start").then(function (result) {
      if (result.status === 401) { signInAgain(); return; }
      if (result.status !== 200) {
        var code = K.code(result);
        if (code === "takenOver") { stop(T.taken_over); return; }
        if (code === "notOpenYet") { waitingRoom(); return; }
        // The exam moves an attempt to another computer only with a proctor's permission: ask, then try again.
        if (code === "moveNeedsProctor") { notice(T.move_needs_proctor, "warning"); setTimeout(startAttempt, 5000); return; }
        // Submitted already, or the time is over: show the result.
        if (code === "alreadySubmitted" || code === "timeUp") { showResult(); return; }
        notice(K.message(result), "error");
        return;
      }
      attempt = result.body;
      learnTime(attempt.serverTime, sentAt);
      save(store.started, true);
      if (attempt.state === "submitted") { showResult(); return; }
      deadline = attempt.deadline ? new Date(attempt.deadline).getTime() : null;
      setPaused(!!attempt.paused, attempt.remainingSeconds);
      var kept = load(store.queue, { sequence: 0, events: [] });
      queue = kept.events || [];
      sequence = Math.max(kept.sequence || 0, attempt.lastSequence || 0);
      flags = load(store.flags, {});
      answers = {};
      for (var key in attempt.responses) answers[key] = attempt.responses[key];
      // Changes this page made but the server has not acknowledged are newer than what it holds.
      queue.forEach(function (event) { answers[event.item] = event.value; });
      items = [];
      attempt.paper.parts.forEach(function (part) { part.items.forEach(function (item) { item.part = part; items.push(item); }); });
      current = Math.min(load(store.current, 0) || 0, items.length - 1);
      renderTest();
      show("test");
      focusQuestion(current);
      $("timer").hidden = false;
      $("submit").hidden = false;
      tickTimer();
      setInterval(tickTimer, 1000);
      setInterval(pollState, 10000);
      flush();
    }, function () { notice(T.error_network, "error"); setTimeout(startAttempt, 3000); });
  }

  // --- the paper -----------------------------------------------------------------------------------
  var isAnswered = K.render.isAnswered;

  function renderTest() {
    var grid = $("nav-grid"), list = $("questions");
    grid.innerHTML = ""; list.innerHTML = "";
    var lastPart = null;
    items.forEach(function (item, index) {
      if (item.part !== lastPart && item.part.title) {
        grid.appendChild(el("div", { "class": "nav-part", text: item.part.title.replace(/\..*$/, "") }));
      }
      lastPart = item.part;
      grid.appendChild(el("button", { type: "button", id: "nav-" + index, "class": "nav", text: String(item.number), "aria-label": T.question + " " + item.number,
        onclick: function () { go(index); } }));
      list.appendChild(renderItem(item, index));
    });
    items.forEach(function (item, index) { refreshNav(index); });
    go(current);
  }

  function renderItem(item, index) {
    var media = (attempt.media || {})[item.key] || {};
    var box = el("article", { "class": "question", id: "q-" + index, "data-key": item.key, "data-kind": item.kind, hidden: true });
    var head = el("div", { "class": "question-head" }, [
      el("h2", { text: T.question + " " + item.number + (item.part.title ? " · " + item.part.title : "") }),
      el("span", { "class": "item-points", text: K.points(item.points) + " " + T.points }),
      el("span", { "class": "item-state", id: "state-" + index }),
    ]);
    box.appendChild(head);
    // The shared renderer draws the question; its answers go through this page's queue.
    box.appendChild(K.render.question(item, media, {
      value: function () { return answers[item.key]; },
      change: function (value) { change(item, value); },
      soon: function (read) { changeSoon(item, read); },
      now: function (read) { changeNow(item, read); },
    }, "take"));
    var flagButton = el("button", { type: "button", "class": "flag", id: "flag-" + index, "aria-pressed": flags[item.key] ? "true" : "false",
      text: flags[item.key] ? T.unflag : T.flag, onclick: function () { toggleFlag(index); } });
    box.appendChild(el("div", { "class": "question-foot" }, [
      el("button", { type: "button", text: T.previous, disabled: index === 0, "data-disabled": index === 0, onclick: function () { go(index - 1); } }),
      flagButton,
      el("button", { type: "button", text: T.next, disabled: index === items.length - 1, "data-disabled": index === items.length - 1, onclick: function () { go(index + 1); } }),
    ]));
    return box;
  }

  function change(item, value) {
    answers[item.key] = value;
    sequence += 1;
    // A newer change to the same item makes older unsent ones pointless only once sent; keep them all (the
    // server's log wants every change) but cap the queue's growth from one text box.
    queue.push({ sequence: sequence, item: item.key, value: value, clientTime: new Date(now()).toISOString() });
    persist();
    refreshNav(items.indexOf(item));
    flush();
  }

  var typing = {};
  function changeSoon(item, read) {
    clearTimeout(typing[item.key]);
    typing[item.key] = setTimeout(function () { change(item, read()); }, 700);
  }
  function changeNow(item, read) { clearTimeout(typing[item.key]); var v = read(); if (JSON.stringify(v) !== JSON.stringify(answers[item.key])) change(item, v); }

  function go(index) {
    if (index < 0 || index >= items.length) return;
    var old = $("q-" + current);
    if (old) old.hidden = true;
    var oldNav = $("nav-" + current);
    if (oldNav) oldNav.classList.remove("current");
    current = index;
    $("q-" + index).hidden = false;
    $("nav-" + index).classList.add("current");
    save(store.current, current);
    // From the navigator the focus stays on the grid; otherwise it goes to the question's first field.
    if (!(document.activeElement && document.activeElement.classList.contains("nav"))) focusQuestion(index);
    window.scrollTo(0, 0);
  }

  function focusQuestion(index) {
    var first = $("q-" + index) && $("q-" + index).querySelector("input, select, textarea, button:not([disabled])");
    if (first) first.focus({ preventScroll: true });
  }

  function toggleFlag(index) {
    var key = items[index].key;
    if (flags[key]) delete flags[key]; else flags[key] = true;
    var button = $("flag-" + index);
    button.textContent = flags[key] ? T.unflag : T.flag;
    button.setAttribute("aria-pressed", flags[key] ? "true" : "false");
    persist();
    refreshNav(index);
  }

  function pendingFor(key) { return queue.some(function (e) { return e.item === key; }); }

  function refreshNav(index) {
    if (index < 0) return;
    var item = items[index], button = $("nav-" + index), state = $("state-" + index);
    if (!button) return;
    var fullness = K.render.completeness(item, answers[item.key]), answered = fullness === "full";
    button.classList.toggle("answered", answered);
    button.classList.toggle("partial", fullness === "partial");
    button.setAttribute("aria-label", T.question + " " + item.number + (answered ? ", " + T.saved : fullness === "partial" ? ", " + T.partly_answered : ""));
    button.classList.toggle("flagged", !!flags[item.key]);
    var pending = pendingFor(item.key);
    button.classList.toggle("pending", pending);
    if (state) {
      state.textContent = pending ? T.saving : (answered ? "✓ " + T.saved : fullness === "partial" ? "◐ " + T.partly_answered : "");
      state.className = "item-state " + (pending ? "pending" : "saved");
    }
  }

  function refreshSaveState() {
    var box = $("save-state");
    if (stopped) return;
    if (queue.length === 0) { box.textContent = "✓ " + T.all_saved; box.className = "save-state saved"; }
    else { box.textContent = queue.length + " " + T.pending_count; box.className = "save-state pending"; }
  }

  // --- sending -------------------------------------------------------------------------------------
  function flush() {
    refreshSaveState();
    if (sending || stopped || queue.length === 0 || !attempt) return;
    sending = true;
    // At most 200 events and about 400 KB a request (the server takes 1 MB; one essay may be 300 KB).
    var batch = [], bytes = 0, sentAt = Date.now();
    for (var i = 0; i < queue.length && batch.length < (oneByOne > 0 ? 1 : 200); i++) {
      var size = utf8Length(JSON.stringify(queue[i]));
      if (batch.length > 0 && bytes + size > 400000) break;
      batch.push(queue[i]);
      bytes += size;
    }
    api("POST", "/api/attempt/events", { deviceToken: attempt.deviceToken, events: batch }).then(function (result) {
      sending = false;
      if (result.status === 200) {
        learnTime(result.body.serverTime, sentAt);
        if (result.body.deadline) updateDeadline(new Date(result.body.deadline).getTime());
        var done = {};
        result.body.acknowledged.forEach(function (s) { done[s] = true; });
        var touched = {};
        queue = queue.filter(function (e) { if (done[e.sequence]) { touched[e.item] = true; return false; } return true; });
        persist();
        items.forEach(function (item, index) { if (touched[item.key]) refreshNav(index); });
        backoff = 0;
        if (oneByOne > 0) oneByOne -= 1;
        // Back online: the connection warning goes; other notices (a refused answer, time) stay.
        if (noticeKind === "warning offline") notice("");
        refreshSaveState();
        if (queue.length) flush();
        return;
      }
      if (result.status === 401) { signInAgain(); return; }
      if (result.status === 409 && K.code(result) === "paused") { setPaused(true, frozenSeconds); retry(); return; }
      if (result.status === 409) { refused(result); return; }
      if (result.status >= 400 && result.status < 500 && result.status !== 408 && result.status !== 429) {
        // The server refuses an event for good (a page bug). A batch is first sent again one event at a time,
        // so only the refused one is dropped and later answers still go.
        if (batch.length > 1) { oneByOne = batch.length; flush(); return; }
        if (oneByOne > 0) oneByOne -= 1;
        queue = queue.filter(function (e) { return batch.indexOf(e) < 0; });
        persist();
        notice(K.message(result), "error");
        items.forEach(function (item, index) { refreshNav(index); });
        refreshSaveState();
        if (queue.length) flush();
        return;
      }
      retry();
    }, function () { sending = false; notice(T.offline, "warning offline"); retry(); });
  }

  function utf8Length(text) {
    return window.TextEncoder ? new TextEncoder().encode(text).length : unescape(encodeURIComponent(text)).length;
  }

  function retry() {
    clearTimeout(retryTimer);
    backoff = Math.min(backoff ? backoff * 2 : 1000, 15000);
    retryTimer = setTimeout(flush, backoff / 2 + Math.random() * backoff / 2);
  }
  window.addEventListener("online", function () { backoff = 0; clearTimeout(retryTimer); flush(); });
  // Leaving with answers not yet on the server: the browser asks first (they stay queued here anyway).
  window.addEventListener("beforeunload", function (event) {
    if (queue.length > 0 && !stopped) { event.preventDefault(); event.returnValue = ""; }
  });

  // 409: taken over by another device, or the time is over (the server submits at the deadline).
  function refused(result) {
    if (K.code(result) === "takenOver") { stop(T.taken_over); return; }
    stop(null);
    showResult();
  }

  // A proctor pauses or resumes: the clock stops and the questions are locked, with the reason on screen.
  function setPaused(value, remaining) {
    if (value) frozenSeconds = remaining;
    if (value === paused) return;
    paused = value;
    document.body.classList.toggle("paused", paused);
    $("questions").querySelectorAll("input, select, textarea, button").forEach(function (n) { n.disabled = paused || n.hasAttribute("data-disabled"); });
    if (paused) notice(T.paused_notice, "warning");
    else { notice(T.resumed_notice, "info"); flush(); }
  }

  function stop(text) {
    stopped = true;
    if (text) {
      notice(text, "error");
      $("questions").querySelectorAll("input, select, textarea, button").forEach(function (n) { n.disabled = true; });
      $("submit").disabled = true;
      localStorage.removeItem(store.started);
    }
  }

  // --- time ----------------------------------------------------------------------------------------
  // `quiet` after a pause: the deadline moved by the paused time, which is not added time.
  function updateDeadline(next, quiet) {
    if (deadline !== null && next > deadline + 1000 && !quiet) notice(T.time_added, "info");
    deadline = next;
  }

  function tickTimer() {
    if (deadline === null || stopped) return;
    var timer = $("timer");
    if (paused) { timer.textContent = T.time_left + " " + K.clock(frozenSeconds) + " — " + T.paused_short; return; }
    var left = (deadline - now()) / 1000;
    timer.textContent = T.time_left + " " + K.clock(left);
    timer.classList.toggle("low", left <= 300);
    if (left <= 300 && left > 0 && !warned) { warned = true; notice(T.time_warning, "warning"); }
    if (left <= 0 && !submitting) { submitting = true; notice(T.time_up, "warning"); finish(); }
  }

  function pollState() {
    if (stopped || !attempt) return;
    var sentAt = Date.now();
    api("GET", "/api/attempt/state?deviceToken=" + encodeURIComponent(attempt.deviceToken)).then(function (result) {
      if (result.status === 401) { signInAgain(); return; }
      if (K.code(result) === "takenOver") { stop(T.taken_over); return; }
      if (result.status !== 200) return;
      learnTime(result.body.serverTime, sentAt);
      if (!result.body.activeHere) { stop(T.taken_over); return; }
      var wasPaused = paused;
      setPaused(!!result.body.paused, result.body.remainingSeconds);
      if (result.body.deadline && !result.body.paused) updateDeadline(new Date(result.body.deadline).getTime(), wasPaused);
      if (result.body.state === "submitted") { stop(null); showResult(); }
    }, function () {});
  }

  // --- submitting ----------------------------------------------------------------------------------
  // "Phần I: câu 2, 4; Phần II: câu 3", each question a link that closes the dialog and opens it.
  function namedList(id, label, chosen) {
    var line = el("p", { id: id }, [el("span", { text: label + " " })]);
    var lastPart = null;
    chosen.forEach(function (index, n) {
      var item = items[index], part = item.part && item.part.title ? item.part.title.replace(/\..*$/, "") : "";
      if (part !== lastPart) {
        if (n > 0) line.appendChild(document.createTextNode("; "));
        if (part) line.appendChild(document.createTextNode(part + ": " + T.question_short + " "));
        lastPart = part;
      } else {
        line.appendChild(document.createTextNode(", "));
      }
      line.appendChild(el("a", { href: "#q-" + index, "class": "goto", text: String(item.number), onclick: function (event) {
        event.preventDefault();
        $("dialog").hidden = true;
        go(index);
      } }));
    });
    return line;
  }

  function askSubmit() {
    var indexes = items.map(function (_, i) { return i; });
    var unanswered = indexes.filter(function (i) { return K.render.completeness(items[i], answers[items[i].key]) === "none"; });
    var partial = indexes.filter(function (i) { return K.render.completeness(items[i], answers[items[i].key]) === "partial"; });
    var flagged = indexes.filter(function (i) { return flags[items[i].key]; });
    var body = $("dialog-body");
    body.innerHTML = "";
    if (unanswered.length) body.appendChild(namedList("dialog-unanswered", T.confirm_submit_unanswered, unanswered));
    if (partial.length) body.appendChild(namedList("dialog-partial", T.confirm_submit_partial, partial));
    if (!unanswered.length && !partial.length) body.appendChild(el("p", { text: T.confirm_submit_all }));
    if (flagged.length) body.appendChild(namedList("dialog-flagged", T.confirm_submit_flagged, flagged));
    $("dialog-title").textContent = T.confirm_submit_title;
    $("dialog-yes").textContent = T.confirm_submit_yes;
    $("dialog-no").textContent = T.confirm_submit_no;
    $("dialog").hidden = false;
    $("dialog-no").focus();
  }

  // Sends what is left, then submits. Waits for the queue: an answer on screen must not be left behind.
  function finish() {
    Object.keys(typing).forEach(function (key) { clearTimeout(typing[key]); });
    // Text being typed when time runs out still counts.
    document.querySelectorAll(".question input[type=text], .question textarea").forEach(function (field) { field.dispatchEvent(new Event("blur")); });
    notice(T.submit_waiting, "info");
    var started = Date.now();
    (function wait() {
      if (queue.length > 0 && Date.now() - started < 20000) { flush(); setTimeout(wait, 300); return; }
      if (queue.length > 0 && deadline !== null && now() < deadline) { submitting = false; notice(T.submit_offline, "error"); return; }
      api("POST", "/api/attempt/submit", { deviceToken: attempt.deviceToken }).then(function (result) {
        if (result.status === 200 || result.status === 409) { stop(null); notice(""); showResult(); return; }
        if (result.status === 401) { signInAgain(); return; }
        if (K.code(result) === "takenOver") { stop(T.taken_over); return; }
        submitting = false;
        notice(K.message(result), "error");
      }, function () { submitting = false; notice(T.submit_offline, "error"); });
    })();
  }

  // --- result --------------------------------------------------------------------------------------
  function showResult() {
    stopped = true;
    $("timer").hidden = true; $("submit").hidden = true;
    if (store) { localStorage.removeItem(store.started); localStorage.removeItem(store.current); }
    show("result");
    api("GET", "/api/attempt/result").then(function (result) {
      var box = $("result-body");
      box.innerHTML = "";
      if (result.status !== 200) { box.appendChild(el("p", { text: K.message(result) })); return; }
      var r = result.body;
      if (r.state !== "submitted") { setTimeout(showResult, 3000); box.appendChild(el("p", { text: T.submit_waiting })); return; }
      if (r.autoSubmitted) box.appendChild(el("p", { text: T.result_auto }));
      if (!r.released) { box.appendChild(el("p", { "class": "big", id: "result-later", text: T.result_later })); return; }
      if (r.review === "none") { box.appendChild(el("p", { id: "review-none", text: T.review_none })); return; }
      box.appendChild(el("p", { "class": "big" }, [T.result_score + ": ", el("strong", { id: "score", text: K.points(r.score) }), " / 10",
        r.pendingEssays ? el("span", { "class": "pill provisional", text: " " + T.result_provisional }) : ""]));
      if (r.pendingEssays) box.appendChild(el("p", { text: T.result_pending }));
      var table = el("table", { "class": "breakdown" }, [el("thead", null, [el("tr", null, [el("th", { text: T.result_item }), el("th", { text: T.result_awarded }), el("th", { text: T.result_max })])])]);
      var tbody = el("tbody");
      (r.items || []).forEach(function (item) {
        var cell = el("td", null, [r.paper ? el("a", { href: "#review-" + item.key, text: K.render.itemName(item.key) }) : K.render.itemName(item.key)]);
        tbody.appendChild(el("tr", null, [cell, el("td", { text: item.awarded === null || item.awarded === undefined ? T.result_waiting_grade : K.points(item.awarded) }),
          el("td", { text: K.points(item.maximum) })]));
      });
      (r.parts || []).forEach(function (part) {
        tbody.appendChild(el("tr", { "class": "part-total" }, [el("td", { text: T.part + " " + part.id }), el("td", { text: K.points(part.awarded) }), el("td", { text: K.points(part.maximum) })]));
      });
      table.appendChild(tbody);
      box.appendChild(table);
      if (r.paper) box.appendChild(K.render.review(r));
    });
    $("logout").focus();
  }

  // --- wiring --------------------------------------------------------------------------------------
  $("confirm-yes").addEventListener("click", function () {
    if (me.opensAt && new Date(me.opensAt).getTime() > now()) waitingRoom(); else startAttempt();
  });
  $("confirm-no").addEventListener("click", logout);
  $("logout").addEventListener("click", logout);
  $("start").addEventListener("click", startAttempt);
  $("submit").addEventListener("click", askSubmit);
  $("dialog-no").addEventListener("click", function () { $("dialog").hidden = true; $("submit").focus(); });
  $("dialog-yes").addEventListener("click", function () { $("dialog").hidden = true; if (!submitting) { submitting = true; finish(); } });
  document.addEventListener("keydown", function (event) {
    if (!$("dialog").hidden && event.key === "Escape") { $("dialog").hidden = true; return; }
    if ($("test").hidden) return;
    // Page Down / Page Up (or Alt+→ / Alt+←) move between questions; Alt+F flags.
    if (event.key === "PageDown" || (event.altKey && event.key === "ArrowRight")) { event.preventDefault(); go(current + 1); }
    else if (event.key === "PageUp" || (event.altKey && event.key === "ArrowLeft")) { event.preventDefault(); go(current - 1); }
    else if (event.altKey && (event.key === "f" || event.key === "F")) { event.preventDefault(); toggleFlag(current); }
  });
  function logout() {
    var next = homework ? "/hoc" : "/";
    api("POST", "/api/logout").then(function () { window.location.href = next; }, function () { window.location.href = next; });
  }

  begin();
})();
