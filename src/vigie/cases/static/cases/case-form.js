// Case form. No inline script (Content-Security-Policy).
// - After a failed submit, focus goes to the error summary (keyboard and screen reader users
//   hear what went wrong); after "Add another" without JavaScript, to the new row.
// - "Add another" buttons add a row in the page (from a <template>), without a round trip.
//   Without JavaScript the same buttons submit and the server adds the row: the form works
//   either way.
// - An incident's count grid shows its total as the numbers are typed (the server shows the
//   same total when the page is sent back).
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("case-form");
  const summary = document.getElementById("form-errors");
  if (summary) summary.focus();
  else if (form && form.dataset.focus) focusRow(document.getElementById(form.dataset.focus));
  if (!form) return;

  function focusRow(row) {
    if (!row) return;
    const first = row.querySelector("input:not([type=hidden]), select, textarea");
    (first || row).focus();
    row.scrollIntoView({ block: "nearest" });
  }

  form.addEventListener("input", (event) => {
    const grid = event.target.closest && event.target.closest("[data-count-grid]");
    if (!grid) return;
    let total = 0;
    grid.querySelectorAll("input[type=number]").forEach((input) => {
      const value = input.value.trim();
      if (/^[0-9]+$/.test(value)) total += parseInt(value, 10);
    });
    const output = grid.querySelector("[data-count-total]");
    if (output) output.textContent = String(total);
  });

  form.querySelectorAll("[data-add-row]").forEach((button) => {
    button.addEventListener("click", (event) => {
      const kind = button.dataset.addRow;
      const total = form.querySelector(`input[name="${kind}-TOTAL_FORMS"]`);
      const max = form.querySelector(`input[name="${kind}-MAX_NUM_FORMS"]`);
      const template = document.getElementById(`${kind}-empty`);
      const rows = document.getElementById(`${kind}-rows`);
      if (!total || !template || !rows) return;  // let the server add the row
      const index = parseInt(total.value, 10);
      if (max && index >= parseInt(max.value, 10)) return;
      event.preventDefault();
      const html = template.innerHTML
        .replace(/__prefix__/g, String(index))
        .replace(/__num__/g, String(index + 1));
      rows.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      focusRow(document.getElementById(`${kind}-${index}`));
    });
  });
});
