// The observatories on a map of the region (our own layer: département
// outlines; a base layer only if configured). Each point links to its page.
(function () {
  "use strict";
  var holder = document.getElementById("observatory-map");
  var data = document.getElementById("observatory-points");
  if (!holder || !data || !window.L || !window.PF2S) { return; }
  var points = JSON.parse(data.textContent);
  var map = PF2S.createMap(holder).setView([50.0, 2.8], 7);
  fetch("/api/v1/territories/departement/geometry/").then(function (r) { return r.json(); }).then(function (layer) {
    var outlines = L.geoJSON(layer, { style: { color: "#4a5563", weight: 1, fillColor: "#eef3f6", fillOpacity: 1 },
                                      interactive: false }).addTo(map);
    map.fitBounds(outlines.getBounds(), { padding: [8, 8] });
    points.forEach(function (p) {
      var marker = L.circleMarker([p.lat, p.lon], { radius: 6, color: "#ffffff", weight: 1.5,
                                                    fillColor: "#0b5d7a", fillOpacity: 1 }).addTo(map);
      marker.bindTooltip(PF2S.text(p.name + " (" + p.theme + ")"));
      marker.on("click", function () { window.location.href = p.url; });
      var element = marker.getElement();
      if (element) {
        element.setAttribute("tabindex", "0");
        element.setAttribute("role", "link");
        element.setAttribute("aria-label", p.name);
        element.addEventListener("keydown", function (e) { if (e.key === "Enter") { window.location.href = p.url; } });
      }
    });
    holder.setAttribute("data-ready", "true");
  });
})();
