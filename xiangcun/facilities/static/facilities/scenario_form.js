// Scenario form: 必须保留 / 必须撤并 offer only the facilities of the chosen service (the server refuses others).
(function () {
  const form = document.getElementById("scenario-form");
  const data = document.getElementById("service-types");
  if (!form || !data) return;
  const types = JSON.parse(data.textContent);
  const service = form.querySelector("select[name=service]");
  const pickers = form.querySelectorAll("select[name=must_keep], select[name=must_close]");
  const apply = () => {
    const own = types[service.value] || [];
    pickers.forEach(select => select.querySelectorAll("option").forEach(option => {
      const shown = own.includes(option.dataset.type);
      option.hidden = !shown;
      option.disabled = !shown;
      if (!shown) option.selected = false;
    }));
  };
  service.addEventListener("change", apply);
  apply();
})();
