// Small behaviours shared by the pages; page-specific scripts live next to their templates.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-print]");
  if (button) { window.print(); }
});

// Floor piece report: the scrap reason is required as soon as scrap is above 0 (the server says so too).
document.addEventListener("input", (event) => {
  const scrap = event.target.closest("[data-scrap-count]");
  const form = scrap && scrap.form;
  const reason = form && form.querySelector("[data-scrap-reason]");
  if (!reason) { return; }
  const needed = Number(scrap.value) > 0;
  reason.required = needed;
  reason.setAttribute("aria-required", String(needed));
  const mark = form.querySelector("[data-scrap-required]");
  if (mark) { mark.hidden = !needed; }
});

// Floor board: a USB scanner types a traveler's QR as keys; whatever has the focus, they go to the scan field.
document.addEventListener("keydown", (event) => {
  const field = document.querySelector("[data-scan-field]");
  if (!field || event.ctrlKey || event.metaKey || event.altKey || event.key.length !== 1) { return; }
  if (event.target.closest && event.target.closest("input, textarea, select, [contenteditable]")) { return; }
  field.focus();  // the key itself lands in the field: the scan's first character is not lost
});

// Floor job screen opened from the board's "Finish op N…": its finish question is open (two taps in all).
document.addEventListener("DOMContentLoaded", () => {
  const wanted = /^#op\d+-finish$/.test(window.location.hash) && document.querySelector(window.location.hash);
  if (wanted && wanted.classList.contains("collapse") && window.bootstrap) {
    window.bootstrap.Collapse.getOrCreateInstance(wanted).show();
    wanted.closest("section").scrollIntoView({ block: "center" });
  } else if (/^#op\d+-finish$/.test(window.location.hash)) {
    const pk = window.location.hash.match(/\d+/)[0];
    const card = document.getElementById(`op-${pk}`);
    if (card) { card.scrollIntoView({ block: "center" }); }
  }
});
