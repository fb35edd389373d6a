"""Reform statistics: counts of township- and village-level units before and after, for a scope.

Counts come from the registry when it holds the scope on that date (it then includes villager
groups), otherwise from the latest NBS edition on or before that date that covers the scope.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db.models import Count

from . import nbs
from .models import DivisionVersion, Edition, EditionEntry, Kind, valid_on
from .scoping import subtree_q

# (key, label in tables, word in the paragraph, kinds counted)
CATEGORIES = [
    ("township_level", "乡级单位合计", "乡镇", None),
    ("town", "镇", "镇", {Kind.TOWN}),
    ("township", "乡(含民族乡)", "乡", {Kind.TOWNSHIP, Kind.ETHNIC_TOWNSHIP}),
    ("subdistrict", "街道", "街道", {Kind.SUBDISTRICT}),
    ("township_other", "其他乡级单位", "其他乡级单位", {Kind.TOWNSHIP_OTHER}),
    ("village", "建制村", "建制村", {Kind.VILLAGE}),
    ("community", "社区(含类似单位)", "社区", {Kind.COMMUNITY}),
    ("village_other", "其他村级单位", "其他村级单位", {Kind.VILLAGE_OTHER}),
    ("villager_group", "村民小组", "村民小组", {Kind.VILLAGER_GROUP}),
]
TOWNSHIP_KINDS = {Kind.TOWN, Kind.TOWNSHIP, Kind.ETHNIC_TOWNSHIP, Kind.SUBDISTRICT, Kind.TOWNSHIP_OTHER}


class StatsError(Exception):
    pass


def _registry_counts(code: str, when: dt.date):
    scope = DivisionVersion.objects.filter(code=code).filter(valid_on(when)).select_related("division").first()
    if scope is None or not scope.division.in_complete_subtree():
        return None
    rows = (
        DivisionVersion.objects.filter(valid_on(when)).filter(subtree_q(scope.path)).exclude(pk=scope.pk)
        .values("kind").annotate(n=Count("id"))
    )
    return Counter({r["kind"]: r["n"] for r in rows}), "区划台账", scope.name, scope.level


def _edition_counts(code: str, when: dt.date):
    prefix = nbs.prefix_of(code)
    for edition in Edition.objects.filter(ref_date__lte=when).order_by("-ref_date"):
        if not any(prefix.startswith(s) for s in edition.scopes):
            continue
        scope = EditionEntry.objects.filter(edition=edition, code=code).first()
        if scope is None:
            continue
        counts = Counter()
        rows = EditionEntry.objects.filter(edition=edition, code__startswith=prefix, level__gte=4).exclude(code=code)
        for c, name, level in rows.values_list("code", "name", "level").iterator(chunk_size=20000):
            counts[nbs.classify(c, name, level)] += 1
        return counts, f"国家统计局统计用区划代码({edition.year}年版,截至{edition.ref_date})", nbs.display_name(scope.name), scope.level
    return None


def counts_on(code: str, when: dt.date):
    """(kind counts, source description, scope name, scope level) for the unit with `code` on `when`."""
    found = _registry_counts(code, when) or _edition_counts(code, when)
    if found is None:
        raise StatsError(f"{when} 时没有代码为 {code} 的单位:区划台账中没有,也没有覆盖该日期和范围的统计用区划代码版次")
    return found


def scope_word(name: str, level: int) -> str:
    """全省/全市/全州/全县/全区/全旗 … as a reform office writes it."""
    if level == 1:
        if name.endswith("自治区"):
            return "全区"
        return "全市" if name.endswith("市") else "全省"
    for suffix, word in (("自治州", "全州"), ("州", "全州"), ("地区", "全区"), ("盟", "全盟"), ("自治县", "全县"),
                         ("县", "全县"), ("旗", "全旗"), ("特区", "全区"), ("林区", "全区"), ("区", "全区"), ("市", "全市"),
                         ("街道", "全街道"), ("镇", "全镇"), ("乡", "全乡")):
        if name.endswith(suffix):
            return word
    return "全域"


def reform_stats(code: str, date_from: dt.date, date_to: dt.date) -> dict:
    """The before/after table and the paragraph for a scope (a 12-digit code or its prefix)."""
    code = code.strip()
    if not code.isdigit() or len(code) > 12:
        raise StatsError(f"范围“{code}”应为统计用区划代码(最多 12 位数字)")
    code = code.ljust(12, "0")
    if date_from >= date_to:
        raise StatsError("起始日期须早于截止日期")
    before, src_before, name, level = counts_on(code, date_from)
    after, src_after, name_after, _ = counts_on(code, date_to)
    rows = []
    for key, label, word, kinds in CATEGORIES:
        kinds = kinds or TOWNSHIP_KINDS
        b = sum(before[k] for k in kinds)
        a = sum(after[k] for k in kinds)
        change = a - b
        pct = round(change / b * 100, 2) if b else None
        rows.append({"category": key, "label": label, "word": word, "before": b, "after": a, "change": change, "pct": pct})
    word = scope_word(name_after, level)
    text = _paragraph(word, rows)
    return {
        "scope": {"code": code, "name": name_after, "level": level},
        "from": date_from.isoformat(),
        "to": date_to.isoformat(),
        "rows": [{k: r[k] for k in ("category", "label", "before", "after", "change", "pct")} for r in rows],
        "text": text,
        "sources": {"from": src_before, "to": src_after},
    }


# The sentence as a reform office writes it: the township-level total with its breakdown in brackets,
# then 建制村, 村民小组 and 社区 (other village-level units last), e.g.
# 全市乡镇(街道)从14个减为13个,减少1个,减幅7.14%(其中:镇从3个增为6个,乡从11个减为7个);建制村从…
TOWNSHIP_BREAKDOWN = ["town", "township", "subdistrict", "township_other"]
PARAGRAPH_ORDER = ["village", "villager_group", "community", "village_other"]


def _change(word: str, r: dict) -> str:
    b, a, c = r["before"], r["after"], r["change"]
    if c < 0:
        return f"{word}从{b}个减为{a}个,减少{-c}个,减幅{abs(r['pct']):.2f}%"
    if c > 0 and b:
        return f"{word}从{b}个增为{a}个,增加{c}个,增幅{r['pct']:.2f}%"
    if c > 0:
        return f"{word}从无到有,新增{a}个"
    return f"{word}{b}个,保持不变"


def _breakdown_part(word: str, r: dict) -> str:
    """Inside the brackets the figures stay short: 镇从3个增为6个 / 乡从11个减为7个 / 街道1个."""
    b, a = r["before"], r["after"]
    if b == a:
        return f"{word}{b}个"
    verb = "减为" if a < b else "增为"
    return f"{word}从{b}个{verb}{a}个" if b else f"{word}新增{a}个"


def _paragraph(word: str, rows: list[dict]) -> str:
    by_key = {r["category"]: r for r in rows}
    present = lambda r: r["before"] or r["after"]  # noqa: E731
    parts = []
    total = by_key["township_level"]
    if present(total):
        subdistricts = present(by_key["subdistrict"])
        head = _change("乡镇(街道)" if subdistricts else "乡镇", total)
        kinds = [by_key[k] for k in TOWNSHIP_BREAKDOWN if present(by_key[k])]
        if len(kinds) > 1 or (kinds and kinds[0]["word"] != "镇"):
            head += "(其中:" + ",".join(_breakdown_part(r["word"], r) for r in kinds) + ")"
        parts.append(head)
    for r in (by_key[k] for k in PARAGRAPH_ORDER):
        if present(r):
            parts.append(_change(r["word"], r))
    if not parts:
        return f"{word}无乡级和村级单位数据。"
    return word + ";".join(parts) + "。"
