// Kiosk tablets: back to the badge screen after a few idle minutes (the server forgets the operator too).
(function () {
  "use strict";
  var seconds = parseFloat(document.body.dataset.kioskIdleSeconds || "0");
  var form = document.getElementById("kiosk-sign-off");
  if (seconds > 0 && form) {
    var timer;
    var arm = function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        form.elements.idle.value = "1";
        form.submit();
      }, seconds * 1000);
    };
    ["pointerdown", "keydown", "touchstart", "input"].forEach(function (name) {
      document.addEventListener(name, arm, { passive: true });
    });
    arm();
  }
  // The badge field keeps the focus, so a USB scanner's keystrokes always land in it.
  var badge = document.getElementById("kiosk-badge");
  if (badge) {
    document.addEventListener("click", function (event) {
      if (!event.target.closest("a, button, input, select, textarea")) badge.focus();
    });
  }
})();
