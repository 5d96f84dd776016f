// khaothi: an admin's staff accounts — add one (a password made up and shown once), disable or enable, a new
// password (the member's sessions end at once). Every change is in the audit log.
"use strict";
(function () {
  var T = K.T, el = K.el, api = K.api;
  var $ = function (id) { return document.getElementById(id); };
  var me = null;

  function showPassword(username, password) {
    $("password").textContent = T.people_password.replace("%1", username).replace("%2", password);
    $("password").hidden = false;
  }

  function load() {
    api("GET", "/api/staff/accounts").then(function (result) {
      if (result.status !== 200) { K.staff.notice(K.message(result), "error"); return; }
      var body = $("accounts");
      body.innerHTML = "";
      result.body.items.forEach(function (account) {
        var actions = el("td");
        if (account.username !== me.username) {
          actions.appendChild(el("button", { type: "button", text: account.disabled ? T.people_enable : T.people_disable,
            "aria-label": (account.disabled ? T.people_enable : T.people_disable) + " " + account.username, onclick: function () {
              api("POST", "/api/staff/accounts/" + encodeURIComponent(account.username) + (account.disabled ? "/enable" : "/disable")).then(function (r) {
                if (r.status !== 204) { K.staff.notice(K.message(r), "error"); return; }
                load();
              });
            } }));
        }
        actions.appendChild(el("button", { type: "button", text: T.people_new_password, "aria-label": T.people_new_password + " " + account.username, onclick: function () {
          api("POST", "/api/staff/accounts/" + encodeURIComponent(account.username) + "/password").then(function (r) {
            if (r.status !== 200) { K.staff.notice(K.message(r), "error"); return; }
            showPassword(r.body.username, r.body.password);
          });
        } }));
        body.appendChild(el("tr", { "data-username": account.username, "class": account.disabled ? "disabled" : "" }, [
          el("td", { text: account.username }), el("td", { text: account.fullName }), el("td", { text: T["role_" + account.role] || account.role }),
          el("td", { text: account.disabled ? T.people_disabled : T.people_active }), actions]));
      });
    });
  }

  $("add-form").addEventListener("submit", function (event) {
    event.preventDefault();
    api("POST", "/api/staff/accounts", { username: $("u-name").value.trim(), fullName: $("u-full").value.trim(), role: $("u-role").value }).then(function (result) {
      if (result.status !== 201) { K.staff.notice(K.message(result), "error"); return; }
      showPassword(result.body.username, result.body.password);
      $("u-name").value = ""; $("u-full").value = "";
      load();
    });
  });

  K.staff.ready(["admin"]).then(function (member) { me = member; load(); }, function () {});
})();
