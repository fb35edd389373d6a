// Intake form: choosing a village or an item reloads the page with what that village's window may take
// and the item's materials checklist.
(function () {
  ["item-select", "village-select"].forEach(id => {
    const select = document.getElementById(id);
    if (select) select.addEventListener("change", () => document.getElementById("item-form").submit());
  });
})();
