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

  function refresh() {
    let sum = 0;
    let number = 0;
    lines.querySelectorAll("[data-line]").forEach((line) => {
      const removed = line.querySelector("input[name$='-DELETE']")?.checked;
      line.classList.toggle("opacity-50", !!removed);
      const item = line.querySelector("select[name$='-item']");
      const custom = !item || !item.value;
      line.querySelector("[data-custom]").hidden = !custom;
      const qty = parseFloat(line.querySelector("input[name$='-quantity']").value) || 0;
      const priceInput = line.querySelector("input[name$='-unit_price']");
      const price = priceInput.value !== "" ? parseFloat(priceInput.value) || 0 : parseFloat(prices[item?.value] || 0);
      priceInput.placeholder = !custom && prices[item.value] ? prices[item.value] : "";
      const amount = qty * price;
      line.querySelector("[data-line-amount]").textContent = money(amount);
      if (!removed) {
        number += 1;
        sum += amount;
        line.querySelector("[data-line-no]").textContent = number;
      } else {
        line.querySelector("[data-line-no]").textContent = "(removed)";
      }
    });
    document.getElementById("order-total").textContent = money(sum);
  }

  document.getElementById("add-line").addEventListener("click", () => {
    const index = parseInt(total.value, 10);
    const html = template.innerHTML.replace(/__prefix__/g, String(index));
    lines.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    refresh();
    lines.lastElementChild.querySelector("select, input:not([type=hidden])")?.focus();
  });
  form.addEventListener("input", refresh);
  form.addEventListener("change", refresh);
  refresh();
})();
