"""The jurisdiction choke point: every query of domain records goes through `scope_q`.

A user sees the subtree of their jurisdiction, plus the subtrees of units that merged into it
(jurisdiction follows mergers). Users without a jurisdiction see nothing unless they are
administrators.
"""
from django.db.models import Q

from xiangcun.divisions.models import path_range


def scope_paths(user) -> list[str] | None:
    """Paths the user may see; None means everything."""
    if getattr(user, "sees_everything", False):
        return None
    if not getattr(user, "is_authenticated", False) or user.jurisdiction_id is None:
        return []
    cache = getattr(user, "_scope_paths", None)
    if cache is None:
        from xiangcun.divisions.services import absorbed_paths

        jurisdiction = user.jurisdiction
        cache = [jurisdiction.path, *absorbed_paths(jurisdiction)]
        user._scope_paths = cache
    return cache


def scope_q(user, path_field: str) -> Q:
    """A filter on `path_field` (a Division path, e.g. "path" or "unit__path") for the user's scope."""
    paths = scope_paths(user)
    if paths is None:
        return Q()
    if not paths:
        return Q(pk__in=[])
    q = Q()
    for p in paths:
        q |= path_range(p, path_field)
    return q
