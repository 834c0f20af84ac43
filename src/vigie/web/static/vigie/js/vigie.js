// Small behaviours for Vigie pages. No inline scripts: the Content-Security-Policy forbids them.

// Tables at phone width (ADR 0065). Every table sits in a .table-wrap; one wider than its wrap
// becomes, below 40rem, a list of labelled rows (each cell shows its column's header, from the
// data-label set here); wider screens scroll it inside a focusable, named region instead.
const NARROW = window.matchMedia("(max-width: 40rem)");

function columnLabels(table) {
  const head = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
  if (!head) return null;
  const labels = [];
  for (const th of head.cells) {
    for (let i = 0; i < th.colSpan; i += 1) labels.push(th.textContent.trim());
  }
  return labels;
}

function prepareTable(table) {
  if (table.dataset.vigieTable) return;
  table.dataset.vigieTable = "1";
  let wrap = table.parentElement;
  if (!wrap.matches(".table-wrap, .table-scroll")) {
    wrap = document.createElement("div");
    wrap.className = "table-wrap";
    table.replaceWith(wrap);
    wrap.append(table);
  }
  const labels = columnLabels(table);
  if (!labels) return;
  table.dataset.stackable = "1";
  // Roles kept explicit: a table displayed as blocks loses its table semantics in some browsers.
  table.setAttribute("role", "table");
  for (const group of table.querySelectorAll(":scope > thead, :scope > tbody, :scope > tfoot")) {
    group.setAttribute("role", "rowgroup");
  }
  for (const row of table.rows) {
    row.setAttribute("role", "row");
    let column = 0;
    for (const cell of row.cells) {
      const inHead = row.parentElement.tagName === "THEAD";
      if (inHead) cell.setAttribute("role", "columnheader");
      else if (cell.tagName === "TH") cell.setAttribute("role", "rowheader");
      else cell.setAttribute("role", "cell");
      const label = cell.colSpan >= labels.length ? "" : labels[column];
      if (!inHead && label && !cell.hasAttribute("data-label")) cell.dataset.label = label;
      column += cell.colSpan;
    }
  }
}

function regionName(table) {
  if (table.caption) return table.caption.textContent.trim();
  let name = "";
  for (const heading of document.querySelectorAll("h1, h2, h3")) {
    if (heading.compareDocumentPosition(table) & Node.DOCUMENT_POSITION_FOLLOWING) {
      name = heading.textContent.trim();
    }
  }
  return name;
}

function fitTable(table) {
  const wrap = table.parentElement;
  table.classList.remove("stacked");
  if (NARROW.matches && table.dataset.stackable && table.offsetWidth > wrap.clientWidth + 1) {
    table.classList.add("stacked");
  }
  const scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
  if (scrolls && !wrap.hasAttribute("tabindex")) {
    // keyboard users can scroll it, screen-reader users hear what it holds
    wrap.dataset.vigieRegion = "1";
    wrap.tabIndex = 0;
    wrap.setAttribute("role", "region");
    if (!wrap.hasAttribute("aria-label") && !wrap.hasAttribute("aria-labelledby")) {
      wrap.setAttribute("aria-label", regionName(table));
    }
  } else if (!scrolls && wrap.dataset.vigieRegion) {
    delete wrap.dataset.vigieRegion;
    for (const name of ["tabindex", "role", "aria-label"]) wrap.removeAttribute(name);
  }
}

function fitTables(root) {
  const tables = root.tagName === "TABLE" ? [root] : root.querySelectorAll("main table");
  for (const table of tables) {
    prepareTable(table);
    fitTable(table);
  }
}

document.addEventListener("DOMContentLoaded", () => {
  fitTables(document);
  document.fonts.ready.then(() => fitTables(document));
  NARROW.addEventListener("change", () => fitTables(document));
  let pending = 0;
  window.addEventListener("resize", () => {
    window.clearTimeout(pending);
    pending = window.setTimeout(() => fitTables(document), 100);
  });
  // tables that htmx brings in later (search results, job reports)
  document.body.addEventListener("htmx:load", (event) => {
    if (event.target instanceof Element) fitTables(event.target);
  });
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
