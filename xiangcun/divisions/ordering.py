"""How units are ordered and named where people pick them.

Villager groups are numbered (一组、二组 … 十二组, 3组, 第五村民小组): they sort by that number, not as text
(as text 一组, 七组, 三组, 二组 …). Siblings other than groups sort by code, then name. Two groups of the
same name under one village (a merger moved the groups of an abolished village into it) are told apart
by the village they came from: 一组(原七里村)."""
import math
import re

from .models import Division, DivisionVersion, Level

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100}
_NUMBER = re.compile(r"([0-9０-９]+|[零〇一二两三四五六七八九十百]+)\s*(?:村民小组|小组|组|社|队)")


def chinese_number(text: str) -> int | None:
    """一 → 1, 十二 → 12, 二十 → 20, 一百零五 → 105, 12 / １２ → 12; None when it is not a number."""
    if not text:
        return None
    if text.isdigit():
        return int(text.translate(str.maketrans("０１２３４５６７８９", "0123456789")))
    total, digit = 0, None
    for ch in text:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        elif ch in _UNITS:
            total += (1 if digit is None else digit) * _UNITS[ch]
            digit = None
        else:
            return None
    return total + (digit or 0)


def group_number(name: str) -> int | None:
    """The number of a villager group from its name: 三组 → 3, 第十二村民小组 → 12, 5社 → 5."""
    m = _NUMBER.search(name or "")
    return chinese_number(m.group(1)) if m else None


def sibling_key(unit) -> tuple:
    """Order among units of one parent: groups by their number, others by code; then by name."""
    if unit.level == Level.GROUP:
        n = group_number(unit.name)
        return (0, n if n is not None else math.inf, "", unit.name)
    return (0, 0, unit.code or "~", unit.name)


def tree_sorted(units) -> list:
    """Units (each with `path`) in tree order: each parent before its children, siblings by sibling_key."""
    units = list(units)
    by_pk = {u.pk: u for u in units}

    def key(u):
        out = []
        for pk in (int(x) for x in u.path.strip("/").split("/") if x):
            node = by_pk.get(pk)
            out.append(sibling_key(node) if node is not None else (1, pk, "", ""))
        return out

    return sorted(units, key=key)


def former_parents(groups) -> dict[int, Division]:
    """{group pk: the village a group was under first} for the groups a change moved to another village."""
    groups = [g for g in groups if g.level == Level.GROUP]
    out: dict[int, Division] = {}
    firsts = (DivisionVersion.objects.filter(division__in=groups).select_related("parent")
              .order_by("division_id", "valid_from"))
    current = {g.pk: g.parent_id for g in groups}
    for v in firsts:
        if v.division_id not in out and v.parent_id and v.parent_id != current[v.division_id]:
            out[v.division_id] = v.parent
        out.setdefault(v.division_id, None)
    return {pk: parent for pk, parent in out.items() if parent is not None}


def group_label(group, former: dict | None = None, with_village: bool = True) -> str:
    """一组(原七里村) for a group a merger moved; 一组(松岗村) otherwise (or 一组 under its village in a tree)."""
    moved = (former or {}).get(group.pk)
    if moved is not None:
        return f"{group.name}(原{moved.name})"
    if with_village and group.parent_id:
        return f"{group.name}({group.parent.name})"
    return group.name
