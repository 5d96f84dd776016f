// khaothi: the staff's front page — sign in, then what this role can do (and back to the page that sent
// them here, if one did).
"use strict";
(function () {
  var T = K.T, api = K.api;
  var $ = function (id) { return document.getElementById(id); };

  function next() {
    var target = K.staff.param("next");
    // Only a page of this site.
    return target && target.charAt(0) === "/" && target.charAt(1) !== "/" ? target : null;
  }

  function home(member) {
    if (next()) { window.location.href = next(); return; }
    $("staff-login").hidden = true;
    document.querySelectorAll("#staff-home .card").forEach(function (card) {
      card.hidden = card.getAttribute("data-roles").split(" ").indexOf(member.role) < 0;
    });
    $("home-role").textContent = T["home_role_" + member.role] || "";
    $("staff-home").hidden = false;
    if (member.role === "admin") system();
  }

  // The admin's view of the server: is it well, how big is the database, what has the answer writer done.
  function system() {
    api("GET", "/api/staff/system").then(function (result) {
      if (result.status !== 200) return;
      var s = result.body, facts = $("system-facts");
      var number = function (n) { return Number(n).toLocaleString(document.documentElement.lang === "vi" ? "vi-VN" : "en-GB"); };
      var size = function (bytes) {
        return bytes >= 1048576 ? number(Math.round(bytes / 104857.6) / 10) + " MB" : number(Math.round(bytes / 1024)) + " KB";
      };
      var rows = [
        [T.sys_status, T["sys_status_" + s.status] || s.status],
        [T.sys_engine, s.engine === "sqlite" ? "SQLite" : s.engine === "postgresql" ? "PostgreSQL" : s.engine],
        [T.sys_started, K.staff.date(s.startedAt)],
        [T.sys_database, size(s.databaseBytes)],
      ].concat(s.engine === "sqlite" ? [[T.sys_wal, size(s.walBytes)]] : []).concat([
        [T.sys_memory, size(s.residentBytes)],
        [T.sys_in_memory, number(s.examsInMemory) + " / " + number(s.candidatesInMemory)],
        [T.sys_saved, number(s.writerJobs)],
        [T.sys_commits, number(s.writerCommits) + (s.writerCommits ? " (" + (s.writerJobs / s.writerCommits).toFixed(1) + " " + T.sys_per_commit + ")" : "")],
      ]);
      facts.textContent = "";
      rows.forEach(function (row) {
        var div = document.createElement("div"), dt = document.createElement("dt"), dd = document.createElement("dd");
        dt.textContent = row[0]; dd.textContent = row[1];
        div.appendChild(dt); div.appendChild(dd); facts.appendChild(div);
      });
      $("system").hidden = false;
    });
  }

  K.staff.ready().then(home, function () {
    $("staff-login").hidden = false;
    $("username").focus();
  });

  $("staff-login").addEventListener("submit", function (event) {
    event.preventDefault();
    $("staff-error").hidden = true;
    api("POST", "/api/staff/login", { username: $("username").value.trim(), password: $("password").value }).then(function (result) {
      if (result.status === 200) { $("password").value = ""; K.staff.ready().then(home); return; }
      $("staff-error").textContent = K.message(result);
      $("staff-error").hidden = false;
    }, function () { $("staff-error").textContent = T.error_network; $("staff-error").hidden = false; });
  });
})();
