// Executive dashboard, the business charts: bookings against target, pipeline by stage,
// forecast, overdue receivables and top customers. Every bar opens the list behind it.
(function () {
  const source = document.getElementById("business-data");
  if (!source || !window.echarts) return;
  const d = JSON.parse(source.textContent);
  const L = d.labels, esc = window.escapeHtml || ((s) => String(s));
  const zh = (document.documentElement.lang || "en").toLowerCase().startsWith("zh");
  const compact = new Intl.NumberFormat(zh ? "zh-CN" : "en", { notation: "compact", maximumFractionDigits: 1 });
  const full = new Intl.NumberFormat(zh ? "zh-CN" : "en", { maximumFractionDigits: 0 });
  const money = (v) => (v === null || v === undefined) ? "—" : full.format(v);
  const palette = ["#2563eb", "#f59e0b", "#16a34a", "#dc2626", "#7c3aed", "#0891b2"];

  function chart(id, option) {
    const el = document.getElementById(id);
    if (!el) return;
    const c = echarts.init(el, null, { renderer: "svg", locale: zh ? "ZH" : "EN" });
    c.setOption(Object.assign({ color: palette, textStyle: { fontFamily: "inherit" }, animationDuration: 300 }, option));
    c.on("click", (p) => { const url = p.data && p.data.url; if (url) window.location.href = url; });
    el.style.cursor = "pointer";
    new ResizeObserver(() => c.resize()).observe(el);
    el.dataset.ready = "1";
  }
  const grid = { left: 8, right: 16, top: 32, bottom: 8, containLabel: true };
  const axisMoney = { type: "value", axisLabel: { formatter: (v) => compact.format(v) } };

  chart("chart-bookings", {
    tooltip: { trigger: "axis", valueFormatter: money }, legend: { top: 0 }, grid,
    xAxis: { type: "category", data: d.bookings.months },
    yAxis: axisMoney,
    series: [
      { name: L.booked, type: "bar", data: d.bookings.booked },
      { name: L.target, type: "line", step: "middle", connectNulls: false, data: d.bookings.target },
    ],
  });

  chart("chart-pipeline", {
    tooltip: { trigger: "axis", valueFormatter: money }, legend: { top: 0 }, grid,
    xAxis: axisMoney,
    yAxis: { type: "category", inverse: true, data: d.stages.map((s) => s.name) },
    series: [
      { name: L.amount, type: "bar", data: d.stages },
      { name: L.weighted, type: "bar", data: d.stages.map((s) => ({ value: s.weighted, url: s.url })) },
    ],
  });

  chart("chart-forecast", {
    tooltip: { trigger: "axis", valueFormatter: money }, grid,
    xAxis: { type: "category", data: d.forecast.months }, yAxis: axisMoney,
    series: [{ name: L.weighted, type: "bar", data: d.forecast.weighted, itemStyle: { color: "#16a34a" } }],
  });

  chart("chart-receivables", {
    tooltip: { trigger: "item", formatter: (p) => `${esc(p.name)}: ${money(p.value)}` }, grid,
    xAxis: axisMoney,
    yAxis: { type: "category", inverse: true, data: d.debtors.map((r) => r.name),
      axisLabel: { width: 110, overflow: "truncate" } },
    series: [{ name: L.overdue, type: "bar", data: d.debtors, itemStyle: { color: "#dc2626" } }],
  });

  chart("chart-top", {
    tooltip: { trigger: "item", formatter: (p) => `${esc(p.name)}: ${money(p.value)}` }, grid,
    xAxis: axisMoney,
    yAxis: { type: "category", inverse: true, data: d.top.map((r) => r.name),
      axisLabel: { width: 110, overflow: "truncate" } },
    series: [{ name: L.revenue, type: "bar", data: d.top, itemStyle: { color: "#7c3aed" } }],
  });
})();
