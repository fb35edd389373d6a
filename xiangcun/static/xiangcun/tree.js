// The division tree of the 区划单位 page: ▸ opens a unit (its children are loaded once from the server),
// ▾ closes it; 全部收起 closes every open unit.
(function () {
  const tree = document.getElementById("division-tree");
  if (!tree) return;
  const show = (node, open) => {
    node.setAttribute("aria-expanded", open ? "true" : "false");
    node.querySelector(":scope > .tree-row > .tree-toggle").textContent = open ? "▾" : "▸";
    node.querySelector(":scope > .tree-children").hidden = !open;
  };
  tree.addEventListener("click", event => {
    const button = event.target.closest(".tree-toggle");
    if (!button) return;
    const node = button.closest(".tree-node");
    const box = node.querySelector(":scope > .tree-children");
    if (node.getAttribute("aria-expanded") === "true") { show(node, false); return; }
    if (box.dataset.loaded) { show(node, true); return; }
    button.disabled = true;
    fetch(button.dataset.url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(r => { if (!r.ok) throw new Error(r.status); return r.text(); })
      .then(html => { box.innerHTML = html; box.dataset.loaded = "1"; show(node, true); })
      .catch(() => { box.innerHTML = '<div class="text-danger small">下级单位加载失败,请刷新页面重试</div>'; box.hidden = false; })
      .finally(() => { button.disabled = false; });
  });
  const all = document.getElementById("tree-collapse-all");
  if (all) all.addEventListener("click", () => tree.querySelectorAll('.tree-node[aria-expanded="true"]').forEach(n => show(n, false)));
})();
