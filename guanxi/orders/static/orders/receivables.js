// Recording a payment: "Allocate oldest first" spreads the payment's amount over the open
// invoices in the order shown (oldest first), each up to what it still owes.
document.addEventListener("click", (event) => {
  if (!event.target.closest("#fill-oldest")) return;
  const amount = document.getElementById("id_amount");
  let left = parseFloat((amount && amount.value) || "0") || 0;
  document.querySelectorAll("#open-items input.alloc").forEach((input) => {
    const take = Math.min(left, parseFloat(input.dataset.open));
    input.value = take > 0 ? take.toFixed(2) : "";
    left = Math.round((left - take) * 100) / 100;
  });
});
