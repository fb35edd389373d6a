// Network page: a link to #tab-points (after saving a point) opens that tab.
(function () {
  const button = Array.from(document.querySelectorAll("#network-tabs [data-bs-target]"))
    .find(b => location.hash && b.dataset.bsTarget === location.hash);
  if (button && window.bootstrap) window.bootstrap.Tab.getOrCreateInstance(button).show();
})();
