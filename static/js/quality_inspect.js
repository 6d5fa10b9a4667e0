// Marks a measurement out of tolerance as it is typed (the service decides again on save). Each field is also
// marked once when the script runs: a value typed before it loaded, or restored by the browser, shows its state.
document.querySelectorAll(".js-measure").forEach((input) => {
  const lower = parseFloat(input.dataset.lower), upper = parseFloat(input.dataset.upper);
  const state = document.getElementById(input.getAttribute("aria-describedby").split(" ")[1]);
  const mark = () => {
    const value = parseFloat(input.value.replace(",", "."));
    const known = input.value.trim() !== "" && !Number.isNaN(value);
    const out = known && (value < lower || value > upper);
    input.classList.toggle("is-invalid", out);
    input.classList.toggle("is-valid", known && !out);
    state.textContent = !known ? "" : out ? "Out of tolerance" : "In tolerance";
    state.className = "fs-5 mt-1 " + (out ? "text-danger fw-bold" : "text-success");
  };
  input.addEventListener("input", mark);
  if (input.value.trim() !== "") mark();
});
