"""`core` is the ground floor: no module of it (tests aside) imports a domain app or the workbench."""
import ast
import re
from pathlib import Path

from django.conf import settings

CORE = Path(__file__).resolve().parents[1]
# The product's apps from the ground up, as INSTALLED_APPS lists them: each may import only those before it.
FLOORS = [app.removeprefix("xiangcun.") for app in settings.INSTALLED_APPS if app.startswith("xiangcun.")]
DOMAIN = re.compile(rf"^xiangcun\.({'|'.join(a for a in FLOORS if a != 'core')})(\.|$)")
ALLOWED: set[str] = set()  # core paths (relative) allowed to import the domain: none


def imported(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, dotted name) of every import in a module, at any depth (imports inside functions count)."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out += [(node.lineno, node.module)] + [(node.lineno, f"{node.module}.{a.name}") for a in node.names]
    return out


def domain_imports(root: Path) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        if rel.parts[0] == "tests" or rel.as_posix() in ALLOWED:
            continue
        for line, name in imported(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if DOMAIN.match(name):
                found.append(f"{rel.as_posix()}:{line} imports {name}")
    return found


def test_core_imports_no_domain_app():
    assert domain_imports(CORE) == []


def test_the_check_sees_an_import_of_a_domain_app(tmp_path):
    (tmp_path / "views.py").write_text("from xiangcun.core import cards\nfrom xiangcun import divisions\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "late.py").write_text("def f():\n    import xiangcun.workbench.views\n")
    (tmp_path / "fine.py").write_text("from xiangcun.core.audit import log_event\nimport xiangcun.accountsy\n")
    assert domain_imports(tmp_path) == ["sub/late.py:2 imports xiangcun.workbench.views",
                                        "views.py:2 imports xiangcun.divisions"]


PACKAGE = CORE.parent


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(root: Path) -> dict[str, set[str]]:
    """Module → the product modules it imports (relative imports resolved; imports inside functions count)."""
    files = {module_name(p, root): p for p in root.rglob("*.py")
             if "tests" not in p.relative_to(root).parts and "migrations" not in p.relative_to(root).parts}
    graph = {}
    for name, path in files.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                found = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = package
                for _ in range(node.level - 1):
                    base = base.rpartition(".")[0]
                base = f"{base}.{node.module}" if node.level and node.module else (base if node.level else node.module)
                # `from pkg import module` imports that module; `from pkg import name` the package itself
                found = [f"{base}.{a.name}" if f"{base}.{a.name}" in files else base for a in node.names]
            else:
                continue
            targets |= {t for t in found if t in files and t != name}
        graph[name] = targets
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def upward_imports(graph: dict[str, set[str]], floors: list[str]) -> list[str]:
    """Imports from an app to an app listed after it in INSTALLED_APPS (a higher floor)."""
    def app_of(module):
        part = module.split(".")[1] if module.count(".") else ""
        return part if part in floors else None

    found = []
    for module, targets in sorted(graph.items()):
        low = app_of(module)
        for target in sorted(targets):
            high = app_of(target)
            if low and high and floors.index(high) > floors.index(low):
                found.append(f"{module} imports {target}")
    return found


def test_every_app_imports_only_the_apps_below_it():
    """INSTALLED_APPS is the house from the ground up (core, accounts, divisions, bodies, collective, assets …,
    workbench): an app reaches a higher one only through a slot the higher one fills (docs/PLATFORM.md)."""
    assert FLOORS[0] == "core" and FLOORS[-1] == "workbench"
    assert upward_imports(import_graph(PACKAGE), FLOORS) == []


def test_the_floor_check_sees_an_import_from_below():
    graph = {"xiangcun.collective.services": {"xiangcun.assets.services", "xiangcun.core.audit"},
             "xiangcun.assets.services": {"xiangcun.collective.models"}}
    assert upward_imports(graph, ["core", "collective", "assets"]) == [
        "xiangcun.collective.services imports xiangcun.assets.services"]


def test_no_product_module_imports_itself_round_a_circle():
    """No import cycle anywhere in the product, lazy imports inside functions included."""
    assert cycles(import_graph(PACKAGE)) == []


def test_the_cycle_check_sees_a_circle_through_a_lazy_import(tmp_path):
    pkg = tmp_path / "xiangcun"
    (pkg / "app").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "app" / "__init__.py").write_text("")
    (pkg / "app" / "models.py").write_text("def f():\n    from . import services\n")
    (pkg / "app" / "services.py").write_text("from .models import f\n")
    (pkg / "app" / "views.py").write_text("from xiangcun.app import services\n")
    assert cycles(import_graph(pkg)) == [["xiangcun.app.models", "xiangcun.app.services"]]
