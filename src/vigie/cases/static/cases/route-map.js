/* Case page: the route on a world map. Numbered points (the leg's coordinates when recorded,
   else the centre of its country) joined by arrows in route order. The ordered list beside the
   map says the same in text. Offline: world map and topojson-client are served by Vigie;
   drawing is shared with the statistics dashboard (vigie/js/worldmap.js). */
(function () {
  "use strict";
  var WIDTH = 720, HEIGHT = 360;

  function init() {
    var fig = document.getElementById("route-map");
    var data = document.getElementById("route-points");
    if (!fig || !data || !window.VigieWorldMap || !window.topojson) return;
    var legs = JSON.parse(data.textContent);
    fetch(fig.dataset.world).then(function (r) { return r.json(); }).then(function (world) {
      draw(fig, world, legs);
    }).catch(function () { fig.setAttribute("data-ready", "error"); });
  }

  function draw(fig, world, legs) {
    var W = window.VigieWorldMap, el = W.el;
    var feats = W.features(world), centre = W.centres(feats);
    var points = [];
    legs.forEach(function (leg) {
      var ll = leg.lat !== null && leg.lon !== null ? [leg.lon, leg.lat] : centre[leg.numeric];
      if (ll) points.push({ n: leg.n, label: leg.label, xy: W.project(ll, WIDTH, HEIGHT), country: leg.numeric });
    });
    if (!points.length) { fig.setAttribute("data-ready", "empty"); return; }
    /* frame the route: its bounding box with a margin, at least 50 degrees wide, 2:1 */
    var xs = points.map(function (p) { return p.xy[0]; }), ys = points.map(function (p) { return p.xy[1]; });
    var minX = Math.min.apply(null, xs), maxX = Math.max.apply(null, xs);
    var minY = Math.min.apply(null, ys), maxY = Math.max.apply(null, ys);
    var w = Math.max(maxX - minX, 2 * (maxY - minY), 60) * 1.4, h = w / 2;
    w = Math.min(w, WIDTH); h = Math.min(h, HEIGHT);
    var x0 = Math.min(Math.max((minX + maxX) / 2 - w / 2, 0), WIDTH - w);
    var y0 = Math.min(Math.max((minY + maxY) / 2 - h / 2, 0), HEIGHT - h);
    /* marks keep their size on screen (in CSS pixels) whatever the zoom and the screen */
    var body = fig.querySelector(".route-map-body");
    var k = w / Math.max(body.clientWidth || 600, 200);
    var svg = el("svg", { xmlns: W.NS, viewBox: [x0, y0, w, h].map(function (v) { return v.toFixed(1); }).join(" "),
      width: "100%", role: "img", "aria-labelledby": "route-map-title", "aria-describedby": "route-legs",
      direction: "ltr", "font-family": "Noto Sans, DejaVu Sans, sans-serif", "class": "route-svg" });
    el("title", { id: "route-map-title" }, svg).textContent = fig.dataset.title;
    el("rect", { x: 0, y: 0, width: WIDTH, height: HEIGHT, fill: "#f4f8fb" }, svg);
    var onRoute = {};
    points.forEach(function (p) { onRoute[p.country] = true; });
    W.draw(svg, feats, WIDTH, HEIGHT, function (f) {
      return onRoute[f.id] ? { fill: "#c9dde8", stroke: "#fff", "stroke-width": k } : { "stroke-width": 0.7 * k };
    });
    var defs = el("defs", {}, svg);
    var marker = el("marker", { id: "route-arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 5,
      markerHeight: 5, orient: "auto-start-reverse" }, defs);
    el("path", { d: "M0,0 L10,5 L0,10 Z", fill: "#c8553d" }, marker);
    var r = 11 * k;
    /* the same place twice in a row: spread the points a little so both numbers show */
    points.forEach(function (p, i) {
      var same = points.slice(0, i).filter(function (q) { return q.xy[0] === p.xy[0] && q.xy[1] === p.xy[1]; }).length;
      if (same) p.xy = [p.xy[0], p.xy[1] + same * 2.2 * r];
    });
    /* legs are arcs bending to the same side of the direction of travel, so that a way
       back (B -> A after A -> B) is a separate arc; they start and stop at the circles */
    function towards(p, q, d) {  /* the point at distance d from p towards q */
      var ex = q[0] - p[0], ey = q[1] - p[1], l = Math.sqrt(ex * ex + ey * ey) || 1;
      return [p[0] + ex / l * d, p[1] + ey / l * d];
    }
    for (var i = 1; i < points.length; i++) {
      var a = points[i - 1].xy, b = points[i].xy, dx = b[0] - a[0], dy = b[1] - a[1];
      var len = Math.sqrt(dx * dx + dy * dy);
      if (len < 2 * r + 1) continue;
      var ux = dx / len, uy = dy / len, bend = Math.min(0.25 * len, 40 * k);
      var c = [(a[0] + b[0]) / 2 - uy * bend, (a[1] + b[1]) / 2 + ux * bend];
      var start = towards(a, c, r), end = towards(b, c, r + 1.5 * k);
      el("path", { d: "M" + start[0].toFixed(2) + "," + start[1].toFixed(2) + " Q" + c[0].toFixed(2) + "," +
        c[1].toFixed(2) + " " + end[0].toFixed(2) + "," + end[1].toFixed(2), fill: "none",
        stroke: "#c8553d", "stroke-width": (2.5 * k).toFixed(2), "marker-end": "url(#route-arrow)",
        "class": "route-arrow" }, svg);
    }
    points.forEach(function (p) {
      var g = el("g", { "class": "route-point", "data-n": p.n }, svg);
      el("title", {}, g).textContent = p.n + ". " + p.label;
      el("circle", { cx: p.xy[0].toFixed(2), cy: p.xy[1].toFixed(2), r: r.toFixed(2), fill: "#0b4f6c",
        stroke: "#fff", "stroke-width": (1.5 * k).toFixed(2) }, g);
      var t = el("text", { x: p.xy[0].toFixed(2), y: p.xy[1].toFixed(2), fill: "#fff", "font-size": (13 * k).toFixed(2),
        "font-weight": "bold", "text-anchor": "middle", "dominant-baseline": "central" }, g);
      t.textContent = String(p.n);
    });
    body.appendChild(svg);
    fig.setAttribute("data-ready", "true");
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
