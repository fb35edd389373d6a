"""The permission matrix's data (see core/tests/test_matrix.py), apart from the product's declarations.

Each app's `tests/matrix.py` says, for the URLs that need it, how the matrix calls the URL and what a
permitted user gets (`CASES = {url name: Case(...)}`; a URL without a case is a GET answering 200),
and may add object kinds of its own (`OBJECTS = {"kind": (rule, factory(users, unit) -> {label: pk})}`).
This file holds `Case` and the core module's own cases.
"""
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Case:
    obj: str | None = None       # the kind of object the URL addresses, if any (drives the 404 check)
    method: str = "get"
    ok: int = 200                # what a permitted user gets for an object in scope
    query: dict = field(default_factory=dict)
    headers: dict = field(default_factory=dict)
    kwargs: dict = field(default_factory=dict)  # URL arguments besides the object's pk


CASES = {
    "core:readyz": Case(ok=503),  # no job worker beats in the matrix test
    "core:job": Case(obj="job"),
    "core:job_progress": Case(obj="job", headers={"HTTP_HX_REQUEST": "true"}),
}


def _modules():
    import importlib

    from django.apps import apps

    for config in apps.get_app_configs():
        if config.name.startswith("xiangcun."):
            try:
                yield importlib.import_module(f"{config.name}.tests.matrix")
            except ModuleNotFoundError as exc:
                if not f"{config.name}.tests.matrix".startswith(exc.name or "-"):
                    raise


def cases() -> dict[str, Case]:
    """Every app's cases, keyed by URL name."""
    out: dict[str, Case] = {}
    for module in _modules():
        out.update(getattr(module, "CASES", {}))
    return out


def case_of(name: str) -> Case:
    return cases().get(name, Case())


def objects() -> dict:
    """Every app's own object kinds: {"kind": (rule, factory)}."""
    out: dict = {}
    for module in _modules():
        out.update(getattr(module, "OBJECTS", {}))
    return out


def made_once(build):
    """`kind(name)` → a matrix object factory: `build(users, unit)` (a dict of object kinds) runs once per matrix
    world and each kind is read from it."""
    made = {"users": None, "objects": None}

    def kind(name):
        def factory(users, unit):
            if made["users"] is not users:
                made["users"], made["objects"] = users, build(users, unit)
            return made["objects"][name]
        return factory
    return kind
