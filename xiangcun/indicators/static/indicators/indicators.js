// Pages of the indicators module: auto-submitting pickers, key-indicator sparklines, trend lines.
(function () {
  document.querySelectorAll("select.auto-submit").forEach(el => el.addEventListener("change", () => el.form.submit()));
  document.querySelectorAll("[data-print]").forEach(el => el.addEventListener("click", () => window.print()));
  const readJson = id => { const n = document.getElementById(id); return n ? JSON.parse(n.textContent) : null; };
  if (typeof echarts === "undefined") return;
  const kpis = readJson("kpi-data") || [];
  document.querySelectorAll("[data-sparkline]").forEach(el => {
    const k = kpis[Number(el.dataset.sparkline)];
    if (!k) return;
    const chart = echarts.init(el);
    chart.setOption({
      animation: false, grid: { left: 2, right: 2, top: 4, bottom: 2 },
      tooltip: { trigger: "axis", confine: true },
      xAxis: { type: "category", data: k.labels, show: false }, yAxis: { type: "value", show: false, scale: true },
      series: [{ type: "line", data: k.data, symbolSize: 3, connectNulls: true, lineStyle: { width: 1.5, color: "#1f4e79" },
        itemStyle: { color: "#1f4e79" }, areaStyle: { color: "rgba(31,78,121,0.08)" } }],
    });
    window.addEventListener("resize", () => chart.resize());
  });
  document.querySelectorAll("[data-line-chart]").forEach(el => {
    const d = readJson(el.dataset.lineChart);
    if (!d) return;
    const chart = echarts.init(el);
    chart.setOption({
      animation: false, tooltip: { trigger: "axis", valueFormatter: v => (v === null || v === undefined) ? "无数据" : v + "%" },
      legend: { top: 0, type: "scroll" }, grid: { left: 40, right: 16, top: 36, bottom: 24 },
      xAxis: { type: "category", data: d.labels }, yAxis: { type: "value", max: v => Math.max(100, Math.ceil(v.max / 10) * 10), axisLabel: { formatter: "{value}%" } },
      series: d.series.map(s => ({ name: s.name, type: "line", data: s.data, connectNulls: true })),
    });
    window.addEventListener("resize", () => chart.resize());
  });
})();
