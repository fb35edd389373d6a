// Maps of units (Leaflet, no tile server assumed). Markup:
//   <div class="map" data-map data-geojson="URL" [data-values="json-script-id"] [data-points="json-script-id"]
//        [data-legend="标题"] [data-link="/divisions/0/"] [data-tiles="https://…/{z}/{x}/{y}.png"]></div>
// values: {"<unit id>": number} colours the polygons (choropleth, 5 quantile classes);
// points: [{lat, lon, label, color, radius}] draws circle markers on top.
// window.xcMap.ready(el) resolves to {map, layer} for pages that add more.
(function () {
  if (typeof L === "undefined") return;
  const PALETTE = ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"];
  const readJson = id => { const n = id && document.getElementById(id); return n ? JSON.parse(n.textContent) : null; };
  const breaks = values => {
    const v = values.filter(x => x !== null && !isNaN(x)).sort((a, b) => a - b);
    if (!v.length) return [];
    return [0.2, 0.4, 0.6, 0.8].map(q => v[Math.min(v.length - 1, Math.floor(q * v.length))]);
  };
  const classOf = (x, b) => { let i = 0; while (i < b.length && x > b[i]) i++; return i; };
  const fmt = x => (x === null || x === undefined) ? "无数据" : (Math.round(x * 100) / 100).toLocaleString("zh-CN");
  const pending = new Map();

  function build(el) {
    const map = L.map(el, { attributionControl: false, zoomSnap: 0.25 });
    if (el.dataset.tiles) L.tileLayer(el.dataset.tiles, { maxZoom: 18 }).addTo(map);
    const values = readJson(el.dataset.values);
    const points = readJson(el.dataset.points) || [];
    return fetch(el.dataset.geojson, { credentials: "same-origin" }).then(r => r.json()).then(gj => {
      const b = values ? breaks(Object.values(values)) : [];
      const layer = L.geoJSON(gj, {
        style: f => {
          const v = values ? values[f.properties.id] : null;
          return { color: "#1f4e79", weight: 1, fillOpacity: values ? 0.75 : 0.15,
            fillColor: values ? (v === null || v === undefined ? "#d9d9d9" : PALETTE[classOf(v, b)]) : "#6baed6" };
        },
        onEachFeature: (f, lyr) => {
          const v = values ? values[f.properties.id] : null;
          lyr.bindTooltip(f.properties.name + (values ? ":" + fmt(v) : ""), { sticky: true });
          if (el.dataset.link) lyr.on("click", () => { location.href = el.dataset.link.replace("/0/", "/" + f.properties.id + "/"); });
        },
      }).addTo(map);
      // The view must be set before markers are added: Leaflet cannot place them on a map without one.
      const pointBounds = L.latLngBounds(points.map(p => [p.lat, p.lon]));
      if (layer.getLayers().length) map.fitBounds(layer.getBounds(), { padding: [10, 10] });
      else if (points.length) map.fitBounds(pointBounds, { padding: [20, 20], maxZoom: 13 });
      else { map.setView([30, 104], 6); el.insertAdjacentHTML("beforeend", '<div class="map-empty">暂无边界数据</div>'); }
      points.forEach(p => L.circleMarker([p.lat, p.lon], { radius: p.radius || 6, color: "#333", weight: 1,
        fillColor: p.color || "#c8102e", fillOpacity: 0.9 }).bindTooltip(p.label || "").addTo(map));
      if (values && b.length) {
        const legend = L.control({ position: "bottomright" });
        legend.onAdd = () => {
          const div = L.DomUtil.create("div", "map-legend");
          const edges = [null, ...b];
          div.innerHTML = (el.dataset.legend ? `<div class="fw-bold">${el.dataset.legend}</div>` : "") +
            PALETTE.map((c, i) => `<div><i style="background:${c}"></i>${i === 0 ? "≤ " + fmt(b[0]) : "> " + fmt(edges[i])}</div>`).join("") +
            '<div><i style="background:#d9d9d9"></i>无数据</div>';
          return div;
        };
        legend.addTo(map);
      }
      return { map, layer };
    });
  }

  window.xcMap = { ready: el => pending.get(el) };
  document.querySelectorAll("[data-map]").forEach(el => pending.set(el, build(el)));
})();
