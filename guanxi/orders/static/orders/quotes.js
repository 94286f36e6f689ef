// The quote editor: each line's product box searches the catalogue (htmx fills the list);
// picking a product sets the line's product and lets the lines recompute.
document.addEventListener("alpine:init", () => {
  Alpine.data("productPicker", () => ({
    open: false,
    show() { this.open = true; },
    hide() { this.open = false; },
    menuClass() { return this.open ? "show" : ""; },
    // The search box's own changes are not line changes: only a picked product is.
    ignore() {},
    pick(event) {
      const item = event.target.closest("[data-product-id]");
      if (!item) return;
      this.$refs.product.value = item.dataset.productId;
      this.$refs.search.value = `${item.dataset.code} ${item.dataset.name}`;
      this.open = false;
      this.$refs.product.dispatchEvent(new Event("change", { bubbles: true }));
    },
  }));
});
