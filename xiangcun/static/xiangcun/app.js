// Small behaviours shared by the pages; no inline scripts, so the Content Security Policy can forbid them.
(function () {
  // Django's default widgets carry no Bootstrap classes: add them to forms marked .auto-form.
  document.querySelectorAll("form.auto-form").forEach(form => {
    form.querySelectorAll("input:not([type=hidden]):not([type=checkbox]):not([type=radio]), select, textarea").forEach(el => {
      el.classList.add(el.tagName === "SELECT" ? "form-select" : "form-control", "form-control-sm");
      if (el.multiple) el.size = 8;
    });
  });
  // A checkbox that ticks every checkbox named in data-check-all.
  document.querySelectorAll("[data-check-all]").forEach(box => {
    box.addEventListener("change", () => {
      document.querySelectorAll(`input[type=checkbox][name="${CSS.escape(box.dataset.checkAll)}"]`).forEach(c => { c.checked = box.checked; });
    });
  });
  // Grouped bar charts: <div data-bar-chart="json-script-id">, the JSON being {labels, series: [{name, data, color}]}.
  if (typeof echarts !== "undefined") {
    document.querySelectorAll("[data-bar-chart]").forEach(el => {
      const source = document.getElementById(el.dataset.barChart);
      if (!source) return;
      const d = JSON.parse(source.textContent);
      const chart = echarts.init(el);
      chart.setOption({
        animation: false, tooltip: { trigger: "axis" }, legend: { top: 0 },
        grid: { left: 50, right: 20, top: 36, bottom: 90 },
        xAxis: { type: "category", data: d.labels, axisLabel: { interval: 0, rotate: 30 } },
        yAxis: { type: "value" },
        series: d.series.map(s => ({ name: s.name, type: "bar", data: s.data, itemStyle: { color: s.color } })),
      });
      window.addEventListener("resize", () => chart.resize());
    });
  }
})();
