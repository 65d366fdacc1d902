// Charts of an indicator (Plotly, served by the app): territories ranked
// against the region and France with their intervals, and the series over
// every period for the territories chosen in the URL (?territories=a,b).
// Plotly (4.5 MB) is fetched once the map has painted (or at once on a page
// without a map), so that it never delays the map.
(function () {
  "use strict";
  var me = document.currentScript;
  var plotlyUrl = me && me.getAttribute("data-plotly");
  if (window.Plotly || !plotlyUrl) { draw(); return; }
  function load() {
    var script = document.createElement("script");
    script.src = plotlyUrl;
    script.onload = draw;
    document.head.appendChild(script);
  }
  var map = document.getElementById("indicator-map");
  if (map && map.getAttribute("data-ready") !== "true") {
    document.addEventListener("pf2s:map-ready", load, { once: true });
  } else {
    load();
  }

  function draw() {
    var stateNode = document.getElementById("chart-state");
    if (!stateNode || !window.Plotly) { return; }
    if (window.PF2S && window.PF2S.plotlyFrench) { window.PF2S.plotlyFrench(); }
    var state = JSON.parse(stateNode.textContent);
    var config = { responsive: true, displaylogo: false, locale: "fr",
                   toImageButtonOptions: { format: "svg", filename: state.filename } };
    var font = { family: "system-ui, Arial, sans-serif", size: 12 };

    function line(value, label, colour, dash) {
      return { type: "line", xref: "x", yref: "paper", x0: value, x1: value, y0: 0, y1: 1,
               line: { color: colour, width: 2, dash: dash }, label: { text: label } };
    }

    var ranked = state.rows.filter(function (r) { return r.status === "ok"; })
      .sort(function (a, b) { return a.value - b.value; });
    var bars = {
      type: "bar", orientation: "h", name: state.levelLabel,
      y: ranked.map(function (r) { return r.territory_name; }),
      x: ranked.map(function (r) { return r.value; }),
      marker: { color: "#0b5d7a" },
      error_x: { type: "data", symmetric: false, color: "#4a5563",
                 array: ranked.map(function (r) { return r.ci_high === null ? 0 : r.ci_high - r.value; }),
                 arrayminus: ranked.map(function (r) { return r.ci_low === null ? 0 : r.value - r.ci_low; }) },
      hovertemplate: "%{y} : %{x:.1f} " + state.unit + "<extra></extra>"
    };
    var shapes = [];
    state.references.forEach(function (r) {
      if (r.status === "ok") {
        shapes.push(line(r.value, r.territory_name, r.level === "france" ? "#b3261e" : "#1d6b3a",
                         r.level === "france" ? "dash" : "dot"));
      }
    });
    var rankedNode = document.getElementById("chart-ranked");
    Plotly.newPlot(rankedNode, [bars], {
      font: font, height: Math.max(320, 22 * ranked.length + 120), margin: { l: 260, r: 20, t: 30, b: 40 },
      xaxis: { title: { text: state.unit } }, shapes: shapes, showlegend: false,
      title: { text: state.title, font: { size: 14 } }
    }, config).then(function () { rankedNode.setAttribute("data-ready", "true"); });

    var seriesNode = document.getElementById("chart-series");
    if (!seriesNode) { return; }
    Promise.all(state.seriesUrls.map(function (url) {
      return fetch(url).then(function (r) { return r.ok ? r.json() : []; });
    })).then(function (answers) {
      var rows = [].concat.apply([], answers);
      var byTerritory = {};
      rows.forEach(function (r) {
        if (state.seriesCodes.indexOf(r.territory_code) === -1) { return; }
        (byTerritory[r.territory_code] = byTerritory[r.territory_code] || []).push(r);
      });
      var traces = Object.keys(byTerritory).map(function (code) {
        var points = byTerritory[code].sort(function (a, b) { return a.period < b.period ? -1 : 1; });
        return { type: "scatter", mode: "lines+markers", name: points[0].territory_name,
                 x: points.map(function (p) { return p.period; }),
                 y: points.map(function (p) { return p.status === "ok" ? p.value : null; }),
                 error_y: { type: "data", symmetric: false, visible: true,
                            array: points.map(function (p) { return p.ci_high === null ? 0 : p.ci_high - p.value; }),
                            arrayminus: points.map(function (p) { return p.ci_low === null ? 0 : p.value - p.ci_low; }) } };
      });
      return Plotly.newPlot(seriesNode, traces, {
        font: font, height: 380, margin: { l: 60, r: 20, t: 30, b: 60 },
        yaxis: { title: { text: state.unit } }, xaxis: { type: "category" },
        title: { text: state.seriesTitle, font: { size: 14 } }, legend: { orientation: "h" }
      }, config);
    }).then(function () { seriesNode.setAttribute("data-ready", "true"); });

    document.querySelectorAll("[data-download]").forEach(function (button) {
      button.addEventListener("click", function () {
        var target = document.getElementById(button.getAttribute("data-chart"));
        Plotly.downloadImage(target, { format: button.getAttribute("data-download"),
                                       filename: state.filename + "-" + button.getAttribute("data-chart"),
                                       width: 1000, height: target.offsetHeight || 500 });
      });
    });
  }
})();
