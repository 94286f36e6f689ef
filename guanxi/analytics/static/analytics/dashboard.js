// Executive dashboard charts: ECharts in the page's language; every element opens the
// customer list filtered by what it shows.
(function () {
  const source = document.getElementById("analytics-data");
  if (!source || !window.echarts) return;
  const d = JSON.parse(source.textContent);
  const L = d.labels, esc = window.escapeHtml;
  const zh = (document.documentElement.lang || "en").toLowerCase().startsWith("zh");
  const fmt = new Intl.NumberFormat(zh ? "zh-CN" : "en", { notation: "compact", maximumFractionDigits: 1 });
  const pct = (v) => (v === null || v === undefined) ? "—" : Math.round(v * 100) + "%";
  const palette = ["#2563eb", "#16a34a", "#f59e0b", "#dc2626", "#7c3aed", "#0891b2", "#db2777", "#65a30d", "#64748b", "#ea580c", "#0d9488"];

  function chart(id, option) {
    const el = document.getElementById(id);
    if (!el) return;
    const c = echarts.init(el, null, { renderer: "svg", locale: zh ? "ZH" : "EN" });
    c.setOption(Object.assign({ color: palette, textStyle: { fontFamily: "inherit" }, animationDuration: 300 }, option));
    c.on("click", (p) => { const url = p.data && p.data.url; if (url) window.location.href = url; });
    new ResizeObserver(() => c.resize()).observe(el);
  }
  const grid = { left: 8, right: 16, top: 32, bottom: 8, containLabel: true };

  chart("chart-revenue", {
    tooltip: { trigger: "axis" }, legend: { top: 0 }, grid,
    xAxis: { type: "category", data: d.months },
    yAxis: { type: "value", axisLabel: { formatter: (v) => fmt.format(v) } },
    series: [
      { name: L.revenue, type: "bar", data: d.revenue },
      { name: L.profit, type: "line", smooth: true, data: d.profit },
    ],
  });

  chart("chart-kpis", {
    tooltip: { trigger: "axis" }, legend: { top: 0, type: "scroll" }, grid,
    xAxis: { type: "category", data: d.kpis.runs },
    yAxis: [
      { type: "value", axisLabel: { formatter: (v) => fmt.format(v) } },
      { type: "value", min: 0, max: 1, axisLabel: { formatter: pct }, splitLine: { show: false } },
    ],
    series: [
      { name: L.equity, type: "bar", data: d.kpis.equity },
      { name: L.profit, type: "line", data: d.kpis.profit },
      { name: L.retention, type: "line", yAxisIndex: 1, data: d.kpis.retention },
      { name: L.repeat, type: "line", yAxisIndex: 1, data: d.kpis.repeat },
      { name: L.top20, type: "line", yAxisIndex: 1, data: d.kpis.top20 },
      // Contributed KPIs (campaign ROI …) are ratios like the others: on the right axis.
      ...(d.kpis.extra || []).map((e) => ({ name: e.name, type: "line", yAxisIndex: 1, data: e.data })),
    ],
  });

  chart("chart-segments", {
    tooltip: { trigger: "item", formatter: (p) => `${esc(p.name)}: ${p.value} · CLV ${fmt.format(p.data.clv)}` },
    grid, xAxis: { type: "value" },
    yAxis: { type: "category", inverse: true, data: d.segments.map((r) => r.name) },
    series: [{ name: L.customers, type: "bar", data: d.segments, colorBy: "data" }],
  });

  const counts = d.matrix.map((c) => c.value[2]);
  chart("chart-matrix", {
    tooltip: { formatter: (p) => `${esc(p.data.name)}: ${p.data.value[2]}` },
    grid: { left: 8, right: 8, top: 8, bottom: 40, containLabel: true },
    xAxis: { type: "category", data: d.kinds, splitArea: { show: true } },
    yAxis: { type: "category", data: d.times, splitArea: { show: true } },
    visualMap: { min: 0, max: Math.max(1, ...counts), calculable: false, orient: "horizontal", left: "center", bottom: 0, itemHeight: 120, inRange: { color: ["#eff6ff", "#2563eb"] } },
    series: [{ type: "heatmap", data: d.matrix,
      label: { show: true, formatter: (p) => `${p.data.name}\n${p.data.value[2]}` } }],
  });

  chart("chart-lifecycle", {
    tooltip: { trigger: "item" }, legend: { bottom: 0 },
    series: [{ type: "pie", radius: ["38%", "68%"], center: ["50%", "44%"], data: d.lifecycle,
      label: { position: "inside", formatter: "{d}%", color: "#fff" } }],
  });

  chart("chart-pareto", {
    tooltip: { trigger: "axis", valueFormatter: pct }, grid,
    xAxis: { type: "value", min: 0, max: 1, name: L.share, nameLocation: "middle", nameGap: 24, axisLabel: { formatter: pct } },
    yAxis: { type: "value", min: 0, max: 1, axisLabel: { formatter: pct } },
    series: [
      { name: L.cumulative, type: "line", showSymbol: false, areaStyle: { opacity: 0.15 }, data: d.pareto,
        markLine: { symbol: "none", lineStyle: { type: "dashed" }, data: [{ xAxis: 0.2 }] } },
      { name: "ABC", type: "scatter", symbolSize: 12, data: abcPoints() },
    ],
  });
  function abcPoints() {
    // One point per class at the share of customers it ends at, linking to its customers.
    let seen = 0; const total = d.abc.reduce((s, r) => s + r.value, 0) || 1;
    return d.abc.map((r) => {
      seen += r.value;
      const x = seen / total;
      const near = d.pareto.reduce((best, p) => Math.abs(p[0] - x) < Math.abs(best[0] - x) ? p : best, [0, 0]);
      return { value: [x, near[1]], name: r.name, url: r.url };
    });
  }

  chart("chart-clusters", {
    tooltip: { trigger: "item", formatter: (p) => `${esc(p.name)}: ${p.value}` }, grid,
    xAxis: { type: "value" },
    yAxis: { type: "category", inverse: true, data: d.clusters.map((r) => r.name), axisLabel: { width: 110, overflow: "truncate" } },
    series: [{ name: L.customers, type: "bar", data: d.clusters, colorBy: "data" }],
  });
})();
