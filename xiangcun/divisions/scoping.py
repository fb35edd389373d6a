"""Jurisdiction scoping: the one choke point for what a user may see and write.

A user sees the subtree of their jurisdiction, plus the subtrees of units that merged into it
(jurisdiction follows mergers). Users without a jurisdiction see nothing unless they see everything
(administrators).

- Reading: a model declares the division path field(s) it hangs on, `scope_fields = ("unit__path",)`
  (a class attribute of the model), and uses a `ScopedQuerySet` manager; `Model.objects.visible_to(user)`
  is then the user's records (any of the fields in scope). `PUBLISHED` instead declares a table everyone
  reads. `divisions/tests/test_scoping.py` fails on a model that hangs on a division and declares nothing.
- Writing: `ensure_in_scope(user, *units)` raises `OutOfScope` (a PermissionDenied, Chinese message);
  `in_scope(user, *units)` is the same check as a boolean.
- Areas: `area_q(unit)` is "the subtree of this unit and of the units merged into it"; `subtree_q(unit)`
  the subtree alone. Both are index range scans on a materialised path ("/1/7/42/").
- Pages about a place: `places(user)` are the units a user may choose, `scope_of(request)` the one chosen
  by `?scope=`.

This module imports nothing of the registry: `divisions.models` builds on `ScopedQuerySet`, so the
registry's model is looked up in Django's app registry (`_division()`) where a query needs it.
"""
from __future__ import annotations

import operator
from functools import reduce

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404

from xiangcun.core.ledger import LedgerQuerySet

# `scope_fields = PUBLISHED`: a published table (e.g. item lists, the holiday calendar) every user reads.
PUBLISHED = "published"


class OutOfScope(PermissionDenied):
    """A write that would put or leave a record outside the user's jurisdiction; the message is Chinese.

    Being a PermissionDenied, a page that does not catch it answers 403 with the message; forms, imports
    and the API catch it beside their module's own error and show the message where they show those."""


# --- paths -----------------------------------------------------------------------------------------

def _path(unit_or_path) -> str:
    return unit_or_path if isinstance(unit_or_path, str) else unit_or_path.path


def subtree_q(unit_or_path, field: str = "path") -> Q:
    """Everything at or under a unit (or a path "/1/7/"), as an index-friendly range on `field`.

    '/' is followed by '0' in ASCII, so [path, path[:-1] + '0') holds exactly the descendants: "/1/7/"
    takes "/1/7/42/" but not "/1/70/"."""
    path = _path(unit_or_path)
    return Q(**{f"{field}__gte": path, f"{field}__lt": path[:-1] + "0"})


def paths_q(paths, field: str = "path") -> Q:
    """The subtrees of several paths (none: nothing)."""
    q = Q(pk__in=[]) if not paths else Q()
    for p in paths:
        q |= subtree_q(p, field)
    return q


def _division():
    return apps.get_model("divisions", "Division")


def absorbed_paths(division) -> list[str]:
    """Paths of abolished units whose records roll forward to `division` (a unit or its id): jurisdiction
    follows mergers. Areas and scopes use it through `area_q` / `scope_paths`."""
    pk = getattr(division, "pk", division)
    paths, frontier, seen = [], [pk], {pk}
    while frontier:
        preds = (
            _division().objects.filter(events_as_predecessor__successors__in=frontier, valid_to__isnull=False)
            .exclude(pk__in=seen)
            .distinct()
        )
        frontier = []
        for p in preds:
            seen.add(p.pk)
            frontier.append(p.pk)
            paths.append(p.path)
    return paths


def area_paths(unit_or_path) -> list[str]:
    """The unit's path and the paths of the abolished units whose records roll forward to it."""
    path = _path(unit_or_path)
    pk = unit_or_path.pk if not isinstance(unit_or_path, str) else int(path.strip("/").split("/")[-1])
    return [path, *absorbed_paths(pk)]


def area_q(unit_or_path, field: str = "path") -> Q:
    """The one filter for an area: the subtree of this unit plus the subtrees of units merged into it."""
    return paths_q(area_paths(unit_or_path), field)


def merged_units(unit):
    """The abolished units whose records roll forward to `unit` (the tops of what merged into it)."""
    return _division().objects.filter(path__in=area_paths(unit)[1:])


# --- the user's scope --------------------------------------------------------------------------------

def scope_paths(user) -> list[str] | None:
    """Paths the user may see (their jurisdiction and what merged into it); None means everything."""
    if getattr(user, "sees_everything", False):
        return None
    if not getattr(user, "is_authenticated", False) or user.jurisdiction_id is None:
        return []
    cache = getattr(user, "_scope_paths", None)
    if cache is None:
        cache = area_paths(user.jurisdiction)
        user._scope_paths = cache
    return cache


