"""Who may use which URL, declared once per module (its `permissions.py`, a dict `URLS`).

The declarations drive the permission matrix test (core/tests/test_matrix.py), which walks every
URL of the project with users of every role in several jurisdictions: a URL nobody declared fails
the test, so a new module is covered as soon as it adds a route.

Rule for every URL: a user whose role may not use it gets 403 (whatever the object, so nothing
leaks); a permitted user gets `ok` for an object inside their jurisdiction and 404 outside it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from xiangcun.core.discovery import app_modules


def anyone(user) -> bool:
    return True


@dataclass(frozen=True)
class Access:
    allowed: Callable = anyone   # may this user use the URL at all (else 403)
    obj: str | None = None       # the kind of object the URL addresses, if any (drives the 404 check)
    method: str = "get"
    ok: int = 200                # what a permitted user gets for an object in scope
    public: bool = False         # reachable without signing in
    query: dict = field(default_factory=dict)
    headers: dict = field(default_factory=dict)
    kwargs: dict = field(default_factory=dict)  # URL arguments besides the object's pk


def declared() -> dict[str, Access]:
    """Every module's declarations, keyed by URL name ("divisions:detail", "division-list" …)."""
    out: dict[str, Access] = {}
    for module in app_modules("permissions"):
        out.update(module.URLS)
    return out
