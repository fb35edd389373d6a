// Asset points on the unit map. xiangcun/map.js adds its data-points before the map has a view (Leaflet
// then throws), so assets draw their own markers once the map has fitted its boundaries.
(function () {
  if (typeof L === "undefined" || !window.xcMap) return;
  document.querySelectorAll("[data-asset-points]").forEach(el => {
    const source = document.getElementById(el.dataset.assetPoints);
    const ready = window.xcMap.ready(el);
    if (!source || !ready) return;
    const points = JSON.parse(source.textContent);
    ready.then(({ map, layer }) => {
      const group = L.featureGroup(points.map(p => L.circleMarker([p.lat, p.lon], {
        radius: p.radius || 6, color: "#333", weight: 1, fillColor: p.color || "#c8102e", fillOpacity: 0.9,
      }).bindTooltip(window.xcMap.text(p.label)))).addTo(map);  // the asset's name as text, never HTML
      // one asset: keep the view on its unit's outline when there is one (the point inside it), else zoom to the point
      if (points.length === 1 && layer.getLayers().length) {
        if (!map.getBounds().contains([points[0].lat, points[0].lon])) map.fitBounds(map.getBounds().extend([points[0].lat, points[0].lon]));
      } else if (points.length === 1) map.setView([points[0].lat, points[0].lon], 13);
      else if (points.length) map.fitBounds(group.getBounds(), { padding: [20, 20] });
    });
  });
})();
