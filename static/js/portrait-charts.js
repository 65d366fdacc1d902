// Charts of a territory portrait (Plotly, served by the app): the age
// structure against the comparison zones, one chart per theme of indices
// (France = 100, the value itself in the tooltip and the table), and the
// series of each theme's first indicator. Each exports as SVG.
(function () {
  "use strict";
  var node = document.getElementById("portrait-state");
  if (!node || !window.Plotly) { return; }
  var state = JSON.parse(node.textContent);
  // Plotly reads names as a little HTML (<a>, <b>…): a territory named by a
  // member must show as typed, never as a link or markup
  function plain(text) {
    return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }
  state.territory = plain(state.territory);
  (state.zones || []).forEach(function (z, i, all) { all[i] = typeof z === "string" ? plain(z) : z; });
  if (state.pyramid) { state.pyramid.zones.forEach(function (z) { z.label = plain(z.label); }); }
  var config = { responsive: true, displaylogo: false, locale: "fr",
                 toImageButtonOptions: { format: "svg", filename: state.filename } };
  var font = { family: "system-ui, Arial, sans-serif", size: 12 };
  var colours = ["#0b5d7a", "#1d6b3a", "#b3261e", "#6a3d9a", "#8a5a00"];
  var pending = 0;

  function done() {
    pending -= 1;
    if (pending === 0) { document.body.setAttribute("data-charts-ready", "true"); }
  }
  function plot(id, traces, layout) {
    var target = document.getElementById(id);
    if (!target) { return; }
    pending += 1;
    Plotly.newPlot(target, traces, Object.assign({ font: font, margin: { l: 220, r: 20, t: 40, b: 50 } }, layout),
                   config).then(function () { target.setAttribute("data-ready", "true"); done(); });
  }

  if (state.pyramid) {
    var p = state.pyramid;
    var traces = [{ type: "bar", orientation: "h", name: state.territory, y: p.bands,
                    x: p.territory.map(function (v) { return -v; }), marker: { color: colours[0] },
                    customdata: p.territory, hovertemplate: "%{y} : %{customdata} %<extra>" + state.territory + "</extra>" }];
    p.zones.forEach(function (z, i) {
      traces.push({ type: "scatter", mode: "lines+markers", name: z.label, y: p.bands, x: z.shares,
                    line: { color: colours[(i + 1) % colours.length] },
                    hovertemplate: "%{y} : %{x} %<extra>" + z.label + "</extra>" });
    });
    traces.push({ type: "bar", orientation: "h", name: state.territory + " (miroir)", y: p.bands, x: p.territory,
                  marker: { color: colours[0], opacity: 0.35 }, showlegend: false, hoverinfo: "skip" });
    plot("chart-pyramid", traces, { barmode: "overlay", height: 480, margin: { l: 60, r: 20, t: 40, b: 50 },
      title: { text: "Population par tranche d'âge, " + p.year + " (% de la population)", font: { size: 14 } },
      xaxis: { title: { text: "% de la population" }, tickformat: ".1f" },
      // age bands ("0-4", "5-9"…) are labels: never read as dates or numbers
      yaxis: { type: "category", title: { text: "Âge (ans)" } }, legend: { orientation: "h" } });
  }

  state.themes.forEach(function (theme) {
    var figures = theme.figures.filter(function (f) { return f.status === "ok" && f.zones.length; });
    var france = state.zones.length - 1;
    var names = figures.map(function (f) { return f.label; });
    function index(value, f) {
      var ref = f.zones[france] && f.zones[france].value;
      return value === null || !ref ? null : Math.round(value / ref * 1000) / 10;
    }
    var traces = [{ type: "bar", orientation: "h", name: state.territory, y: names,
                    x: figures.map(function (f) { return index(f.value, f); }), marker: { color: colours[0] },
                    customdata: figures.map(function (f) { return f.value + " " + f.unit; }),
                    hovertemplate: "%{y} : %{customdata} (indice %{x})<extra>" + state.territory + "</extra>" }];
    state.zones.forEach(function (zone, i) {
      traces.push({ type: "bar", orientation: "h", name: zone, y: names, marker: { color: colours[(i + 1) % colours.length] },
                    x: figures.map(function (f) { return index(f.zones[i].value, f); }),
                    hovertemplate: "%{y} : indice %{x}<extra>" + zone + "</extra>" });
    });
    plot("chart-" + theme.slug, traces, { barmode: "group", height: Math.max(300, 60 * names.length + 120),
      title: { text: theme.label + " : indice, France = 100", font: { size: 14 } },
      xaxis: { title: { text: "indice (France = 100)" } }, legend: { orientation: "h" } });

    var first = theme.figures[0];
    if (first) {
      var series = [{ type: "scatter", mode: "lines+markers", name: state.territory,
                      x: first.series.map(function (r) { return r.period; }),
                      y: first.series.map(function (r) { return r.status === "ok" ? r.value : null; }) }];
      first.zones.forEach(function (z, i) {
        series.push({ type: "scatter", mode: "lines+markers", name: state.zones[i], x: z.series.map(function (r) { return r.period; }),
                      y: z.series.map(function (r) { return r.status === "ok" ? r.value : null; }) });
      });
      plot("series-" + theme.slug, series, { height: 340, margin: { l: 60, r: 20, t: 40, b: 60 },
        title: { text: first.label + " (" + first.unit + ") : évolution", font: { size: 14 } },
        xaxis: { type: "category" }, legend: { orientation: "h" } });
    }
  });
  if (pending === 0) { document.body.setAttribute("data-charts-ready", "true"); }

  // a printed portrait shows the tables folded on screen
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll(".portrait details").forEach(function (d) { d.open = true; });
  });

  document.querySelectorAll("[data-download]").forEach(function (button) {
    button.addEventListener("click", function () {
      var target = document.getElementById(button.getAttribute("data-chart"));
      Plotly.downloadImage(target, { format: button.getAttribute("data-download"),
                                     filename: state.filename + "-" + button.getAttribute("data-chart"),
                                     width: 1000, height: target.offsetHeight || 500 });
    });
  });
})();
