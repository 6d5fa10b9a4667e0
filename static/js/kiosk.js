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
        // Offline the sign-off could not reach the server (and the tablet would show the browser's error page):
        // wait for the network; the taps kept meanwhile are done as their operator whoever is signed in then.
        if (!navigator.onLine) { arm(); return; }
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
