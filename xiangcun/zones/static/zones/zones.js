// The zoning map: each unit filled with its zone's colour (GeoJSON properties.color), the centres as
// markers (xiangcun/map.js data-points). Clicking a unit picks it in the 调整片区成员 form.
// Names reach the DOM as text only (xcMap.text).
(function () {
  if (typeof L === "undefined" || !window.xcMap) return;
  document.querySelectorAll("[data-zone-map]").forEach(el => {
    const ready = window.xcMap.ready(el);
    if (!ready) return;
    ready.then(({ layer }) => {
      const unitSelect = document.querySelector("#move-form select[name=unit]");
      layer.eachLayer(lyr => {
        const p = lyr.feature.properties;
        lyr.setStyle({ fillColor: p.color, fillOpacity: 0.6, color: "#333", weight: p.centre ? 2 : 1 });
        lyr.unbindTooltip();
        lyr.bindTooltip(window.xcMap.text(p.name + "(" + p.zone_name + ")"), { sticky: true });
        lyr.on("click", () => {
          if (!unitSelect) return;
          unitSelect.value = String(p.id);
          unitSelect.dispatchEvent(new Event("change"));
          unitSelect.focus();
        });
      });
    });
  });
})();
