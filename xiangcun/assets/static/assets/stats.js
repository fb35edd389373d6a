// Statistics page: a pie of revitalisation routes (the grouped bars come from xiangcun/app.js).
(function () {
  if (typeof echarts === "undefined") return;
  document.querySelectorAll("[data-pie-chart]").forEach(el => {
    const source = document.getElementById(el.dataset.pieChart);
    if (!source) return;
    const data = JSON.parse(source.textContent);
    const chart = echarts.init(el);
    chart.setOption({
      animation: false, tooltip: { trigger: "item", formatter: "{b}:{c} 项({d}%)" }, legend: { bottom: 0 },
      color: ["#2e7d32", "#1f77b4", "#d97706", "#6a3d9a"],
      series: [{ type: "pie", radius: ["35%", "65%"], data: data, label: { formatter: "{b}\n{c} 项" } }],
    });
    window.addEventListener("resize", () => chart.resize());
  });
})();
