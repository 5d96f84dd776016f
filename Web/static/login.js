"use strict";
(function () {
  var form = document.getElementById("login");
  if (!form) return;
  var error = document.getElementById("error");
  var code = document.getElementById("code");
  if (/[?&]ended=1/.test(window.location.search)) { error.textContent = K.T.session_ended; error.hidden = false; }
  code.addEventListener("input", function () { code.value = code.value.toUpperCase().replace(/\s+/g, ""); });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    error.hidden = true;
    var fields = [["exam", K.T.login_need_exam], ["sbd", K.T.login_need_sbd], ["code", K.T.login_need_code]];
    fields.forEach(function (f) { document.getElementById(f[0]).removeAttribute("aria-invalid"); });
    // An empty form, or an empty field, says which: before anything is sent.
    var missing = fields.filter(function (f) { return document.getElementById(f[0]).value.trim() === ""; });
    if (missing.length) {
      error.textContent = missing.length === fields.length ? K.T.login_empty : missing.map(function (f) { return f[1]; }).join(" ");
      missing.forEach(function (f) { document.getElementById(f[0]).setAttribute("aria-invalid", "true"); });
      error.hidden = false;
      document.getElementById(missing[0][0]).focus();
      return;
    }
    var body = { exam: document.getElementById("exam").value, sbd: document.getElementById("sbd").value.trim(), accessCode: code.value.trim() };
    K.api("POST", "/api/login", body).then(function (result) {
      if (result.status === 200) { window.location.href = "/thi"; return; }
      error.textContent = result.status === 401 ? K.T.login_wrong : K.message(result);
      error.hidden = false;
    }, function () { error.textContent = K.T.error_network; error.hidden = false; });
  });
})();
