"""Aggregation up the tree as of a date, and through mergers.

The geography is the tree on a date D (default: today). Every value was entered for the unit that
existed then; it rolls forward to the unit(s) that took that unit over by D (divisions' change
events: merges chain, a split shares a value equally among its successors). So the 2019 value of a
village merged in 2020 is the combination of its predecessors' 2019 values: a 2019 → 2022 series
of today's village (or township, or county) compares like with like.

Per element aggregation, in two steps — first the constituents of each current unit at the
collection level (a merged village's predecessors), then the units under a place:
  sum            Σ values (a split predecessor's value shared equally)
  count_yes      Σ over units of the share of its constituents answering yes (a merged village whose
                 two predecessors were one yes, one no counts ½ — like with like with the old count)
  share_yes      mean over units of that share
  mean           mean over units of the constituents' mean
  weighted_mean  Σ v·w / Σ w over all constituents, w the weight element's value for the same unit and period
  none           only the unit's own value (no aggregation)
Computed indicators evaluate their formula at the place with the aggregated inputs.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q

from xiangcun.divisions.models import ChangeEvent, Division, DivisionVersion, Level, valid_on
from xiangcun.divisions.scoping import area_q, subtree_q

from . import formula
from .models import Aggregation, DataElement, DataValue, Source


@dataclass
class Geography:
    """The units under `root` on `when`, and where every unit's records roll forward to."""

    root: Division
    when: dt.date
    versions: dict = field(default_factory=dict)     # unit id -> DivisionVersion valid on `when`
    ancestors: dict = field(default_factory=dict)    # unit id -> [ancestor ids on `when`, root first]
    candidates: Q = None                             # filter on Division paths of units that may roll in
    _successors: dict = field(default_factory=dict)
    _events: dict | None = None
    _values: dict = field(default_factory=dict)

    @classmethod
    def on(cls, root: Division, when: dt.date | None = None) -> Geography:
        when = when or dt.date.today()
        geo = cls(root=root, when=when)
        root_version = root.versions.filter(valid_on(when)).first()
        if root_version is not None:
            qs = DivisionVersion.objects.filter(valid_on(when)).filter(subtree_q(root_version.path))
            for v in qs.only("division_id", "path", "level", "name", "parent_id", "code"):
                geo.versions[v.division_id] = v
            for uid, v in geo.versions.items():
                ids = [int(x) for x in v.path.strip("/").split("/") if x]
                geo.ancestors[uid] = [i for i in ids if i in geo.versions]
        geo.candidates = area_q(root, "unit__path")
        return geo

    def units(self, level: int) -> list[int]:
        return [uid for uid, v in self.versions.items() if v.level == level]

    def under(self, target_id: int, level: int) -> list[int]:
        return [uid for uid, v in self.versions.items() if v.level == level and target_id in self.ancestors[uid]]

    def ancestor_at(self, unit_id: int, level: int) -> int | None:
        for a in self.ancestors.get(unit_id, []):
            if self.versions[a].level == level:
                return a
        return None

    # --- successors ----------------------------------------------------------------------------------

    def _load_events(self):
        self._events = defaultdict(list)
        events = ChangeEvent.objects.filter(effective_date__lte=self.when).prefetch_related("predecessors", "successors")
        for e in events.order_by("-effective_date", "-id"):
            succ = [s.pk for s in e.successors.all()]
            for p in e.predecessors.all():
                if p.pk not in succ:
                    self._events[p.pk].append(succ)

    def successors(self, unit: Division) -> list[tuple[int, float]]:
        """(unit id on `when`, share) that `unit`'s records roll forward to (itself if it exists then)."""
        if unit.pk in self._successors:
            return self._successors[unit.pk]
        if unit.pk in self.versions:
            result = [(unit.pk, 1.0)]
        else:
            if self._events is None:
                self._load_events()
            result = self._resolve(unit.pk, 1.0, set())
        self._successors[unit.pk] = result
        return result

    def _resolve(self, uid: int, share: float, seen: set) -> list[tuple[int, float]]:
        if uid in self.versions:
            return [(uid, share)]
        if uid in seen or not self._events.get(uid):
            return []  # outside the place on that date, or no event says where it went
        seen = seen | {uid}
        succ = self._events[uid][0]  # the latest event that ended it
        out: dict[int, float] = defaultdict(float)
        for s in succ:
            for target, part in self._resolve(s, share / len(succ), seen):
                out[target] += part
        return list(out.items())

    # --- values -------------------------------------------------------------------------------------

    def constituents(self, element: DataElement, period: str) -> dict[int, list[tuple[float | str, float, int]]]:
        """Current unit id -> [(value, share, source unit id)] of every value that rolls into it."""
        key = (element.pk, period)
        if key not in self._values:
            self._read_values({element.pk: element}, [period])
        return self._values[key]

    def _read_values(self, elements: dict, periods) -> None:
        """The constituents of every (element, period) pair of `elements` ({pk: element}) × `periods`, in one query."""
        found = {(pk, p): defaultdict(list) for pk in elements for p in periods}
        rows = (DataValue.objects.filter(element__in=list(elements), period__in=list(set(periods))).filter(self.candidates)
                .select_related("unit").only("element_id", "period", "number", "text", "unit__id", "unit__valid_from",
                                             "unit__valid_to", "unit__path", "unit__level").order_by("pk"))
        for row in rows:
            element, out = elements[row.element_id], found[row.element_id, row.period]
            value = row.text if not element.is_numeric else (None if row.number is None else float(row.number))
            if value is None or value == "":
                continue
            for target, share in self.successors(row.unit):
                out[target].append((value, share, row.unit_id))
        self._values.update(found)

    def preload(self, elements, periods: list[str]) -> None:
        """Read at once what `value_at` and `compute` will read one element and period at a time for these
        elements: their values, a computed element's inputs and their values, a weighted mean's weights."""
        elements = list(elements)
        computed = [e for e in elements if e.is_computed and ("inputs", e.pk) not in self._values]
        codes = {e.pk: formula.names(e.formula) for e in computed}
        by_code = {e.code: e for e in DataElement.objects.filter(code__in={c for cs in codes.values() for c in cs})}
        for e in computed:  # as compute() finds them
            self._values[("inputs", e.pk)] = (codes[e.pk], {c: by_code[c] for c in codes[e.pk] if c in by_code})
        entered = {e.pk: e for e in [*elements, *by_code.values()] if not e.is_computed}
        weights = [e.weight_id for e in entered.values() if e.aggregation == Aggregation.WEIGHTED_MEAN and e.weight_id]
        entered.update({e.pk: e for e in DataElement.objects.filter(pk__in=weights) if not e.is_computed})
        todo = {pk: e for pk, e in entered.items() if any((pk, p) not in self._values for p in periods)}
        if todo:
            self._read_values(todo, periods)


