// Facilities pages: pickers that submit on change; facility markers, assignment lines and road overlays
// added to the maps of map.js once they have a view (markers added before that break Leaflet's renderer).
(function () {
  document.querySelectorAll("select.auto-submit").forEach(el => el.addEventListener("change", () => el.form.submit()));
  if (typeof L === "undefined" || !window.xcMap) return;
  const readJson = id => { const n = id && document.getElementById(id); return n ? JSON.parse(n.textContent) : null; };
  const text = window.xcMap.text;  // labels come from data: text, never HTML
  const travelColour = m => m === null ? "#999" : m <= 15 ? "#1a9850" : m <= 30 ? "#91cf60" : m <= 45 ? "#fee08b" : m <= 60 ? "#fc8d59" : "#d73027";
  document.querySelectorAll("[data-map]").forEach(el => {
    const ready = window.xcMap.ready(el);
    if (!ready) return;
    ready.then(({ map }) => {
      if (el.dataset.roads) {
        fetch(el.dataset.roads, { credentials: "same-origin" }).then(r => r.json()).then(gj => {
          L.geoJSON(gj, { style: () => ({ color: "#6d4c41", weight: 2 }) }).addTo(map);
        });
      }
      (readJson(el.dataset.lines) || []).forEach(l => L.polyline([l.from, l.to], { color: travelColour(l.minutes), weight: 2, opacity: 0.9 })
        .bindTooltip(text(l.label)).addTo(map));
      (readJson(el.dataset.facPoints) || []).forEach(p => L.circleMarker([p.lat, p.lon], { radius: p.radius || 6, color: "#333", weight: 1,
        fillColor: p.color || "#c8102e", fillOpacity: 0.9 }).bindTooltip(text(p.label)).addTo(map));
      if (el.dataset.lines) {
        const legend = L.control({ position: "topright" });
        legend.onAdd = () => {
          const div = L.DomUtil.create("div", "map-legend");
          div.appendChild(text("村→设施 出行", "div", "fw-bold"));
          window.xcMap.legendRows(div, [[15, "≤15 分钟"], [30, "≤30"], [45, "≤45"], [60, "≤60"], [61, ">60"]]
            .map(([m, t]) => [travelColour(m), t]));
          div.appendChild(text("设施", "div", "fw-bold mt-1"));
          window.xcMap.legendRows(div, [["#2e7d32", "保留"], ["#1565c0", "扩建"], ["#8e24aa", "新建"], ["#9e9e9e", "撤并"],
            ["#00838f", "计入覆盖(不调整)"]]);
          return div;
        };
        legend.addTo(map);
      }
    });
  });
})();
