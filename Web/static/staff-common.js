// khaothi: what every staff page shares — who is signed in (else to the sign-in page and back), the
// navigation each role sees, notices, small helpers for forms, downloads and jobs with progress.
"use strict";
(function () {
  var T = K.T, el = K.el, api = K.api;
  var $ = function (id) { return document.getElementById(id); };

  function notice(text, kind) {
    var n = $("notice");
    if (!n) return;
    n.textContent = text || "";
    n.className = "notice " + (kind || "");
    n.hidden = !text;
  }

  function show(member) {
    $("staff-who").textContent = member.fullName + " (" + (T["role_" + member.role] || member.role) + ")";
    $("staff-logout").hidden = false;
    var nav = $("staff-nav");
    nav.querySelectorAll("a[data-roles]").forEach(function (link) {
      link.hidden = link.getAttribute("data-roles").split(" ").indexOf(member.role) < 0;
      if (link.getAttribute("href") === window.location.pathname) link.setAttribute("aria-current", "page");
    });
    nav.hidden = false;
  }

  // Resolves with the signed-in member when their role is one of `roles`; otherwise sends them to sign in
  // (and back here after), or says the page is not for their role.
  function ready(roles) {
    return api("GET", "/api/staff/me").then(function (result) {
      if (result.status !== 200) {
        if (window.location.pathname !== "/staff") window.location.href = "/staff?next=" + encodeURIComponent(window.location.pathname + window.location.search);
        return Promise.reject(null);
      }
      show(result.body);
      if (roles && roles.indexOf(result.body.role) < 0) {
        notice(T.staff_not_for_role, "error");
        return Promise.reject(null);
      }
      return result.body;
    }, function () { notice(T.error_network, "error"); return Promise.reject(null); });
  }

  if ($("staff-logout")) $("staff-logout").addEventListener("click", function () {
    api("POST", "/api/staff/logout").then(function () { window.location.href = "/staff"; });
  });

  // A query parameter of this page.
  function param(name) { return new URLSearchParams(window.location.search).get(name); }

  // An error's message with every problem under it ("file:line: what is wrong").
  function problems(result) {
    var list = (result && result.body && result.body.error && result.body.error.problems) || [];
    return [K.message(result)].concat(list);
  }

  // Polls a job until it finishes, reporting progress; resolves with its result, rejects with its error.
  function job(id, progress) {
    return new Promise(function (resolve, reject) {
      (function poll() {
        api("GET", "/api/staff/jobs/" + encodeURIComponent(id)).then(function (result) {
          if (result.status !== 200) { reject(result); return; }
          var state = result.body.state;
          if (progress) progress(state.done, state.total);
          if (!state.finished) { setTimeout(poll, 300); return; }
          if (state.failed) reject({ status: 422, body: { error: result.body.error } }); else resolve(result.body.result);
        }, function () { setTimeout(poll, 1000); });
      })();
    });
  }

  // <select> options from [value, label] pairs, keeping the current choice when it is still there.
  function fill(select, pairs, first) {
    var current = select.value;
    select.innerHTML = "";
    if (first !== undefined) select.appendChild(el("option", { value: "", text: first }));
    pairs.forEach(function (pair) { select.appendChild(el("option", { value: pair[0], text: pair[1] })); });
    if (pairs.some(function (pair) { return pair[0] === current; })) select.value = current;
  }

  function levelName(level) { return T["level_" + String(level).replace(/-/g, "_")] || level; }
  function kindName(kind) { return T["kind_" + String(kind).replace(/-/g, "_")] || kind; }
  function date(text) { var d = new Date(text); return isNaN(d) ? "" : d.toLocaleString(document.documentElement.lang === "vi" ? "vi-VN" : "en-GB"); }
  // Dates as Vietnamese schools write them: 28/02/2009, and 07:30 01/12/2026 for a time.
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function dmy(text) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text || "");
    return m ? m[3] + "/" + m[2] + "/" + m[1] : (text || "");
  }
  function when(text) {
    var d = new Date(text);
    return isNaN(d) ? "" : pad(d.getHours()) + ":" + pad(d.getMinutes()) + " " + pad(d.getDate()) + "/" + pad(d.getMonth() + 1) + "/" + d.getFullYear();
  }
  function bankPath(name) { return "/api/staff/banks/" + encodeURIComponent(name); }

  K.staff = { ready: ready, notice: notice, param: param, problems: problems, job: job, fill: fill, levelName: levelName, kindName: kindName,
    date: date, dmy: dmy, when: when, bankPath: bankPath, levels: ["nhan-biet", "thong-hieu", "van-dung", "van-dung-cao"],
    unclassifiedTopic: "Chưa phân loại",
    kinds: ["single-choice", "multiple-response", "true-false", "numeric", "short-text", "matching", "ordering", "cloze", "essay"] };
})();
