/* Guanxi: small behaviours shared by every page.

   The Content-Security-Policy allows no inline event handlers and no eval: behaviour lives
   here (or in an app's static file) and templates only name it. Alpine runs its CSP build, so
   x-data names a component registered below and attribute expressions stay property reads,
   comparisons and calls of the component's methods. */

// Text for HTML built in JavaScript (chart tooltips): names come from users, so every value
// put into markup goes through this. Prefer textContent where no markup is needed.
function escapeHtml(value) {
  return String(value === null || value === undefined ? "" : value).replace(/[&<>"']/g, (c) => (
    { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}
window.escapeHtml = escapeHtml;

// The sidebar's areas fold and unfold; the folded ones are remembered in this browser only
// (no request). The area of the current page always opens.
(function sidebarAreas() {
  const KEY = "guanxi.nav.folded";
  const nav = document.getElementById("sidebar-nav");
  if (!nav) return;
  let folded = [];
  try { folded = JSON.parse(localStorage.getItem(KEY) || "[]"); } catch (e) { folded = []; }
  if (!Array.isArray(folded)) folded = [];
  nav.querySelectorAll(".nav-group").forEach((group) => {
    const button = group.querySelector("button.nav-section");
    if (!button) return;
    const area = group.dataset.area;
    if (folded.includes(area) && !group.classList.contains("current")) {
      button.setAttribute("aria-expanded", "false");
    }
    button.addEventListener("click", () => {
      const open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", String(open));
      folded = folded.filter((a) => a !== area);
      if (!open) folded.push(area);
      try { localStorage.setItem(KEY, JSON.stringify(folded)); } catch (e) { /* private mode */ }
    });
  });
})();

document.addEventListener("alpine:init", () => {
  // The global search box: Ctrl-K / Cmd-K focuses it, arrows move through the live results,
  // Enter opens the highlighted result (or submits the full search page).
  Alpine.data("globalSearch", () => ({
    open: false,
    active: -1,
    items() { return Array.from(this.$refs.results.querySelectorAll("a.search-hit")); },
    focus() { this.$refs.input.focus(); this.$refs.input.select(); this.open = true; },
    show() { this.open = true; },
    hide() { this.open = false; },
    typed() { this.open = true; this.active = -1; },
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
      // "quote hw" puts that action first: Enter starts it without moving to it.
      const first = items[0] && items[0].classList.contains("offer-hit") ? 0 : -1;
      const chosen = this.active >= 0 ? this.active : first;
      if (chosen >= 0 && items[chosen]) {
        event.preventDefault();
        window.location.href = items[chosen].href;
      }
    },
  }));

  // Parts of a form shown for some values of one of its fields:
  //   <div x-data="fieldSwitch" data-field="kind"> … <div x-show="is('person')"> …
  // The value is read from the field itself (select, radios, input), at start and on change.
  Alpine.data("fieldSwitch", () => ({
    value: "",
    init() {
      const name = this.$el.dataset.field;
      const controls = () => Array.from(this.$el.querySelectorAll("[name]"))
        .filter((el) => el.name === name);
      const read = () => {
        const found = controls().find((el) => (el.type !== "radio" && el.type !== "checkbox")
          || el.checked);
        return found ? found.value : "";
      };
      this.value = read();
      this.$el.addEventListener("change", (event) => {
        if (event.target.name === name) this.value = read();
      });
    },
    is(...values) { return values.includes(this.value); },
    isNot(...values) { return !values.includes(this.value); },
  }));

  // A read-only text (a token, a feed address) with a copy button:
  //   <div x-data="copyText"><input x-ref="source" @focus="selectAll"> <button @click="copy">
  Alpine.data("copyText", () => ({
    copied: false,
    selectAll(event) { event.target.select(); },
    copy() {
      navigator.clipboard.writeText(this.$refs.source.value).then(() => { this.copied = true; });
    },
    notCopied() { return !this.copied; },
  }));

  // A <details> drop-down that closes when one clicks elsewhere.
  Alpine.data("disclosure", () => ({
    close() { this.$root.open = false; },
  }));

  // Export links carry the filters shown now: htmx updates the address bar as one filters.
  Alpine.data("exportLinks", () => ({
    withFilters(event) {
      const link = event.currentTarget;
      const format = new URL(link.href).searchParams.get("format");
      const shown = window.location.search.slice(1);
      link.search = `?format=${encodeURIComponent(format)}${shown ? `&${shown}` : ""}`;
    },
  }));
});

// Plain behaviours named by data attributes (they work in content htmx swaps in, too):
//   data-confirm="Question?"  on a submit button or a form: ask before sending
//   data-autosubmit           on a select: send its form when it changes
//   data-navigate             on a select: open the address that is its value
//   data-remove-row           on a button: remove its table row
//   data-go-back              on a link: back to the previous page
document.addEventListener("submit", (event) => {
  const button = event.submitter;
  const question = (button && button.dataset.confirm) || event.target.dataset.confirm;
  if (question && !window.confirm(question)) {
    event.preventDefault();
    event.stopPropagation();
  }
}, true);  // capture: asked before htmx or anything else on the form acts
document.addEventListener("change", (event) => {
  const el = event.target;
  if (el.matches("select[data-autosubmit]")) el.form.submit();
  else if (el.matches("select[data-navigate]")) window.location.href = el.value;
});
document.addEventListener("click", (event) => {
  const remove = event.target.closest("[data-remove-row]");
  if (remove) remove.closest("tr").remove();
  const back = event.target.closest("a[data-go-back]");
  if (back) {
    event.preventDefault();
    window.history.back();
  }
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

// Record pages: related lists as tabs (<div data-tabs> with [role=tab][data-tab] buttons and
// [data-tab-panel] sections); the "All" tab (data-tab="") shows every list.
document.addEventListener("click", (event) => {
  const tab = event.target.closest("[data-tabs] [role=tab][data-tab]");
  if (!tab) return;
  const root = tab.closest("[data-tabs]");
  const name = tab.dataset.tab;
  root.querySelectorAll("[role=tab][data-tab]").forEach((t) => {
    t.classList.toggle("active", t === tab);
    t.setAttribute("aria-selected", t === tab ? "true" : "false");
  });
  root.querySelectorAll("[data-tab-panel]").forEach((panel) => {
    panel.hidden = Boolean(name) && panel.dataset.tabPanel !== name;
  });
});

// The installable app's service worker (pages still come from the network).
if ("serviceWorker" in navigator && document.body.dataset.serviceWorker) {
  window.addEventListener("load", () => {
    navigator.serviceWorker.register(document.body.dataset.serviceWorker, { scope: "/" })
      .catch(() => { /* not installable here (plain http on another host): pages still work */ });
  });
}

// Visits logged without signal. A form inside [data-offline-api] submitted while the phone is
// offline is kept in this browser (localStorage) with an Idempotency-Key made once, and posted
// to the API when the connection is back: a retry after a lost answer replays the first answer
// on the server instead of logging the visit twice.
(function offlineOutbox() {
  const KEY = "guanxi.outbox";
  const status = document.getElementById("outbox-status");
  const load = () => {
    try { const items = JSON.parse(localStorage.getItem(KEY) || "[]"); return Array.isArray(items) ? items : []; }
    catch (e) { return []; }
  };
  const save = (items) => { localStorage.setItem(KEY, JSON.stringify(items)); show(); };
  const csrf = () => {
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"] || ""; }
    catch (e) { return ""; }
  };
  const newKey = () => (window.crypto && crypto.randomUUID ? crypto.randomUUID()
    : `${Date.now()}-${Math.random().toString(16).slice(2)}`);

  function show(note) {
    if (!status) return;
    const waiting = load().length;
    const text = note || (waiting ? status.dataset.waiting.replace("%(count)s", waiting) : "");
    status.textContent = text;
    status.hidden = !text;
  }

  function payloadOf(form, box) {
    const payload = JSON.parse(box.dataset.offlineRecord || "{}");
    const rename = JSON.parse(box.dataset.offlineRename || "{}");
    const nest = JSON.parse(box.dataset.offlineNest || "{}");
    const numbers = (box.dataset.offlineNumbers || "").split(",");
    new FormData(form).forEach((value, field) => {
      if (["csrfmiddlewaretoken", "next", "version"].includes(field) || value === "") return;
      const name = rename[field] || field;
      const typed = numbers.includes(name) ? Number(value) : value;
      if (nest[name]) { payload[nest[name]] = payload[nest[name]] || {}; payload[nest[name]][name] = typed; }
      else payload[name] = typed;
    });
    // When it happened is when it was logged on the phone, not when it reaches the server.
    payload.starts_at = (payload.starts_at ? new Date(payload.starts_at) : new Date()).toISOString();
    return payload;
  }

  document.addEventListener("submit", (event) => {
    const form = event.target;
    const box = form.closest ? form.closest("[data-offline-api]") : null;
    if (!box || navigator.onLine) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    const items = load();
    items.push({ key: newKey(), url: box.dataset.offlineApi, payload: payloadOf(form, box) });
    save(items);
    const note = document.createElement("p");
    note.className = "alert alert-info";
    note.setAttribute("role", "status");
    note.textContent = box.dataset.offlineSaved;
    form.replaceWith(note);
  }, true);

  let sending = false;
  async function flush() {
    if (sending || !navigator.onLine || !load().length) return;
    sending = true;
    try {
      for (const item of load()) {
        let response;
        try {
          response = await fetch(item.url, {
            method: "POST", credentials: "same-origin",
            headers: { "Content-Type": "application/json", Accept: "application/json",
                       "X-CSRFToken": csrf(), "Idempotency-Key": item.key },
            body: JSON.stringify(item.payload) });
        } catch (e) {
          break; // still no connection: the next "online" event tries again
        }
        // Signed out, a stale token, a busy server: keep it for later. A refused visit
        // (bad data, a customer no longer yours) is dropped, and said so.
        if ([401, 403, 408, 425, 429].includes(response.status) || response.status >= 500) break;
        save(load().filter((kept) => kept.key !== item.key));
        if (!response.ok && status) {
          show(`${status.dataset.refused} ${item.payload.subject || ""}`);
          return;
        }
      }
      show();
    } finally {
      sending = false;
    }
  }
  window.addEventListener("online", flush);
  show();
  flush();
})();
