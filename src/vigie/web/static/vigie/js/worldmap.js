/* Shared world map drawing (equirectangular SVG) for every Vigie page that shows a map.
   Needs topojson-client (static analytics/vendor/topojson-client.min.js) and a world-atlas
   TopoJSON (static analytics/vendor/countries-110m.json); nothing is fetched from elsewhere.
   window.VigieWorldMap = { NS, el, project, features, draw, centres }. */
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";

  function el(name, attrs, parent) {
    var node = document.createElementNS(NS, name);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (parent) parent.appendChild(node);
    return node;
  }

  /* [longitude, latitude] -> [x, y] on a width x height plate carree */
  function project(p, width, height) {
    return [(p[0] + 180) * width / 360, (90 - p[1]) * height / 180];
  }

  function features(world) {
    return window.topojson.feature(world, world.objects.countries).features;
  }

  function polygons(f) {
    return f.geometry.type === "Polygon" ? [f.geometry.coordinates] : f.geometry.coordinates;
  }

  function ring(coords, width, height) {
    var d = "", prev = null;
    coords.forEach(function (p, i) {
      var q = project(p, width, height);
      var jump = prev && Math.abs(p[0] - prev[0]) > 180;  /* antimeridian: lift the pen */
      d += (i === 0 || jump ? "M" : "L") + q[0].toFixed(1) + "," + q[1].toFixed(1);
      prev = p;
    });
    return d + "Z";
  }

  /* one <path> per country; style(feature) -> extra attributes; returns {id: path} */
  function draw(svg, feats, width, height, style) {
    var paths = {};
    feats.forEach(function (f) {
      if (!f.geometry) return;
      var d = polygons(f).map(function (poly) {
        return poly.map(function (r) { return ring(r, width, height); }).join("");
      }).join("");
      var attrs = Object.assign({ d: d, fill: "#e3e8ec", stroke: "#fff", "stroke-width": 0.5, "data-id": f.id },
        style ? style(f) : {});
      paths[f.id] = el("path", attrs, svg);
    });
    return paths;
  }

  /* ISO numeric id -> [lon, lat]: the mean of the vertices of the country's largest polygon */
  function centres(feats) {
    var out = {};
    feats.forEach(function (f) {
      if (!f.geometry) return;
      var best = null;
      polygons(f).forEach(function (poly) { if (!best || poly[0].length > best.length) best = poly[0]; });
      var sx = 0, sy = 0;
      best.forEach(function (p) { sx += p[0]; sy += p[1]; });
      out[f.id] = [sx / best.length, sy / best.length];
    });
    return out;
  }

  window.VigieWorldMap = { NS: NS, el: el, project: project, features: features, draw: draw, centres: centres };
})();
