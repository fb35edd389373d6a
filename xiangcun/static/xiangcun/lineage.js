// Lineage of a unit as a Sankey diagram: predecessors flow into successors (ECharts).
(function () {
  const el = document.getElementById("lineage");
  if (!el || typeof echarts === "undefined") return;
  fetch(el.dataset.url, { credentials: "same-origin" }).then(r => r.json()).then(data => {
    if (!data.links.length) {
      el.innerHTML = '<div class="text-muted p-3">该单位没有合并、拆分等沿革关系。</div>';
      el.style.height = "auto";
      return;
    }
    const byId = {};
    data.nodes.forEach(n => { byId[String(n.id)] = n; });
    const chart = echarts.init(el);
    chart.setOption({
      animation: false,
      tooltip: { formatter: p => p.dataType === "edge" ? p.data.label : byId[p.name].name + (byId[p.name].code ? " " + byId[p.name].code : "") },
      series: [{
        type: "sankey", left: 20, right: 120, top: 20, bottom: 20, nodeWidth: 14, nodeGap: 18, draggable: false,
        data: data.nodes.map(n => ({ name: String(n.id),
          itemStyle: { color: n.self ? "#c8102e" : (n.current ? "#1f4e79" : "#9aa5b1") } })),
        links: data.links.map(l => ({ source: String(l.source), target: String(l.target), value: 1, label: l.label })),
        label: { formatter: p => byId[p.name].name + (byId[p.name].current ? "" : "(已撤销)") },
        lineStyle: { color: "gradient", opacity: 0.35 },
      }],
    });
    chart.on("click", p => { if (p.dataType === "node") location.href = el.dataset.detail.replace("/0/", "/" + p.name + "/"); });
    window.addEventListener("resize", () => chart.resize());
  });
})();
