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
