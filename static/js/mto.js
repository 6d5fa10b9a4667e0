// Small behaviours shared by the pages; page-specific scripts live next to their templates.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-print]");
  if (button) { window.print(); }
});
