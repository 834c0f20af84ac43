/* Vigie statistics dashboard: SVG charts, world map, routes Sankey, PNG/SVG downloads.
   Data come from /stats/data/ (already disclosure-controlled). No library but topojson-client. */
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  var COLORS = ["#0b4f6c", "#c8553d", "#2e7d4f", "#a86500", "#6d597a", "#3d8eb9", "#8a9a5b", "#b56576"];
  var RTL = document.documentElement.dir === "rtl";

  function el(name, attrs, parent) {
    var node = document.createElementNS(NS, name);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (parent) parent.appendChild(node);
    return node;
  }
  function text(parent, x, y, str, attrs) {
    var t = el("text", Object.assign({ x: x, y: y }, attrs || {}), parent);
    t.textContent = str;
    return t;
  }
  /* the thousands separator of the page's language, as the tables print it (labels.number) */
  var SEP = (document.documentElement.lang || "en").slice(0, 2) === "fr" ? "\u202f" : ",";
  function fmt(v) { return v === null || v === undefined ? "—" : String(v).replace(/\B(?=(\d{3})+(?!\d))/g, SEP); }
  function short(label, max) { return label.length > max ? label.slice(0, max - 1) + "…" : label; }
  var uid = 0;
  /* an SVG with a title and a description (its text alternative: the figures it shows) */
  function svgRoot(width, height, title, desc) {
    uid += 1;
    var svg = el("svg", { xmlns: NS, viewBox: "0 0 " + width + " " + height, width: "100%", role: "img",
      "aria-labelledby": "svg-t" + uid + " svg-d" + uid,
      "font-family": "Noto Sans, DejaVu Sans, sans-serif", "font-size": "12", direction: RTL ? "rtl" : "ltr" });
    el("title", { id: "svg-t" + uid }, svg).textContent = title;
    el("desc", { id: "svg-d" + uid }, svg).textContent = desc || "";
    el("rect", { x: 0, y: 0, width: width, height: height, fill: "#fff" }, svg);
    return svg;
  }
  /* draw at the width the page gives (at least 320): text keeps its size on a phone */
  function widthOf(figure, min, max) {
    var body = figure && figure.querySelector(".chart-body");
    var w = body ? body.clientWidth : 0;
    return Math.round(Math.max(min, Math.min(max, w || max)));
  }

  /* horizontal bars; in RTL the bars grow from the right */
  function bars(panel, title, width) {
    var cells = panel.cells.filter(function (c) { return c.value !== null; }).slice(0, 15);
    var row = 22, labelW = Math.round(Math.min(220, width * 0.42)), height = Math.max(40, cells.length * row + 20);
    var desc = cells.map(function (c) { return c.labels.join(" · ") + ": " + fmt(c.value); }).join("; ");
    var svg = svgRoot(width, height, title, desc);
    var chars = Math.max(8, Math.floor((labelW - 8) / 6.6));
    var max = Math.max.apply(null, cells.map(function (c) { return c.value; }).concat([1]));
    cells.forEach(function (c, i) {
      var w = (width - labelW - 60) * c.value / max, y = 10 + i * row;
      var label = c.labels.join(" · ");
      if (panel.dims.length === 2 && panel.dims[0] === "origin") label = c.labels.join(" → ");
      var x = RTL ? width - labelW - w : labelW;
      var bar = el("rect", { x: x, y: y, width: Math.max(1, w), height: row - 6, fill: COLORS[0] }, svg);
      el("title", {}, bar).textContent = label + ": " + fmt(c.value);
      var t = text(svg, RTL ? width - 4 : 4, y + row - 10, short(label, chars), { "text-anchor": "start" });
      el("title", {}, t).textContent = label;
      text(svg, RTL ? x - 4 : x + w + 4, y + row - 10, fmt(c.value), { "text-anchor": "start", fill: "#14212b" });
    });
    return svg;
  }

  /* trend: one line per series (second dimension), years on the x axis. Year labels are
     thinned so that they never touch; a year without a cell counts 0 (nothing recorded), a
     suppressed one (null) leaves a gap; every point has a marker and a tooltip; the legend
     sits under the plot, where it has the whole width. */
  function lines(panel, title, width) {
    var years = [], series = {};
    panel.cells.forEach(function (c) {
      if (years.indexOf(c.codes[0]) < 0) years.push(c.codes[0]);
      var key = c.labels[1] || "";
      (series[key] = series[key] || {})[c.codes[0]] = c.value;
    });
    years.sort();
    var names = Object.keys(series).sort(function (a, b) {
      var sa = 0, sb = 0;
      years.forEach(function (y) { sa += series[a][y] || 0; sb += series[b][y] || 0; });
      return sb - sa;
    }).slice(0, 6);
    var left = 56, right = 16, top = 12, plotH = 200, bottom = 28, legendRow = 18;
    var height = top + plotH + bottom + legendRow * names.length + 6;
    var desc = names.map(function (n) {
      return (n ? n + " — " : "") + years.map(function (y) { return y + ": " + fmt(series[n][y] === undefined ? 0 : series[n][y]); }).join(", ");
    }).join("; ");
    var svg = svgRoot(width, height, title, desc);
    var max = 1;
    names.forEach(function (n) { years.forEach(function (y) { max = Math.max(max, series[n][y] || 0); }); });
    var plotW = width - left - right;
    function X(i) { var p = left + plotW * (years.length < 2 ? 0.5 : i / (years.length - 1)); return RTL ? width - p : p; }
    function Y(v) { return top + plotH * (1 - v / max); }
    [0, 0.5, 1].forEach(function (f) {  /* y axis: gridlines at 0, half and the maximum */
      var v = Math.round(max * f), y = Y(v);
      el("line", { x1: X(0), x2: X(Math.max(0, years.length - 1)), y1: y, y2: y, stroke: f ? "#e3e8ec" : "#9aa9b5" }, svg);
      text(svg, RTL ? width - 4 : left - 6, y + 4, fmt(v), { "text-anchor": RTL ? "start" : "end", "class": "tick-y" });
    });
    var step = Math.max(1, Math.ceil(years.length * 40 / plotW));  /* a 4-digit year needs ~36 units */
    years.forEach(function (y, i) {
      if (i % step && i !== years.length - 1) return;
      if (i === years.length - 1 && i % step && (i % step) < step / 2) return;  /* too close to the last shown */
      text(svg, X(i), top + plotH + 18, y, { "text-anchor": "middle", "class": "tick-x" });
    });
    names.forEach(function (n, k) {
      var colour = COLORS[k % COLORS.length], run = [];
      function flush() {
        if (run.length > 1) el("polyline", { points: run.join(" "), fill: "none", stroke: colour, "stroke-width": 2 }, svg);
        run = [];
      }
      years.forEach(function (y, i) {
        var v = series[n][y] === undefined ? 0 : series[n][y];
        if (v === null) { flush(); return; }
        run.push(X(i) + "," + Y(v));
        var dot = el("circle", { cx: X(i), cy: Y(v), r: 3, fill: colour }, svg);
        el("title", {}, dot).textContent = (n ? n + ", " : "") + y + ": " + fmt(v);
      });
      flush();
      var ly = top + plotH + bottom + k * legendRow, lx = RTL ? width - left - 10 : left;
      el("rect", { x: lx, y: ly, width: 10, height: 10, fill: colour }, svg);
      var label = text(svg, RTL ? lx - 4 : lx + 14, ly + 9, short(n || title, Math.floor((width - left) / 7)),
        { "text-anchor": "start", "class": "legend" });
      el("title", {}, label).textContent = n;
    });
    return svg;
  }

  /* world map: equirectangular projection of world-atlas, filled by published counts */
  function map(world, values, title, arcs, onPick) {
    var width = 900, height = 450;
    var svg = svgRoot(width, height, title);
    var W = window.VigieWorldMap, feats = W.features(world), max = 1;
    Object.keys(values).forEach(function (k) { if (values[k].value) max = Math.max(max, values[k].value); });
    function project(p) { return W.project(p, width, height); }
    var paths = W.draw(svg, feats, width, height, function (f) {
      var v = values[f.id];
      if (!v) return {};
      return { fill: v.value === null ? "url(#hatch)" : "rgb(11,79,108," + (0.15 + 0.85 * Math.sqrt(v.value / max)).toFixed(2) + ")" };
    });
    feats.forEach(function (f) {
      var path = paths[f.id], v = values[f.id];
      if (!path) return;
      if (v && v.code && onPick) {  /* drill down: filter the dashboard on this country */
        path.setAttribute("data-code", v.code);
        path.style.cursor = "pointer";
        path.addEventListener("click", function () { onPick(v.code); });
      }
      el("title", {}, path).textContent = (v ? v.label + ": " + fmt(v.value) : (f.properties && f.properties.name) || "");
    });
    var defs = el("defs", {}, svg);
    var pat = el("pattern", { id: "hatch", width: 4, height: 4, patternUnits: "userSpaceOnUse" }, defs);
    el("path", { d: "M0,4 L4,0", stroke: "#0b4f6c", "stroke-width": 1 }, pat);
    /* routes: weighted arcs between the centres of the largest polygon of each country */
    var centre = {}, lonlat = W.centres(feats);
    Object.keys(lonlat).forEach(function (id) { centre[id] = project(lonlat[id]); });
    var amax = 1;
    (arcs || []).forEach(function (a) { amax = Math.max(amax, a.value); });
    (arcs || []).forEach(function (a) {
      var p = centre[a.from], q = centre[a.to];
      if (!p || !q) return;
      var mx = (p[0] + q[0]) / 2, my = (p[1] + q[1]) / 2 - Math.abs(q[0] - p[0]) * 0.25 - 10;
      var arc = el("path", { d: "M" + p[0] + "," + p[1] + " Q" + mx + "," + my + " " + q[0] + "," + q[1],
        fill: "none", stroke: "#c8553d", "stroke-opacity": 0.6, "stroke-linecap": "round",
        "stroke-width": (1 + 7 * a.value / amax).toFixed(1), "class": "arc" }, svg);
      el("title", {}, arc).textContent = a.label + ": " + fmt(a.value);
    });
    return svg;
  }

  /* Sankey: origins, transit countries, destinations in three columns */
  function sankey(data, title) {
    var links = data.links, width = 900, height = 420, nodeW = 14;
    var desc = links.map(function (l) { return data.labels[l.from] + " → " + data.labels[l.to] + ": " + fmt(l.value); }).join("; ");
    var svg = svgRoot(width, height, title, desc);
    svg.setAttribute("class", "sankey");
    if (!links.length) return svg;
    var nodes = {};
    function node(id) {
      return nodes[id] = nodes[id] || { id: id, col: id[0] === "O" ? 0 : id[0] === "T" ? 1 : 2, in: 0, out: 0 };
    }
    links.forEach(function (l) { node(l.from).out += l.value; node(l.to).in += l.value; });
    var cols = [[], [], []];
    Object.keys(nodes).forEach(function (k) { var n = nodes[k]; n.size = Math.max(n.in, n.out); cols[n.col].push(n); });
    var scale = Infinity;
    cols.forEach(function (c) {
      var total = c.reduce(function (s, n) { return s + n.size; }, 0);
      if (total) scale = Math.min(scale, (height - 20 - 6 * c.length) / total);
    });
    var xs = [150, width / 2 - nodeW / 2, width - 150 - nodeW];
    if (RTL) xs = xs.reverse();
    cols.forEach(function (c, i) {
      c.sort(function (a, b) { return b.size - a.size; });
      var y = 10;
      c.forEach(function (n) {
        n.x = xs[i]; n.y = y; n.h = Math.max(2, n.size * scale); n.yin = y; n.yout = y; y += n.h + 6;
      });
    });
    links.slice().sort(function (a, b) { return b.value - a.value; }).forEach(function (l) {
      var a = nodes[l.from], b = nodes[l.to], w = Math.max(1, l.value * scale);
      var x0 = a.x + (xs[0] < xs[2] ? nodeW : 0), x1 = b.x + (xs[0] < xs[2] ? 0 : nodeW);
      if (a.col === b.col) x1 = b.x + (xs[0] < xs[2] ? nodeW : 0);
      var y0 = a.yout + w / 2, y1 = b.yin + w / 2, mx = (x0 + x1) / 2;
      if (a.col === b.col) mx = x0 + (xs[0] < xs[2] ? 60 : -60);
      var p = el("path", { d: "M" + x0 + "," + y0 + " C" + mx + "," + y0 + " " + mx + "," + y1 + " " + x1 + "," + y1,
        fill: "none", stroke: COLORS[a.col === 0 ? 5 : 1], "stroke-opacity": 0.35, "stroke-width": w }, svg);
      el("title", {}, p).textContent = data.labels[l.from] + " → " + data.labels[l.to] + ": " + fmt(l.value);
      a.yout += w; b.yin += w;
    });
    /* labels: cut to the room beside their column (the full name is the tooltip), and left
       out where they would overlap the one above (the bar keeps its tooltip) */
    var lastY = [-99, -99, -99];
    cols.forEach(function (c, i) {
      c.forEach(function (n) {
        var full = data.labels[n.id];
        var r = el("rect", { x: n.x, y: n.y, width: nodeW, height: n.h, fill: COLORS[n.col === 1 ? 3 : 0] }, svg);
        el("title", {}, r).textContent = full + ": " + fmt(n.size);
        var y = n.y + n.h / 2 + 4;
        if (y - lastY[i] < 15) return;  /* a line of 11-unit text is ~13 units high */
        lastY[i] = y;
        var outer = n.col !== 1;  /* origins and destinations: label on the outer side */
        var onLeft = outer ? (n.x < width / 2) : RTL;
        var room = outer ? (onLeft ? n.x : width - n.x - nodeW) : width / 2 - 180;
        var t = text(svg, onLeft ? n.x - 4 : n.x + nodeW + 4, y, short(full, Math.max(6, Math.floor((room - 8) / 6))),
          { "text-anchor": onLeft ? "end" : "start", direction: "ltr", "font-size": 11, "class": "node-label" });
        if (RTL) t.setAttribute("direction", "rtl"), t.setAttribute("text-anchor", onLeft ? "start" : "end");
        el("title", {}, t).textContent = full;
      });
    });
    return svg;
  }

  function download(blob, name) {
    var a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }
  function svgBlob(svg) {
    return new Blob([new XMLSerializer().serializeToString(svg)], { type: "image/svg+xml" });
  }
  function toPng(svg, name) {
    var box = svg.viewBox.baseVal, img = new Image();
    img.onload = function () {
      var canvas = document.createElement("canvas");
      canvas.width = box.width * 2; canvas.height = box.height * 2;
      var ctx = canvas.getContext("2d");
      ctx.scale(2, 2); ctx.drawImage(img, 0, 0, box.width, box.height);
      canvas.toBlob(function (b) { download(b, name); }, "image/png");
    };
    img.src = URL.createObjectURL(svgBlob(svg));
  }
  function tools(figure, svg, key, labels) {
    var bar = figure.querySelector(".chart-tools");
    bar.textContent = "";
    [["svg", labels.svg], ["png", labels.png]].forEach(function (pair) {
      var b = document.createElement("button");
      b.type = "button"; b.className = "secondary small"; b.textContent = labels.download + " " + pair[1];
      b.setAttribute("data-download", pair[0]);
      b.addEventListener("click", function () {
        if (pair[0] === "svg") download(svgBlob(svg), "vigie-" + key + ".svg");
        else toPng(svg, "vigie-" + key + ".png");
      });
      bar.appendChild(b);
    });
  }
  function place(figure, svg, key, labels) {
    var body = figure.querySelector(".chart-body");
    body.textContent = "";
    body.appendChild(svg);
    tools(figure, svg, key, labels);
    figure.setAttribute("data-ready", "true");
  }

  function init() {
    var root = document.getElementById("stats-panels");
    if (!root) return;
    var labels = { png: root.dataset.labelPng, svg: root.dataset.labelSvg, download: root.dataset.labelDownload };
    fetch(root.dataset.src, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        document.querySelectorAll("figure.chart").forEach(function (fig) {
          var key = fig.dataset.chart, panel = data.panels[key];
          if (key === "map" || key === "sankey" || !panel) return;
          if (!panel.cells.some(function (c) { return c.value !== null; })) return;
          var w = widthOf(fig, 320, 640);
          var svg = key === "trend" ? lines(panel, panel.title, w) : bars(panel, panel.title, w);
          place(fig, svg, key, labels);
        });
        var sk = document.querySelector('figure[data-chart="sankey"]');
        if (sk && data.sankey.links.length) {
          place(sk, sankey(data.sankey, document.getElementById("sankey-title").textContent), "routes", labels);
        } else if (sk) {  /* no route to show: say so, as the other panels do, not a blank box */
          var none = document.createElement("p");
          none.className = "empty";
          none.textContent = root.dataset.labelEmpty;
          sk.querySelector(".chart-body").replaceChildren(none);
          sk.setAttribute("data-ready", "true");
        }
        var mf = document.querySelector('figure[data-chart="map"]');
        if (mf && window.topojson) {
          fetch(mf.dataset.world).then(function (r) { return r.json(); }).then(function (world) {
            function draw(which) {
              var svg = map(world, data["map_" + which], document.getElementById("map-title").textContent,
                data.arcs, function (code) {
                  var params = new URLSearchParams(window.location.search);
                  params.set(which === "origin" ? "origin" : "country", code);
                  window.location.search = params.toString();
                });
              place(mf, svg, "map-" + which, labels);
              document.querySelectorAll("[data-map]").forEach(function (b) {
                b.setAttribute("aria-pressed", b.dataset.map === which ? "true" : "false");
              });
            }
            document.querySelectorAll("[data-map]").forEach(function (b) {
              b.addEventListener("click", function () { draw(b.dataset.map); });
            });
            draw("country");
          });
        }
      });
    /* empty selects are dropped from the address so shared links stay short */
    var form = document.getElementById("stats-filters");
    if (form) form.addEventListener("submit", function () {
      form.querySelectorAll("select, input").forEach(function (f) { if (!f.value) f.disabled = true; });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
