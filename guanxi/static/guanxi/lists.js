/* Guanxi record lists: row selection and bulk actions, keyboard (j/k/Enter/x/p/e, "/" and
   "?"), cells edited in place with their version, the preview panel, the column chooser.

   Every list page includes core/_list_tools.html and marks its table with data-list-table,
   each row with data-pk (and data-version / data-inline-url where cells are editable). The
   table is swapped by htmx when filters change, so everything here is delegated from the
   document and reads the DOM afresh. */
(function () {
  "use strict";
  if (window.guanxiLists) return;
  window.guanxiLists = true;

  const $ = (sel, root) => (root || document).querySelector(sel);
  const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));
  let current = -1;

  const rows = () => $$("[data-list-table] tbody tr[data-pk]");
  const boxes = () => $$("[data-list-table] input[name=ids]");
  const csrf = () => { const el = $("[name=csrfmiddlewaretoken]"); return el ? el.value : ""; };
  const typing = (el) => el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  const liveQuery = () => {
    const params = new URLSearchParams(window.location.search);
    params.delete("page");
    return params.toString();
  };

  // --- Selection and the bulk bar ------------------------------------------------------------
  function refresh() {
    const form = $("[data-bulk]");
    if (!form) return;
    const picked = boxes().filter((b) => b.checked).length;
    const all = $("[data-bulk-all]", form).value === "1";
    form.hidden = !picked && !all;
    const label = $("[data-selected-label]", form);
    label.textContent = all ? label.dataset.all
      : picked === 1 ? label.dataset.one : label.dataset.many.replace("%(n)s", picked);
    const page = $("[data-select-page]");
    if (page) {
      page.checked = picked > 0 && picked === boxes().length;
      page.indeterminate = picked > 0 && picked < boxes().length;
    }
  }

  document.addEventListener("change", (event) => {
    const el = event.target;
    if (el.matches("[data-select-page]")) {
      boxes().forEach((b) => { b.checked = el.checked; });
      const all = $("[data-bulk-all]");
      if (all && !el.checked) all.value = "";
      refresh();
    } else if (el.matches("[data-list-table] input[name=ids]")) {
      const all = $("[data-bulk-all]");
      if (all && !el.checked) all.value = "";
      refresh();
    } else if (el.matches("[data-bulk-action]")) {
      $$("[data-value-for]").forEach((input) => {
        const on = input.dataset.valueFor === el.value;
        input.hidden = !on;
        input.disabled = !on;
        input.required = on;
      });
    }
  });

  document.addEventListener("click", (event) => {
    const el = event.target.closest("[data-select-all], [data-keys-help], [data-preview-close], [data-col-up], [data-inline-edit], [data-preview-open]");
    if (!el) return;
    if (el.matches("[data-select-all]")) {
      boxes().forEach((b) => { b.checked = true; });
      $("[data-bulk-all]").value = "1";
      refresh();
    } else if (el.matches("[data-keys-help]")) {
      $("[data-keys-dialog]").showModal();
    } else if (el.matches("[data-preview-close]")) {
      $("[data-preview]").hidden = true;
    } else if (el.matches("[data-col-up]")) {
      const li = el.closest("li");
      if (li.previousElementSibling && li.previousElementSibling.previousElementSibling) {
        li.parentNode.insertBefore(li, li.previousElementSibling);
      }
    } else if (el.matches("[data-inline-edit]")) {
      event.preventDefault();
      startEdit(el.closest("td[data-inline]"));
    } else if (el.matches("[data-preview-open]")) {
      event.preventDefault();
      preview(el.closest("tr"));
    }
  });

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (form.matches("[data-bulk], .list-save form")) {
      // Filters changed through htmx since the page was drawn: send the address's.
      const query = $("input[name=query]", form);
      if (query) query.value = liveQuery();
    }
    if (form.matches("[data-columns-form]")) {
      const keys = $$("[data-column-list] li", form)
        .filter((li) => $("input", li).checked).map((li) => li.dataset.col);
      $("[data-cols]", form).value = keys.join(",");
    }
  });

  document.addEventListener("htmx:afterSwap", () => { current = -1; refresh(); });

  // --- Keyboard ------------------------------------------------------------------------------
  function move(step) {
    const list = rows();
    if (!list.length) return;
    current = Math.max(0, Math.min(list.length - 1, current + step));
    list.forEach((tr, i) => tr.classList.toggle("kbd-current", i === current));
    const link = $("a", list[current]);
    (link || list[current]).focus({ preventScroll: true });
    list[current].scrollIntoView({ block: "nearest" });
  }

  function currentRow() {
    const list = rows();
    if (current < 0 || current >= list.length) {
      const focused = document.activeElement && document.activeElement.closest("tr[data-pk]");
      if (!focused) return null;
      current = list.indexOf(focused);
    }
    return list[current] || null;
  }

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || !$("[data-list-table]")) return;
    if (typing(event.target) || $("dialog[open]")) return;
    const row = currentRow();
    switch (event.key) {
      case "j": move(1); break;
      case "k": move(-1); break;
      case "x": {
        if (!row) return;
        const box = $("input[name=ids]", row);
        if (box) { box.checked = !box.checked; box.dispatchEvent(new Event("change", { bubbles: true })); }
        break;
      }
      case "Enter": {
        if (!row || event.target.tagName === "A" || event.target.tagName === "BUTTON") return;
        const link = $("a", row);
        if (link) window.location.href = link.href;
        break;
      }
      case "p": if (row) preview(row); break;
      case "e": {
        const cell = row && $("td[data-inline]", row);
        if (cell) startEdit(cell);
        break;
      }
      case "/": {
        const filter = $("#filters input[type=search], #filters input:not([type=hidden]), #filters select");
        if (filter) filter.focus();
        break;
      }
      case "?": $("[data-keys-dialog]").showModal(); break;
      default: return;
    }
    event.preventDefault();
  });

  // --- Preview -------------------------------------------------------------------------------
  async function preview(row) {
    const link = row && $("a", row);
    const panel = $("[data-preview]");
    if (!link || !panel) return;
    const body = $("[data-preview-body]", panel);
    panel.hidden = false;
    const response = await fetch(link.href, { headers: { "X-Preview": "1" } });
    const doc = new DOMParser().parseFromString(await response.text(), "text/html");
    const main = doc.querySelector("#content");
    body.replaceChildren(...(main ? Array.from(main.childNodes) : []));
    $$("script", body).forEach((s) => s.remove());
  }

  // --- Cells edited in place -----------------------------------------------------------------
  function startEdit(cell) {
    if (!cell || $("input", cell)) return;
    const row = cell.closest("tr");
    const shown = cell.innerHTML;
    const input = document.createElement("input");
    input.className = "form-control form-control-sm";
    input.value = cell.dataset.value || "";
    input.setAttribute("aria-label", cell.dataset.label || "");
    const error = document.createElement("div");
    error.className = "inline-error";
    error.setAttribute("role", "alert");
    cell.replaceChildren(input, error);
    input.focus();
    input.select();
    input.addEventListener("keydown", async (event) => {
      if (event.key === "Escape") {
        cell.innerHTML = shown;
        return;
      }
      if (event.key !== "Enter") return;
      event.preventDefault();
      const body = new URLSearchParams({ field: cell.dataset.inline, value: input.value,
                                         version: row.dataset.version });
      const response = await fetch(row.dataset.inlineUrl, {
        method: "POST", body, headers: { "X-CSRFToken": csrf() } });
      const data = await response.json().catch(() => ({}));
      if (response.ok) {
        row.dataset.version = data.version;
        cell.dataset.value = input.value;
        cell.textContent = data.value || "—";
        cell.appendChild(editButton(cell));
      } else {
        // The typed value stays in the box: the user reloads or copies it, nothing is lost.
        error.textContent = data.detail || response.statusText;
        cell.classList.add("stale");
      }
    });
  }

  function editButton(cell) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-sm btn-link inline-edit";
    button.dataset.inlineEdit = "";
    button.setAttribute("aria-label", cell.dataset.editLabel || "Edit");
    button.innerHTML = '<i class="bi bi-pencil"></i>';
    return button;
  }

  document.addEventListener("DOMContentLoaded", refresh);
  refresh();
})();
