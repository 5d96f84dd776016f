// khaothi: login slips of a prepared exam, one A4 section per room (exam and room in every slip's header, so two
// exams' slips never mix), from the codes the preparation handed to this tab; printed from the browser.
"use strict";
(function () {
  var T = K.T, el = K.el;
  var $ = function (id) { return document.getElementById(id); };

  K.staff.ready(["coordinator", "admin"]).then(function () {
    var exam = K.staff.param("exam") || "";
    var slips = JSON.parse(sessionStorage.getItem("khaothi-slips:" + exam) || "null");
    document.title = T.setup_slips + " — " + exam;
    if (!slips) { $("slips-note").textContent = T.setup_slips_gone; return; }
    var rooms = [];
    slips.forEach(function (slip) { if (rooms.indexOf(slip.room) < 0) rooms.push(slip.room); });
    K.staff.fill($("room-select"), rooms.map(function (room) { return [room, room]; }), T.print_all_codes);
    function draw() {
      var chosen = $("room-select").value;
      var box = $("slips");
      box.innerHTML = "";
      rooms.filter(function (room) { return !chosen || room === chosen; }).forEach(function (room) {
        var sheet = el("section", { "class": "paper slips-room", "data-room": room }, [el("h2", { text: exam + " — " + T.confirm_room + " " + room })]);
        var grid = el("div", { "class": "slip-grid" });
        slips.filter(function (slip) { return slip.room === room; }).forEach(function (slip) {
          grid.appendChild(el("div", { "class": "slip" }, [
            el("p", { "class": "slip-exam", text: exam }),
            el("p", { text: T.confirm_name + ": " + slip.fullName + (slip.className ? " — " + slip.className : "") }),
            el("p", { text: T.setup_birth + ": " + K.staff.dmy(slip.dateOfBirth) }),
            el("p", { text: T.confirm_room + ": " + slip.room + " · " + slip.session + " · " + K.staff.when(slip.opensAt) }),
            el("p", { "class": "slip-login", text: "SBD: " + slip.sbd }),
            el("p", { "class": "slip-login", text: T.login_code + ": " + slip.accessCode }),
          ]));
        });
        sheet.appendChild(grid);
        box.appendChild(sheet);
      });
    }
    $("room-select").addEventListener("change", draw);
    $("print-slips").addEventListener("click", function () { window.print(); });
    draw();
  }, function () {});
})();
