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
