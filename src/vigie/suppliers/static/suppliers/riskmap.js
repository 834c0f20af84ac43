/* Supplier risk by country on the shared world map (vigie/js/worldmap.js). The figures are
   in the page (#risk-data, JSON: [{id: ISO numeric, risk: 0-100, n: suppliers, name}]). */
(function () {
  "use strict";
  function colour(risk) {
    if (risk >= 60) return "#a4161a";
    if (risk >= 30) return "#e5383b";
    if (risk > 0) return "#f4a261";
    return "#cfe1b9";
  }
  function start() {
    var figure = document.querySelector("[data-risk-map]");
    var data = document.getElementById("risk-data");
    if (!figure || !data || !window.VigieWorldMap || !window.topojson) return;
    var rows = JSON.parse(data.textContent), byId = {};
    rows.forEach(function (r) { byId[String(r.id).padStart(3, "0")] = r; });
    fetch(figure.getAttribute("data-world")).then(function (r) { return r.json(); }).then(function (world) {
      var W = window.VigieWorldMap, width = 720, height = 360;
      var svg = W.el("svg", { viewBox: "0 0 " + width + " " + height, width: "100%", role: "img",
        "aria-label": figure.getAttribute("data-label") });
      W.draw(svg, W.features(world), width, height, function (f) {
        var r = byId[String(f.id).padStart(3, "0")];
        return r ? { fill: colour(r.risk), "data-risk": r.risk } : {};
      });
      Array.prototype.forEach.call(svg.querySelectorAll("path[data-risk]"), function (p) {
        var r = byId[String(p.getAttribute("data-id")).padStart(3, "0")];
        var t = W.el("title", {}, p);
        t.textContent = r.name + ": " + r.risk + " (" + r.n + ")";
      });
      figure.querySelector(".chart-body").appendChild(svg);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
