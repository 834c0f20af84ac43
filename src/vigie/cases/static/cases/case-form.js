// Case form: move focus to the error summary after a failed submit, so keyboard and screen
// reader users hear what went wrong. No inline script (Content-Security-Policy).
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.getElementById("form-errors");
  if (summary) summary.focus();
});
