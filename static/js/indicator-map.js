// Choropleth of an indicator: classes computed on the server, our own layer
// over the configured base layer if any (pf2s-map.js). Secret territories are hatched, missing ones grey; every
// territory is reachable with the keyboard and announces its value.
(function () {
  "use strict";
  var holder = document.getElementById("indicator-map");
  var stateNode = document.getElementById("map-state");
  if (!holder || !stateNode || !window.L || !window.PF2S) { return; }
  var state = JSON.parse(stateNode.textContent);
  // a first view so that the SVG renderer exists before the layer arrives
  var map = PF2S.createMap(holder).setView([49.9, 2.8], 7);
  var opacity = PF2S.baseLayer() ? 0.8 : 1;
  var renderer = L.svg().addTo(map);
  var svgRoot = renderer._container;
  var ns = "http://www.w3.org/2000/svg";
  var defs = document.createElementNS(ns, "defs");
  defs.innerHTML = '<pattern id="hatch" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)">' +
    '<rect width="6" height="6" fill="#ffffff"></rect><line x1="0" y1="0" x2="0" y2="6" stroke="#555555" stroke-width="2"></line></pattern>';
  svgRoot.insertBefore(defs, svgRoot.firstChild);
  var formatter = new Intl.NumberFormat("fr-FR", { maximumFractionDigits: 1 });

  function describe(code, name) {
    var item = state.values[code];
    if (!item || item.status === "missing" || item.value === null && item.status !== "secret") {
      return name + " : non disponible";
    }
    if (item.status === "secret") { return name + " : secret statistique"; }
    return name + " : " + formatter.format(item.value) + " " + state.unit;
  }
  function style(feature) {
    var item = state.values[feature.properties.code];
    var fill = "#d9d9d9";
    if (item && item.status === "secret") { fill = "url(#hatch)"; }
    else if (item && item.status === "ok" && item["class"] !== null) { fill = state.colours[item["class"]]; }
    return { color: "#ffffff", weight: 0.6, fillColor: fill, fillOpacity: opacity };
  }
  fetch(state.layer).then(function (response) { return response.json(); }).then(function (layer) {
    var geo = L.geoJSON(layer, {
      renderer: renderer,
      style: style,
      onEachFeature: function (feature, path) {
        var text = describe(feature.properties.code, feature.properties.name);
        path.bindTooltip(PF2S.text(text), { sticky: true });
        path.on("add", function () {
          var element = path.getElement();
          element.setAttribute("tabindex", "0");
          element.setAttribute("role", "img");
          element.setAttribute("aria-label", text);
          element.setAttribute("data-code", feature.properties.code);
          element.addEventListener("focus", function () { path.openTooltip(path.getCenter()); });
          element.addEventListener("blur", function () { path.closeTooltip(); });
        });
      }
    }).addTo(map);
    map.fitBounds(geo.getBounds(), { padding: [8, 8] });
    holder.setAttribute("data-ready", "true");
    if (window.performance && performance.mark) { performance.mark("pf2s-map-ready"); }
    document.dispatchEvent(new CustomEvent("pf2s:map-ready"));
  });
})();
