/* The link chart (vigie.network): draws the API's nodes and links with cytoscape.js
   (vendored), shows a node's links and their source records, expands a node on demand.
   No inline script (the page's CSP): everything comes from the container's data- attributes. */
(function () {
  "use strict";
  var box = document.getElementById("network-chart");
  if (!box || typeof window.cytoscape !== "function") { return; }
  var panel = document.getElementById("network-panel");
  var statusLine = document.getElementById("network-status");
  var form = document.getElementById("chart-filters");
  var d = box.dataset;
  var COLOURS = {
    person: "#1f5f8b", organisation: "#6b4c9a", group: "#b03a2e", phone: "#2e7d32",
    account: "#a16207", vehicle: "#37474f", document: "#00838f", address: "#6d4c41",
    place: "#558b2f", "case": "#455a64", incident: "#ef6c00", evidence: "#5d4037",
    listed: "#c62828"
  };

  // numbers read left to right even in Arabic; names take their own direction (isolates)
  var LTR = { phone: 1, account: 1, vehicle: 1, document: 1 };
  function isolated(kind, text) {
    return (LTR[kind] ? "\u2066" : "\u2068") + text + "\u2069";
  }
  function bdi(kind, text) {
    var b = document.createElement("bdi");
    if (LTR[kind]) { b.setAttribute("dir", "ltr"); }
    b.textContent = text;
    return b;
  }

  var cy = window.cytoscape({
    container: box,
    wheelSensitivity: 0.3,
    style: [
      { selector: "node", style: {
        "label": "data(label)", "font-size": 10, "text-wrap": "ellipsis", "text-max-width": 120,
        "background-color": function (n) { return COLOURS[n.data("kind")] || "#777"; },
        "width": 18, "height": 18, "text-valign": "bottom", "text-margin-y": 3 } },
      { selector: "node[?withheld]", style: { "border-width": 2, "border-style": "dashed", "border-color": "#333" } },
      { selector: "node:selected", style: { "border-width": 4, "border-color": "#f9a825" } },
      { selector: "edge", style: { "width": 1.5, "line-color": "#9aa5ae", "curve-style": "bezier",
        "label": "data(kind)", "font-size": 7, "color": "#555", "text-rotation": "autorotate" } }
    ]
  });

  function params(center, depth) {
    var p = new URLSearchParams();
    p.set("node", center);
    p.set("depth", depth);
    if (form) {
      var data = new FormData(form);
      var kinds = data.getAll("kinds");
      var all = form.querySelectorAll("input[name=kinds]").length;
      if (kinds.length && kinds.length < all) { p.set("kinds", kinds.join(",")); }
      ["since", "until", "org"].forEach(function (k) { if (data.get(k)) { p.set(k, data.get(k)); } });
    }
    return p;
  }

  function say(text) { if (statusLine) { statusLine.textContent = text || ""; } }

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); });
  }

  function add(data) {
    var els = [];
    data.nodes.forEach(function (n) {
      if (cy.getElementById(String(n.id)).empty()) {
        els.push({ group: "nodes", data: { id: String(n.id), label: isolated(n.kind, n.label), kind: n.kind, withheld: n.withheld } });
      }
    });
    data.edges.forEach(function (e) {
      if (cy.getElementById("e" + e.id).empty()) {
        els.push({ group: "edges", data: { id: "e" + e.id, source: String(e.source), target: String(e.target), kind: e.label || e.kind } });
      }
    });
    cy.add(els);
    var big = cy.nodes().length > 400;
    cy.layout({ name: big ? "concentric" : "cose", animate: false, randomize: false, fit: true }).run();
    say(data.truncated ? d.tTruncated : "");
    return els.length;
  }

  function load(center, depth, clear) {
    return getJSON(d.graphUrl + "?" + params(center, depth).toString()).then(function (data) {
      if (clear) { cy.elements().remove(); }
      add(data);
      var node = cy.getElementById(String(center));
      if (node.nonempty()) { node.select(); }
    }).catch(function () { say(d.tError); });
  }

  function el(tag, text, attrs) {
    var x = document.createElement(tag);
    if (text) { x.textContent = text; }
    Object.keys(attrs || {}).forEach(function (k) { x.setAttribute(k, attrs[k]); });
    return x;
  }

  function show(id) {
    getJSON(d.nodeUrl.replace(/0\/$/, id + "/")).then(function (info) {
      panel.replaceChildren();
      var h = el("h2");
      h.appendChild(bdi(info.node.kind, info.node.label));
      if (info.node.withheld) { h.appendChild(el("small", " (" + d.tWithheld + ")")); }
      panel.appendChild(h);
      var expand = el("button", d.tExpand, { type: "button", "data-testid": "expand" });
      expand.addEventListener("click", function () { load(id, 1, false); });
      panel.appendChild(expand);
      panel.appendChild(el("h3", d.tLinks));
      var ul = el("ul", "", { "data-testid": "links" });
      info.links.forEach(function (link) {
        var li = el("li");
        li.appendChild(el("span", (link.label || link.kind) + " : "));
        li.appendChild(bdi(link.other.kind, link.other.label));
        li.appendChild(el("span", " "));
        var meta = [link.date, link.organisation, link.recorded_by ? d.tRecorded + " " + link.recorded_by : ""]
          .filter(Boolean).join(" · ");
        li.appendChild(el("small", meta + " "));
        if (link.record_url) {
          li.appendChild(el("a", d.tOpen, { href: link.record_url }));
        }
        ul.appendChild(li);
      });
      panel.appendChild(ul);
      if (info.watchlist_matches.length) {
        panel.appendChild(el("h3", d.tMatches));
        var ml = el("ul");
        info.watchlist_matches.forEach(function (m) {
          ml.appendChild(el("li", m.caption + " — " + m.watchlist + " " + m.reference + " (" + m.score + ")"));
        });
        panel.appendChild(ml);
      }
    }).catch(function () { say(d.tError); });
  }

  cy.on("tap", "node", function (evt) { show(evt.target.id()); });
  if (form) {
    form.addEventListener("submit", function (evt) {
      evt.preventDefault();
      load(d.node, form.querySelector("[name=depth]").value, true);
    });
  }
  // for keyboard users and tests: the panel opens on the starting node
  load(d.node, 2, true).then(function () { show(d.node); });
  window.vigieNetworkChart = cy;
})();