def _leaf(element: DataElement, parts, weights=None):
    """Combine the constituents of one current unit at the collection level."""
    agg = element.aggregation
    if not parts:
        return None
    if agg == Aggregation.SUM:
        return sum(v * s for v, s, _ in parts)
    if agg in (Aggregation.COUNT_YES, Aggregation.SHARE_YES):
        total = sum(s for _, s, _ in parts)
        return sum(s for v, s, _ in parts if v) / total if total else None
    if agg == Aggregation.MEAN:
        total = sum(s for _, s, _ in parts)
        return sum(v * s for v, s, _ in parts) / total if total else None
    if agg == Aggregation.WEIGHTED_MEAN:
        return _weighted(parts, weights)
    # none: a unit's own value, only when nothing else rolled into it
    return parts[0][0] if len(parts) == 1 else None


def _weighted(parts, weights):
    num = den = 0.0
    for v, s, src in parts:
        w = (weights or {}).get(src)
        if w is None:
            continue
        num += v * w * s
        den += w * s
    return num / den if den else None


def _weight_map(geo: Geography, element: DataElement, period: str) -> dict[int, float]:
    if element.aggregation != Aggregation.WEIGHTED_MEAN or element.weight_id is None:
        return {}
    out = {}
    for parts in geo.constituents(element.weight, period).values():
        for v, _s, src in parts:
            out[src] = v
    return out


def values_at_level(element: DataElement, period: str, geo: Geography, level: int) -> dict[int, float | str | None]:
    """The element's value for every unit of `level` under the geography's root (and the root itself if
    it is of that level). Computed elements are evaluated from their inputs at each unit."""
    targets = geo.units(level)
    if element.is_computed:
        return {t: compute(element, period, geo, t) for t in targets}
    return {t: value_at(element, period, geo, t) for t in targets}