def scope_q(user, path_field: str) -> Q:
    """A filter on `path_field` (a division path, e.g. "path" or "unit__path") for the user's scope."""
    paths = scope_paths(user)
    return Q() if paths is None else paths_q(paths, path_field)


def in_scope(user, *units) -> bool:
    """Whether every unit (a Division or a path; None is skipped) lies in the user's scope."""
    paths = scope_paths(user)
    if paths is None:
        return True
    return all(any(_path(u).startswith(p) for p in paths) for u in units if u is not None)


def ensure_in_scope(user, *units, message: str | None = None) -> None:
    """A write must leave the record inside the user's jurisdiction: raise OutOfScope naming the first
    unit outside it (or with `message`). `user` None is a system write (demo, command): not checked."""
    if user is None:
        return
    for unit in units:
        if unit is not None and not in_scope(user, unit):
            raise OutOfScope(message or f"{unit.name}不在您的管辖范围内")


def code_prefixes(user) -> list[str] | None:
    """Code prefixes of the user's units (their jurisdiction and what merged into it); None: everything.
    NBS editions and reconciliation runs are scoped by code prefix, not by path."""
    from .nbs import prefix_of

    paths = scope_paths(user)
    if paths is None:
        return None
    return [prefix_of(code) for code in _division().objects.filter(path__in=paths).exclude(code="").values_list("code", flat=True)]


def ensure_prefix_in_scope(user, prefix: str) -> None:
    """A code-prefix scope (a reconciliation's) must lie inside one of the user's units ("": the whole
    country, for those who see everything): raise OutOfScope."""
    prefixes = code_prefixes(user)
    if prefixes is not None and not (prefix and any(prefix.startswith(p) for p in prefixes)):
        raise OutOfScope("该范围不在您的管辖范围内" if prefix else "请填写您管辖范围内的区划代码前缀")


class ScopedQuerySet(models.QuerySet):
    """The queryset base of every record that hangs on a division: `visible_to(user)` is written here once,
    from the model's `scope_fields` (division path lookups, e.g. ("holder_path", "custodian_path") or
    ("unit__path",); a record is visible when any of them lies in the user's scope)."""

    def visible_to(self, user):
        fields = self.model.scope_fields
        if fields == PUBLISHED or scope_paths(user) is None:
            return self.all()
        qs = self.filter(reduce(operator.or_, (scope_q(user, field) for field in fields)))
        return qs.distinct() if any(_through_many(self.model, f) for f in fields) else qs


class ScopedLedgerQuerySet(LedgerQuerySet, ScopedQuerySet):
    """ScopedQuerySet for ledger records (core.ledger: rows are marked deleted, never deleted in bulk)."""


def _through_many(model, lookup: str) -> bool:
    """Whether a lookup crosses a to-many relation (the filter then repeats rows)."""
    for name in lookup.split("__")[:-1]:
        field = model._meta.get_field(name)
        if field.many_to_many or field.one_to_many:
            return True
        model = field.related_model
    return False


# --- the place a page is about --------------------------------------------------------------------

def places(user):
    """Places the user may look at: current county and township units in scope (villages via their township)."""
    from .levels import Level

    return _division().objects.visible_to(user).current().filter(level__in=(Level.COUNTY, Level.TOWNSHIP)).order_by("path")


def scope_of(request):
    """The place the page is about: ?scope=<pk> among the user's places, else the widest of them."""
    from django.shortcuts import get_object_or_404

    from xiangcun.core import params

    qs = places(request.user)
    pk = params.get_id({"scope": request.GET.get("scope") or request.POST.get("scope")}, "scope")
    if pk:
        return get_object_or_404(qs, pk=pk)
    scope = qs.order_by("level", "path").first()
    if scope is None:
        raise Http404("您的管辖范围内没有乡镇或县级单位")
    return scope


def requested_unit(user, query, name: str = "scope"):
    """The unit a statistic is asked for (`?scope=<pk>`, any level) among the units the user sees, else the user's
    own jurisdiction (None for an administrator who sees everything). A unit outside the scope is 404, as if absent
    (Django's Http404, which the API answers as its JSON 404 too)."""
    from xiangcun.core import params

    pk = params.get_id(query, name)
    if not pk:
        return user.jurisdiction if getattr(user, "jurisdiction_id", None) else None
    unit = _division().objects.visible_to(user).filter(pk=pk).first()
    if unit is None:
        raise Http404("该单位不存在或不在您的管辖范围内")
    return unit

