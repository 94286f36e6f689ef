// The forecast page's chart: weighted pipeline by stage per period, with won and forecast lines.
(function () {
  const g = window.gxFigures, d = g.data("forecast-data");
  const num = (v) => Number(v.value !== undefined ? v.value : v);
  const series = d.stages.map((s) => ({ name: s.name, type: "bar", stack: "weighted", data: s.data, emphasis: { focus: "series" } }));
  series.push({ name: d.labels.won, type: "line", data: d.won, symbolSize: 8, z: 5 });
  series.push({ name: d.labels.forecast, type: "line", data: d.forecast, symbolSize: 6, lineStyle: { type: "dashed" }, z: 5 });
  g.chart(document.getElementById("forecast-chart"), {
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" },
      valueFormatter: (v) => g.money.format(Number(v)) },
    legend: { type: "scroll", bottom: 0 },
    grid: { left: 8, right: 16, top: 16, bottom: 40, containLabel: true },
    xAxis: { type: "category", data: d.periods },
    yAxis: { type: "value", axisLabel: { formatter: (v) => g.compact.format(v) } },
    series: series.map((s) => Object.assign(s, { data: s.data.map((p) => Object.assign({}, p, { value: num(p) })) })),
  });
})();
