// Intake form: choosing an item reloads the page with that item's materials checklist.
(function () {
  const select = document.getElementById("item-select");
  if (select) select.addEventListener("change", () => document.getElementById("item-form").submit());
})();
