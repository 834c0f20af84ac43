// Small behaviours for Vigie pages. No inline scripts: the Content-Security-Policy forbids them.
document.addEventListener("DOMContentLoaded", () => {
  // Close the user menu with Escape, for keyboard users.
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      document.querySelectorAll("details.usermenu[open]").forEach((d) => d.removeAttribute("open"));
    }
  });
  // Buttons that ask for confirmation before submitting a destructive form.
  document.querySelectorAll("[data-confirm]").forEach((el) => {
    el.addEventListener("click", (event) => {
      if (!window.confirm(el.getAttribute("data-confirm"))) event.preventDefault();
    });
  });
});