def value_at(element: DataElement, period: str, geo: Geography, target: int):
    """The element's value at one unit of the geography (aggregated from below, through mergers)."""
    if element.is_computed:
        return compute(element, period, geo, target)
    parts_by_unit = geo.constituents(element, period)
    weights = _weight_map(geo, element, period)
    level = geo.versions[target].level
    if level == element.level:
        return _leaf(element, parts_by_unit.get(target, []), weights)
    if level > element.level or element.aggregation == Aggregation.NONE:
        return None
    leaves = [u for u in geo.under(target, element.level)]
    agg = element.aggregation
    if agg == Aggregation.WEIGHTED_MEAN:
        return _weighted([p for u in leaves for p in parts_by_unit.get(u, [])], weights)
    leaf_values = [x for x in (_leaf(element, parts_by_unit.get(u, [])) for u in leaves) if x is not None]
    if not leaf_values:
        return None
    if agg in (Aggregation.SUM, Aggregation.COUNT_YES):
        return sum(leaf_values)
    return sum(leaf_values) / len(leaf_values)


def coverage(element: DataElement, period: str, geo: Geography, target: int) -> tuple[int, int]:
    """(units with a value, units) at the element's collection level under `target`."""
    level = element.level
    leaves = [target] if geo.versions[target].level == level else geo.under(target, level)
    parts = geo.constituents(element, period)
    return sum(1 for u in leaves if parts.get(u)), len(leaves)


def reported_units(geo: Geography, period: str, level: int) -> set[int]:
    """Units of `level` on the geography into which some value people entered for `period` at that
    level rolls (a merged village has reported when any of its predecessors did)."""
    key = ("reported", period, level)
    if key not in geo._values:
        ids = (DataValue.objects.filter(period=period, element__source=Source.ENTRY, element__level=level)
               .filter(geo.candidates).values_list("unit_id", flat=True).distinct())
        out = set()
        for unit in Division.objects.filter(pk__in=list(ids)).only("id"):
            out.update(t for t, _ in geo.successors(unit))
        geo._values[key] = out
    return geo._values[key]


def compute(element: DataElement, period: str, geo: Geography, target: int):
    key = ("inputs", element.pk)
    if key not in geo._values:
        codes = formula.names(element.formula)
        geo._values[key] = (codes, {e.code: e for e in DataElement.objects.filter(code__in=codes)})
    codes, inputs = geo._values[key]
    values = {code: (value_at(inputs[code], period, geo, target) if code in inputs else None) for code in codes}
    reported = _reported_inputs(element, period, geo, target)
    for name, level in (("N_VILLAGES", Level.VILLAGE), ("N_TOWNSHIPS", Level.TOWNSHIP)):
        # a count of units is over the units that reported the inputs (one village of seven reporting
        # 通硬化路 is 1 of 1, stated with its coverage 1/7 — not 1 of 7, a rate deflated by silence)
        values[name] = (len(reported[level][0]) or None) if level in reported else _count(geo, target, level)
    return formula.evaluate(element.formula, values)


def _reported_inputs(element: DataElement, period: str, geo: Geography, target: int) -> dict[int, tuple[set, list]]:
    """Level -> (units that reported any of the formula's entered inputs of that level, units of that
    level) under `target`, for the input levels below or at the target."""
    codes, inputs = geo._values[("inputs", element.pk)]
    out: dict[int, tuple[set, list]] = {}
    target_level = geo.versions[target].level
    for code in codes:
        e = inputs.get(code)
        if e is None or e.is_computed or e.level < target_level:
            continue
        leaves = [target] if e.level == target_level else geo.under(target, e.level)
        parts = geo.constituents(e, period)
        done = {u for u in leaves if parts.get(u)}
        if e.level in out:
            out[e.level][0].update(done)
        else:
            out[e.level] = (done, leaves)
    return out


def coverage_of(element: DataElement, period: str, geo: Geography, target: int) -> tuple[int, int] | None:
    """(units that reported, units expected) behind the element's value at `target`: at its collection
    level, or for a computed indicator at the level of its inputs (the least covered level). None when
    the element is not collected at or under the target's level."""
    if target not in geo.versions:
        return None
    if element.is_computed:
        compute(element, period, geo, target)  # loads the inputs
        levels = _reported_inputs(element, period, geo, target)
        if not levels:
            return None
        done, leaves = min(levels.values(), key=lambda dl: len(dl[0]) / len(dl[1]) if dl[1] else 1)
        return len(done), len(leaves)
    if element.level < geo.versions[target].level:
        return None
    return coverage(element, period, geo, target)


def _count(geo: Geography, target: int, level: int) -> int | None:
    if geo.versions[target].level == level:
        return 1
    return len(geo.under(target, level)) or None


def series(element: DataElement, unit: Division, periods: list[str], when: dt.date | None = None, geo=None):
    """[(period, value)] of the element for `unit` across periods, on one geography (like with like)."""
    geo = geo or Geography.on(unit, when)
    if unit.pk not in geo.versions:
        return [(p, None) for p in periods]
    return [(p, value_at(element, p, geo, unit.pk)) for p in periods]
