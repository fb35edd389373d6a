// Revitalisation plan form: show the fields of the chosen route only.
(function () {
  const form = document.getElementById("plan-form");
  if (!form) return;
  const update = () => {
    const checked = form.querySelector("input[name=route]:checked");
    const route = checked ? checked.value : "";
    form.querySelectorAll(".route-fields").forEach(el => el.classList.toggle("active", el.dataset.route === route));
  };
  form.querySelectorAll("input[name=route]").forEach(el => el.addEventListener("change", update));
  update();
})();
