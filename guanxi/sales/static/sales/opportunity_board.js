/* The kanban board: drag a card to another column to move the opportunity to that stage.
   Dropping on "lost" asks for the reason first. The server answers with the new totals per
   column; a refusal (409: someone changed it meanwhile) puts the card back, reloaded. */
(() => {
  const board = document.getElementById("board");
  if (!board || !window.Sortable) return;
  const texts = JSON.parse(document.getElementById("board-texts").textContent);
  const message = document.getElementById("board-message");
  const csrf = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"];
  const owner = new URLSearchParams(location.search).get("owner") || "";
  const lossModalEl = document.getElementById("loss-modal");
  const lossModal = bootstrap.Modal.getOrCreateInstance(lossModalEl);
  const lossForm = document.getElementById("loss-form");
  let pendingLoss = null;

  function say(text) {
    message.textContent = text;
    message.classList.toggle("d-none", !text);
  }

  function putBack(drop) {
    const { item, from, oldIndex } = drop;
    const ref = from.querySelectorAll(".opp-card")[oldIndex] || from.querySelector(".opp-more");
    from.insertBefore(item, ref || null);
  }

  function applyTotals(totals) {
    board.querySelectorAll(".opp-column").forEach((column) => {
      const t = totals[column.dataset.stage] || { count: 0, amount: "0" };
      column.querySelector("[data-count]").textContent = t.count;
      column.querySelector("[data-total]").textContent = t.amount;
    });
  }

  async function reloadCard(item) {
    const response = await fetch(item.dataset.cardUrl, { headers: { "HX-Request": "true" } });
    if (!response.ok) { item.remove(); return; }
    const holder = document.createElement("div");
    holder.innerHTML = (await response.text()).trim();
    const fresh = holder.firstElementChild;
    const column = board.querySelector(`.opp-cards[data-stage="${fresh.dataset.stage}"]`);
    if (column && column !== item.parentElement) column.prepend(fresh);
    else item.before(fresh);
    item.remove();
  }

  async function move(drop, loss) {
    const item = drop.item;
    const body = new FormData();
    body.append("stage", drop.to.dataset.stage);
    body.append("version", item.dataset.version);
    body.append("owner", owner);
    if (loss) { body.append("loss_reason", loss.reason); body.append("loss_note", loss.note); }
    item.classList.add("is-saving");
    try {
      const response = await fetch(item.dataset.moveUrl, {
        method: "POST", body, headers: { "X-CSRFToken": csrf, Accept: "application/json" },
      });
      const data = await response.json().catch(() => ({}));
      if (response.ok) {
        item.dataset.version = data.version;
        item.dataset.stage = data.stage;
        applyTotals(data.totals);
        say("");
      } else {
        say(response.status === 409 ? texts.stale : (data.detail || texts.failed));
        putBack(drop);
        await reloadCard(item);
      }
    } catch (error) {
      say(texts.failed);
      putBack(drop);
    } finally {
      item.classList.remove("is-saving");
    }
  }

  lossForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const reason = lossForm.loss_reason.value;
    if (!reason) { lossForm.loss_reason.classList.add("is-invalid"); return; }
    const drop = pendingLoss;
    pendingLoss = null;
    lossModal.hide();
    move(drop, { reason, note: lossForm.loss_note.value });
  });
  lossModalEl.addEventListener("hidden.bs.modal", () => {
    if (pendingLoss) { putBack(pendingLoss); pendingLoss = null; }
  });

  board.querySelectorAll(".opp-cards").forEach((list) => {
    Sortable.create(list, {
      group: "opportunities", animation: 150, draggable: ".opp-card", filter: ".opp-more",
      // Mouse and touch events instead of native drag and drop: the same behaviour in every
      // browser, and the board scrolls while a card is held near its edge.
      forceFallback: true, fallbackTolerance: 3, scroll: true, bubbleScroll: true,
      onEnd(drop) {
        if (drop.from === drop.to) return;
        if (drop.to.closest(".opp-column").dataset.kind === "lost") {
          pendingLoss = drop;
          lossForm.reset();
          lossForm.loss_reason.classList.remove("is-invalid");
          lossModal.show();
          return;
        }
        move(drop, null);
      },
    });
  });
})();
