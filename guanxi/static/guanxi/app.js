/* Guanxi: small behaviours shared by every page. */
document.addEventListener("alpine:init", () => {
  // The global search box: Ctrl-K / Cmd-K focuses it, arrows move through the live results,
  // Enter opens the highlighted result (or submits the full search page).
  Alpine.data("globalSearch", () => ({
    open: false,
    active: -1,
    items() { return Array.from(this.$refs.results.querySelectorAll("a.search-hit")); },
    focus() { this.$refs.input.focus(); this.$refs.input.select(); this.open = true; },
    close() { this.open = false; this.active = -1; },
    move(step) {
      const items = this.items();
      if (!items.length) return;
      this.open = true;
      this.active = (this.active + step + items.length) % items.length;
      items.forEach((el, i) => el.classList.toggle("active", i === this.active));
      items[this.active].scrollIntoView({ block: "nearest" });
    },
    enter(event) {
      const items = this.items();
      if (this.active >= 0 && items[this.active]) {
        event.preventDefault();
        window.location.href = items[this.active].href;
      }
    },
  }));
});

// Forms loaded into the shared modal: show it when content arrives, hide it on success.
document.addEventListener("htmx:afterSwap", (event) => {
  if (event.detail.target.id === "modal-content") {
    bootstrap.Modal.getOrCreateInstance(document.getElementById("modal")).show();
  }
});
document.addEventListener("htmx:beforeSwap", (event) => {
  // Validation errors come back as 422 with the re-rendered form: show them.
  if (event.detail.xhr.status === 422 || event.detail.xhr.status === 409) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

// Charts: any element with data-chart holds an ECharts option as JSON.
function renderCharts(root) {
  if (!window.echarts) return;
  root.querySelectorAll("[data-chart]").forEach((el) => {
    if (el.dataset.chartReady) return;
    const option = JSON.parse(document.getElementById(el.dataset.chart).textContent);
    const chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption(option);
    el.dataset.chartReady = "1";
    new ResizeObserver(() => chart.resize()).observe(el);
    if (option.guanxiLinks) {
      chart.on("click", (params) => {
        const url = params.data && params.data.url;
        if (url) window.location.href = url;
      });
    }
  });
}
document.addEventListener("DOMContentLoaded", () => renderCharts(document));
document.addEventListener("htmx:afterSettle", (event) => renderCharts(event.detail.elt));
