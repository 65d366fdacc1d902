// Outline map of one territory (pf2s-map.js: base layer only if configured).
(function () {
  "use strict";
  var holder = document.getElementById("territory-map");
  var data = document.getElementById("territory-geometry");
  if (!holder || !data || !window.L || !window.PF2S) { return; }
  var geometry = JSON.parse(data.textContent);
  var map = PF2S.createMap(holder);
  var layer = L.geoJSON(geometry, {
    style: { color: "#0b5d7a", weight: 2, fillColor: "#0b5d7a", fillOpacity: 0.15 }
  }).addTo(map);
  map.fitBounds(layer.getBounds(), { padding: [12, 12] });
  holder.setAttribute("data-ready", "true");
})();
