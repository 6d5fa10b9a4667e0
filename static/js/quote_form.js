// The quote edit page: remove a line or a row without a reload, keep the line numbers, re-price after it.
(function () {
  const form = document.getElementById("quote-form");
  if (!form) { return; }
  function renumber() {
    form.querySelectorAll("[data-line]").forEach((line, i) => {
      line.querySelectorAll("[data-line-no]").forEach((el) => { el.textContent = String(i + 1); });
    });
  }
  form.addEventListener("click", (event) => {
    const button = event.target.closest("[data-remove]");
    if (!button) { return; }
    const what = button.getAttribute("data-remove") === "line" ? "[data-line]" : "[data-row]";
    const block = button.closest(what);
    if (!block) { return; }
    if (what === "[data-line]" && form.querySelectorAll("[data-line]").length === 1) {
      return; // a quote keeps at least one line
    }
    block.remove();
    renumber();
    htmx.trigger(document.body, "quote-changed");
  });
  document.body.addEventListener("htmx:afterSettle", renumber);
  renumber();
})();
