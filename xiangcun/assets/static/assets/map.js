// Asset points on the unit map. xiangcun/map.js adds its data-points before the map has a view (Leaflet
// then throws), so assets draw their own markers once the map has fitted its boundaries.
(function () {
  if (typeof L === "undefined" || !window.xcMap) return;
  document.querySelectorAll("[data-asset-points]").forEach(el => {
    const source = document.getElementById(el.dataset.assetPoints);
    const ready = window.xcMap.ready(el);
    if (!source || !ready) return;
    const points = JSON.parse(source.textContent);
    ready.then(({ map }) => {
      const group = L.featureGroup(points.map(p => L.circleMarker([p.lat, p.lon], {
        radius: p.radius || 6, color: "#333", weight: 1, fillColor: p.color || "#c8102e", fillOpacity: 0.9,
      }).bindTooltip(p.label || ""))).addTo(map);
      if (points.length === 1) map.setView([points[0].lat, points[0].lon], 13);
      else if (points.length) map.fitBounds(group.getBounds(), { padding: [20, 20] });
    });
  });
})();
