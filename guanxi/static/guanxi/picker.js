// Pickers: <div data-picker="customer" data-url="/api/pick/customer"> holding a hidden input
// (the chosen id), a combobox input and a listbox. Typing asks the server (name, pinyin,
// initials, phone or number; only what the user may see); arrows move, Enter picks, Esc closes.
// Without a pick the hidden input carries what was typed, so an exact name still works
// (with data-picker-keep it keeps the last pick instead: the quote editor's product lines).
// A pick fires "change" on the hidden input and "picker:picked" on the picker (detail: choice).
(function () {
  let serial = 0;

  function setup(root) {
    if (root.dataset.pickerReady) return;
    root.dataset.pickerReady = "1";
    const hidden = root.querySelector("[data-picker-value]");
    const input = root.querySelector("[data-picker-input]");
    const list = root.querySelector("[role=listbox]");
    if (!list.id) list.id = `picker-${++serial}`;
    let choices = [];
    let active = -1;
    let timer = null;
    let asked = "";
    let picked = input.value;

    function open(yes) {
      list.classList.toggle("show", yes);
      input.setAttribute("aria-expanded", yes ? "true" : "false");
      if (!yes) {
        active = -1;
        input.removeAttribute("aria-activedescendant");
      }
    }

    function mark() {
      Array.from(list.children).forEach((li, i) => {
        const on = i === active;
        li.classList.toggle("active", on);
        li.setAttribute("aria-selected", on ? "true" : "false");
        if (on) {
          input.setAttribute("aria-activedescendant", li.id);
          li.scrollIntoView({ block: "nearest" });
        }
      });
    }

    function render() {
      list.replaceChildren();
      if (!choices.length) {
        const li = document.createElement("li");
        li.className = "dropdown-item-text text-secondary small picker-empty";
        li.textContent = root.dataset.empty || "";
        list.append(li);
      }
      choices.forEach((choice, i) => {
        const li = document.createElement("li");
        li.id = `${list.id}-${i}`;
        li.setAttribute("role", "option");
        li.className = "dropdown-item picker-option";
        li.dataset.id = choice.id;
        const title = document.createElement("div");
        title.textContent = choice.label;
        li.append(title);
        if (choice.detail) {
          const detail = document.createElement("div");
          detail.className = "small text-secondary text-truncate";
          detail.textContent = choice.detail;
          li.append(detail);
        }
        // mousedown, not click: the input's blur would close the list first.
        li.addEventListener("mousedown", (event) => {
          event.preventDefault();
          pick(i);
        });
        list.append(li);
      });
      active = choices.length ? 0 : -1;
      mark();
      open(true);
    }

    function ask() {
      const q = input.value.trim();
      if (!q) {
        choices = [];
        open(false);
        return;
      }
      asked = q;
      const url = new URL(root.dataset.url, window.location.origin);
      url.searchParams.set("q", q);
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then((response) => (response.ok ? response.json() : []))
        .then((rows) => {
          if (asked !== q || input.value.trim() !== q) return;  // a later query is on its way
          choices = rows;
          render();
        })
        .catch(() => {});
    }

    function pick(i) {
      const choice = choices[i];
      if (!choice) return;
      hidden.value = choice.id;
      input.value = choice.label;
      picked = choice.label;
      open(false);
      hidden.dispatchEvent(new Event("change", { bubbles: true }));
      root.dispatchEvent(new CustomEvent("picker:picked", { bubbles: true, detail: choice }));
    }

    input.addEventListener("input", () => {
      if (!("pickerKeep" in root.dataset)) hidden.value = input.value.trim();
      clearTimeout(timer);
      timer = setTimeout(ask, 150);
    });
    // The visible box is not a field of the form: its changes are not the form's.
    input.addEventListener("change", (event) => event.stopPropagation());
    input.addEventListener("keydown", (event) => {
      const shown = list.classList.contains("show");
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (!shown) {
          if (choices.length) render(); else ask();
          return;
        }
        if (!choices.length) return;
        const step = event.key === "ArrowDown" ? 1 : -1;
        active = (active + step + choices.length) % choices.length;
        mark();
      } else if (event.key === "Enter") {
        if (shown && active >= 0) {
          event.preventDefault();
          pick(active);
        }
      } else if (event.key === "Escape") {
        if (shown) {
          event.preventDefault();
          event.stopPropagation();
          open(false);
        } else if (input.value !== picked) {
          input.value = picked;
        }
      } else if (event.key === "Tab" && shown) {
        open(false);
      }
    });
    input.addEventListener("blur", () => setTimeout(() => open(false), 100));
  }

  function setupAll(node) {
    const scope = node && node.querySelectorAll ? node : document;
    if (scope.matches && scope.matches("[data-picker]")) setup(scope);
    scope.querySelectorAll("[data-picker]").forEach(setup);
  }

  document.addEventListener("DOMContentLoaded", () => setupAll(document));
  document.addEventListener("htmx:load", (event) => setupAll(event.detail.elt));
  window.guanxiPickers = { setupAll };
}());
