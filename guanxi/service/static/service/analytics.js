// Service analytics charts: ECharts in the page's language; every element opens the cases
// (or assets) behind it.
(function () {
  const source = document.getElementById("service-analytics-data");
  if (!source || !window.echarts) return;
  const d = JSON.parse(source.textContent);
  const L = d.labels;
  const zh = (document.documentElement.lang || "en").toLowerCase().startsWith("zh");
  const pct = (v) => (v === null || v === undefined) ? "—" : Math.round(v * 100) + "%";
  const palette = ["#2563eb", "#16a34a", "#f59e0b", "#dc2626", "#7c3aed", "#0891b2"];
  const grid = { left: 8, right: 16, top: 32, bottom: 8, containLabel: true };

  function chart(id, option) {
    const el = document.getElementById(id);
    if (!el) return;
    const c = echarts.init(el, null, { renderer: "svg", locale: zh ? "ZH" : "EN" });
    c.setOption(Object.assign({ color: palette, textStyle: { fontFamily: "inherit" }, animationDuration: 300 }, option));
    c.on("click", (p) => {
      const url = (p.data && p.data.url) || (d.links && d.links[p.dataIndex]);
      if (url) window.location.href = url;
    });
    new ResizeObserver(() => c.resize()).observe(el);
  }
  const monthly = (v) => v.map((value, i) => ({ value, url: d.links[i] }));

  chart("chart-volume", {
    tooltip: { trigger: "axis" }, legend: { top: 0 }, grid,
    xAxis: { type: "category", data: d.months },
    yAxis: [{ type: "value" }, { type: "value", splitLine: { show: false } }],
    series: [
      { name: L.cases, type: "bar", data: d.volume },
      { name: L.hours, type: "line", yAxisIndex: 1, data: monthly(d.hours) },
    ],
  });
  chart("chart-sla", {
    tooltip: { trigger: "axis", valueFormatter: pct }, legend: { top: 0 }, grid,
    xAxis: { type: "category", data: d.months },
    yAxis: { type: "value", min: 0, max: 1, axisLabel: { formatter: pct } },
    series: [
      { name: L.sla, type: "line", data: monthly(d.sla) },
      { name: L.fcr, type: "line", data: monthly(d.fcr) },
    ],
  });
  chart("chart-satisfaction", {
    tooltip: { trigger: "axis" }, legend: { top: 0 }, grid,
    xAxis: { type: "category", data: d.months },
    yAxis: [{ type: "value", min: 1, max: 5 }, { type: "value", min: -100, max: 100, splitLine: { show: false } }],
    series: [
      { name: L.csat, type: "line", data: monthly(d.csat) },
      { name: L.nps, type: "bar", yAxisIndex: 1, data: monthly(d.nps) },
    ],
  });
  function bars(id, rows, name, key) {
    chart(id, {
      tooltip: { trigger: "item" }, grid, xAxis: { type: "value" },
      yAxis: { type: "category", inverse: true, data: rows.map((r) => r.name) },
      series: [{ name, type: "bar", colorBy: "data", data: rows.map((r) => ({ value: r[key || "value"], url: r.url })) }],
    });
  }
  bars("chart-backlog", d.backlog, L.open);
  bars("chart-causes", d.causes, L.cases);
  bars("chart-warranty", d.warranty, L.cost);
  bars("chart-team", d.by_team, L.csat, "csat");
  bars("chart-agent", d.by_agent, L.csat, "csat");
  bars("chart-product", d.by_product, L.csat, "csat");
})();
