// Lineage graph of a unit: predecessors on the left, successors on the right (ECharts graph).
(function () {
  const el = document.getElementById("lineage");
  if (!el || typeof echarts === "undefined") return;
  fetch(el.dataset.url, { credentials: "same-origin" }).then(r => r.json()).then(data => {
    if (!data.links.length) { el.innerHTML = '<div class="text-muted p-3">该单位没有合并、拆分等沿革关系。</div>'; el.style.height = "auto"; return; }
    // Place nodes in columns by their distance along the links.
    const col = {}; data.nodes.forEach(n => { col[n.id] = 0; });
    for (let i = 0; i < data.nodes.length; i++) data.links.forEach(l => { col[l.target] = Math.max(col[l.target], col[l.source] + 1); });
    const rows = {};
    const nodes = data.nodes.map(n => {
      const c = col[n.id]; rows[c] = (rows[c] || 0) + 1;
      return { id: String(n.id), name: n.name, x: c * 220, y: rows[c] * 60, symbolSize: n.self ? 26 : 18,
        itemStyle: { color: n.self ? "#c8102e" : (n.current ? "#1f4e79" : "#9aa5b1") },
        label: { show: true, position: "bottom", formatter: n.name + (n.current ? "" : "(已撤销)") } };
    });
    const chart = echarts.init(el);
    chart.setOption({
      tooltip: { formatter: p => p.dataType === "edge" ? p.data.label : p.data.name },
      series: [{ type: "graph", layout: "none", roam: true, data: nodes, edgeSymbol: ["none", "arrow"], edgeSymbolSize: 9,
        links: data.links.map(l => ({ source: String(l.source), target: String(l.target), label: l.label,
          lineStyle: { color: "#7a8796", width: 1.5 } })) }]
    });
    chart.on("click", p => { if (p.dataType === "node") location.href = el.dataset.detail.replace("/0/", "/" + p.data.id + "/"); });
    window.addEventListener("resize", () => chart.resize());
  });
})();
