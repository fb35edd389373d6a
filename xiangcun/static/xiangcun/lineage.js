// Lineage of a unit as a Sankey diagram: predecessors flow into successors (ECharts).
(function () {
  const el = document.getElementById("lineage");
  if (!el || typeof echarts === "undefined") return;
  fetch(el.dataset.url, { credentials: "same-origin" }).then(r => r.json()).then(data => {
    if (!data.links.length) {
      const note = document.createElement("div");
      note.className = "text-muted p-3";
      note.textContent = "该单位设立以来没有区划变更。";
      el.replaceChildren(note);
      el.style.height = "auto";
      return;
    }
    const byId = {};
    data.nodes.forEach(n => { byId[String(n.id)] = n; });
    const chart = echarts.init(el);
    chart.setOption({
      animation: false,
      // a formatter function's string is HTML to ECharts: names from data are escaped
      tooltip: { formatter: p => echarts.format.encodeHTML(p.dataType === "edge" ? p.data.label
        : byId[p.name].name + (byId[p.name].code ? " " + byId[p.name].code : "")) },
      series: [{
        type: "sankey", left: 20, right: 120, top: 20, bottom: 20, nodeWidth: 14, nodeGap: 18, draggable: false,
        data: data.nodes.map(n => ({ name: String(n.id),
          itemStyle: { color: n.self ? "#c8102e" : (n.current && !n.former ? "#1f4e79" : "#9aa5b1") } })),
        links: data.links.map(l => ({ source: String(l.source), target: String(l.target), value: 1, label: l.label })),
        label: { formatter: p => byId[p.name].name + (byId[p.name].former ? "(原)" : (byId[p.name].current ? "" : "(已撤销)")) },
        lineStyle: { color: "gradient", opacity: 0.35 },
      }],
    });
    chart.on("click", p => { if (p.dataType === "node") location.href = el.dataset.detail.replace("/0/", "/" + byId[p.name].unit + "/"); });
    window.addEventListener("resize", () => chart.resize());
  });
})();
