// Statistics page: a pie of revitalisation routes (the grouped bars come from xiangcun/app.js).
(function () {
  if (typeof echarts === "undefined") return;
  document.querySelectorAll("[data-pie-chart]").forEach(el => {
    const source = document.getElementById(el.dataset.pieChart);
    if (!source) return;
    const data = JSON.parse(source.textContent).filter(d => d.value > 0);  // a route with nothing in it gets no slice nor label
    const chart = echarts.init(el);
    chart.setOption({
      animation: false, tooltip: { trigger: "item", formatter: "{b}:{c} 项({d}%)" }, legend: { bottom: 0 },
      color: ["#2e7d32", "#1f77b4", "#d97706", "#6a3d9a"],
      // labels stay inside the card however narrow the column: aligned to its edges, wrapped to the room left
      series: [{ type: "pie", radius: ["30%", "52%"], center: ["50%", "46%"], data: data, avoidLabelOverlap: true,
                 label: { formatter: "{b}\n{c} 项", alignTo: "edge", edgeDistance: 6, minMargin: 4, overflow: "break",
                          width: Math.max(60, el.clientWidth * 0.24), lineHeight: 15 },
                 labelLine: { length: 8, length2: 0, maxSurfaceAngle: 80 },
                 labelLayout: (params) => {
                   const isLeft = params.labelRect.x < el.clientWidth / 2;
                   const points = params.labelLinePoints;
                   if (points) points[2][0] = isLeft ? params.labelRect.x : params.labelRect.x + params.labelRect.width;
                   return { labelLinePoints: points };
                 } }],
    });
    window.addEventListener("resize", () => chart.resize());
  });
})();
