// Maps of units (Leaflet, no tile server assumed). Markup:
//   <div class="map" data-map data-geojson="URL" [data-values="json-script-id"] [data-points="json-script-id"]
//        [data-legend="标题"] [data-link="/divisions/0/"] [data-tiles="https://…/{z}/{x}/{y}.png"]></div>
// values: {"<unit id>": number} colours the polygons (choropleth, 5 quantile classes);
// points: [{lat, lon, label, color, radius}] draws circle markers on top.
// data-highlight="<unit id>": that unit drawn stronger and the view fitted to it (its neighbours stay around it);
// a map whose units have no boundary says so in a corner instead of showing a lone dot on grey.
// window.xcMap.ready(el) resolves to {map, layer} for pages that add more.
// Names and labels come from data (imports, the API): they reach the DOM as text only — a Leaflet tooltip
// given a string sets innerHTML, so it gets an element filled through textContent (window.xcMap.text).
(function () {
  if (typeof L === "undefined") return;
  const text = (s, tag = "span", cls = "") => {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    node.textContent = s === null || s === undefined ? "" : String(s);
    return node;
  };
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
  // legend rows [[colour, label], …]: a swatch and the label as text
  const legendRows = (div, rows) => rows.forEach(([colour, label]) => {
    const row = text(label, "div");
    const swatch = document.createElement("i");
    swatch.style.background = colour;
    row.prepend(swatch);
    div.appendChild(row);
  });

  function build(el) {
    const map = L.map(el, { attributionControl: false, zoomSnap: 0.25 });
    if (el.dataset.tiles) L.tileLayer(el.dataset.tiles, { maxZoom: 18 }).addTo(map);
    const values = readJson(el.dataset.values);
    const points = readJson(el.dataset.points) || [];
    const highlight = el.dataset.highlight || null;
    return fetch(el.dataset.geojson, { credentials: "same-origin" }).then(r => r.json()).then(gj => {
      const b = values ? breaks(Object.values(values)) : [];
      const layer = L.geoJSON(gj, {
        style: f => {
          const v = values ? values[f.properties.id] : null;
          if (highlight && String(f.properties.id) === highlight) return { color: "#c8102e", weight: 3, fillOpacity: 0.25, fillColor: "#f4a582" };
          return { color: "#1f4e79", weight: 1, fillOpacity: values ? 0.75 : 0.15,
            fillColor: values ? (v === null || v === undefined ? "#d9d9d9" : PALETTE[classOf(v, b)]) : "#6baed6" };
        },
        onEachFeature: (f, lyr) => {
          const v = values ? values[f.properties.id] : null;
          lyr.bindTooltip(text(f.properties.name + (values ? ":" + fmt(v) : "")), { sticky: true });
          if (el.dataset.link) lyr.on("click", () => { location.href = el.dataset.link.replace("/0/", "/" + f.properties.id + "/"); });
        },
      }).addTo(map);
      // The view must be set before markers are added: Leaflet cannot place them on a map without one.
      const pointBounds = L.latLngBounds(points.map(p => [p.lat, p.lon]));
      const focus = highlight ? layer.getLayers().find(l => String(l.feature.properties.id) === highlight) : null;
      if (focus) map.fitBounds(focus.getBounds().pad(0.6));
      else if (layer.getLayers().length) map.fitBounds(layer.getBounds(), { padding: [10, 10] });
      else if (points.length) map.fitBounds(pointBounds, { padding: [20, 20], maxZoom: 13 });
      else map.setView([30, 104], 6);
      if (!layer.getLayers().length) el.appendChild(text("暂无边界数据", "div", points.length || el.dataset.assetPoints ? "map-note" : "map-empty"));
      if (focus) focus.bringToFront();
      points.forEach(p => L.circleMarker([p.lat, p.lon], { radius: p.radius || 6, color: "#333", weight: 1,
        fillColor: p.color || "#c8102e", fillOpacity: 0.9 }).bindTooltip(text(p.label)).addTo(map));
      if (values && b.length) {
        const legend = L.control({ position: "bottomright" });
        legend.onAdd = () => {
          const div = L.DomUtil.create("div", "map-legend");
          const edges = [null, ...b];
          if (el.dataset.legend) div.appendChild(text(el.dataset.legend, "div", "fw-bold"));
          legendRows(div, [...PALETTE.map((c, i) => [c, i === 0 ? "≤ " + fmt(b[0]) : "> " + fmt(edges[i])]), ["#d9d9d9", "无数据"]]);
          return div;
        };
        legend.addTo(map);
      }
      return { map, layer };
    });
  }

  window.xcMap = { ready: el => pending.get(el), text, legendRows };
  document.querySelectorAll("[data-map]").forEach(el => pending.set(el, build(el)));
})();
