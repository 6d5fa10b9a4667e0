// Sales order form: add and remove lines without a reload, show custom-part fields only for custom
// lines, and keep line amounts and the order total live. The server recomputes everything on save.
(function () {
  const form = document.getElementById("order-form");
  if (!form) return;
  const lines = document.getElementById("lines");
  const template = document.getElementById("empty-line");
  const total = document.getElementById("id_lines-TOTAL_FORMS");
  const prices = JSON.parse(document.getElementById("item-prices").textContent || "{}");
  const money = (n) => n.toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  // Money in cents, so 3 x 0.10 shows 0.30 and the total matches the server's decimal sum.
  const cents = (text) => Math.round((parseFloat(text) || 0) * 100);

  function refresh() {
    let sum = 0;
    let number = 0;
    lines.querySelectorAll("[data-line]").forEach((line) => {
      const removed = !!line.querySelector("input[name$='-DELETE']")?.checked;
      line.classList.toggle("opacity-50", removed);
      line.querySelector("[data-line-body]").hidden = removed;
      line.querySelector("[data-remove-label]").textContent = removed ? "Undo remove" : "Remove line";
      const item = line.querySelector("select[name$='-item']");
      const custom = !item || !item.value;
      line.querySelector("[data-custom]").hidden = !custom;
      const qty = Math.max(0, Math.trunc(parseFloat(line.querySelector("input[name$='-quantity']").value) || 0));
      const priceInput = line.querySelector("input[name$='-unit_price']");
      const catalogue = custom ? undefined : prices[item.value];
      priceInput.placeholder = catalogue ?? "";
      const amount = qty * cents(priceInput.value !== "" ? priceInput.value : catalogue);
      line.querySelector("[data-line-amount]").textContent = money(amount / 100);
      if (removed) {
        line.querySelectorAll("[data-line-no]").forEach((el) => (el.textContent = "(removed)"));
      } else {
        number += 1;
        sum += amount;
        line.querySelectorAll("[data-line-no]").forEach((el) => (el.textContent = number));
      }
    });
    document.getElementById("order-total").textContent = money(sum / 100);
  }

  document.getElementById("add-line").addEventListener("click", () => {
    const index = parseInt(total.value, 10);
    const html = template.innerHTML.replace(/__prefix__/g, String(index));
    lines.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    refresh();
    lines.lastElementChild.querySelector("select, input:not([type=hidden]):not(.btn-check)")?.focus();
  });
  form.addEventListener("input", refresh);
  form.addEventListener("change", refresh);
  refresh();
})();
