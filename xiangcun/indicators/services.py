"""Domain operations of the indicators module: entering values, the collective-economy ledger and its
classification, versioned parameters, targets and their assessment. Views, imports, the API and the
demo all call these; every write goes through save()/delete() so the audit trail records it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction

from xiangcun.collective.services import classify
from xiangcun.core import audit
from xiangcun.core.validators import halfwidth
from xiangcun.divisions.models import Division, Level
from xiangcun.divisions.scoping import ensure_in_scope

from . import aggregate, formula
from .models import (
    CollectiveEconomy,
    Comparison,
    DataElement,
    DataValue,
    EconomyClass,
    OrgForm,
    Parameter,
    Source,
    Target,
    ValueType,
    number_text,
    period_bounds,
    period_label,
    period_type_of,
)
from .permissions import may_enter, may_manage

WEAK_THRESHOLD = "weak_village_threshold"
PARAMETERS = {WEAK_THRESHOLD: ("薄弱村标准:年经营性收入低于(元)", Decimal("50000"))}
EVENTS = {"indicator.threshold": "调整薄弱村标准", "indicator.reclassify": "重新划分村集体经济类别"}
EVENT_LABELS = {"value": "取值", "valid_from": "起始日期", "changed": "类别变化的村数"}
TRUE_WORDS = {"是", "有", "已", "√", "Y", "YES", "TRUE", "1"}
FALSE_WORDS = {"否", "无", "未", "×", "N", "NO", "FALSE", "0"}


class IndicatorError(Exception):
    """A refused operation; the message is Chinese."""


# --- values ---------------------------------------------------------------------------------------

def existed_during(unit: Division, period: str) -> bool:
    start, end = period_bounds(period)
    return (unit.valid_from is None or unit.valid_from <= end) and (unit.valid_to is None or unit.valid_to > start)


def clean_value(element: DataElement, raw) -> tuple[Decimal | None, str]:
    """(number, text) of a typed or imported value; ValidationError with a Chinese reason."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, ""
    if element.value_type == ValueType.BOOL:
        if isinstance(raw, bool):
            return Decimal(int(raw)), ""
        word = halfwidth(str(raw)).strip().upper()
        if word in TRUE_WORDS:
            return Decimal(1), ""
        if word in FALSE_WORDS:
            return Decimal(0), ""
        raise ValidationError(f"“{raw}”应填“是”或“否”")
    if element.value_type == ValueType.CHOICE:
        text = str(raw).strip()
        if text not in element.choices:
            raise ValidationError(f"“{text}”不在可选值中:" + "、".join(element.choices))
        return None, text
    if element.value_type == ValueType.TEXT:
        text = str(raw).strip()
        if len(text) > 200:
            raise ValidationError("文字最多 200 字")
        return None, text
    text = halfwidth(str(raw)).strip().replace(",", "").rstrip("%")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValidationError(f"“{raw}”不是数字") from None
    if not number.is_finite():
        raise ValidationError(f"“{raw}”不是数字")
    low = element.min_value if element.min_value is not None else (Decimal(0) if element.value_type == ValueType.PERCENT else None)
    high = element.max_value if element.max_value is not None else (Decimal(100) if element.value_type == ValueType.PERCENT else None)
    if low is not None and number < low:
        raise ValidationError(f"不能小于 {low.normalize():f}")
    if high is not None and number > high:
        raise ValidationError(f"不能大于 {high.normalize():f}")
    if abs(number) >= Decimal("1e13"):
        raise ValidationError("数值过大")
    return number.quantize(Decimal("0.0001")), ""


def form_elements(level: int, period: str):
    """The elements a unit of `level` enters for `period` (its period type), in catalogue order."""
    return (DataElement.objects.active().entered().filter(level=level, period_type=period_type_of(period))
            .select_related("not_above"))


def check_entry(user, unit: Division, period: str) -> None:
    """Refuse entering values for `unit` and `period` unless the user may (scope checked by the caller's 404)."""
    if period_type_of(period) is None:
        raise IndicatorError(f"期间“{period}”格式不对,应如 2022、2022Q3 或 2022-05")
    if not may_enter(user):
        raise IndicatorError("您的角色不能填报指标")
    ensure_in_scope(user, unit)
    if unit.level not in (Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE):
        raise IndicatorError("只能为县、乡镇或村(社区)填报")
    if not existed_during(unit, period):
        raise IndicatorError(f"{unit.name}在{period_label(period)}不存在(已撤并或尚未设立),不能填报该期数据")


@transaction.atomic
def save_values(user, unit: Division, period: str, raw: dict[str, object], clear_blank: bool = True) -> dict:
    """Write one unit's values for a period (code -> raw value), all checked first.

    Raises ValidationError with a dict {code: [reason]} when any value is bad; nothing is written then.
    A blank value removes a stored one when `clear_blank`. Returns counts of created/updated/deleted.
    """
    check_entry(user, unit, period)
    elements = {e.code: e for e in form_elements(unit.level, period)}
    cleaned, errors = {}, {}
    for code, value in raw.items():
        element = elements.get(code)
        if element is None:
            errors[code] = [f"指标 {code} 不在{unit.get_level_display()}{period_label(period)}的填报表中"]
            continue
        try:
            cleaned[code] = clean_value(element, value)
        except ValidationError as exc:
            errors[code] = exc.messages
    if not errors:
        errors = check_relations(unit, period, elements, cleaned, clear_blank)
    if errors:
        raise ValidationError(errors)
    counts = {"created": 0, "updated": 0, "deleted": 0, "unchanged": 0}
    existing = {v.element.code: v for v in DataValue.objects.filter(unit=unit, period=period, element__code__in=list(cleaned))
                .select_related("element")}
    for code, (number, text) in cleaned.items():
        row = existing.get(code)
        if number is None and not text:
            if row is not None and clear_blank:
                row.delete()
                counts["deleted"] += 1
            continue
        if row is None:
            DataValue.objects.create(element=elements[code], unit=unit, period=period, number=number, text=text, updated_by=user)
            counts["created"] += 1
        elif row.number != number or row.text != text:
            row.number, row.text, row.updated_by = number, text, user
            row.save()
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    return counts


def check_relations(unit: Division, period: str, elements: dict, cleaned: dict, clear_blank: bool = True) -> dict:
    """{code: [reason]} for every part ≤ whole relation of the catalogue (DataElement.not_above) that the
    unit's values for the period would break once written: a value being saved against the other one
    being saved or, when that is not in this write, the stored one."""
    pairs = [(e, elements[e.not_above.code]) for e in elements.values()
             if e.not_above_id and e.not_above.code in elements]
    if not pairs:
        return {}
    codes = {c for part, whole in pairs for c in (part.code, whole.code)}
    stored = dict(DataValue.objects.filter(unit=unit, period=period, element__code__in=codes)
                  .values_list("element__code", "number"))

    def effective(code):
        if code in cleaned and (cleaned[code][0] is not None or clear_blank):
            return cleaned[code][0]
        return stored.get(code)

    errors: dict[str, list[str]] = {}
    for part, whole in pairs:
        if part.code not in cleaned and whole.code not in cleaned:
            continue
        p, w = effective(part.code), effective(whole.code)
        if p is not None and w is not None and p > w:
            code = part.code if part.code in cleaned else whole.code
            errors.setdefault(code, []).append(
                f"{part.name}({number_text(p)})不能大于{whole.name}({number_text(w)})")
    return errors


def check_formula(text: str, own_code: str = "") -> set[str]:
    known = set(DataElement.objects.values_list("code", flat=True)) | set(formula.BUILTINS)
    computed = dict(DataElement.objects.exclude(formula="").exclude(code=own_code).values_list("code", "formula"))
    try:
        return formula.validate(text, known, own_code, computed)
    except formula.FormulaError as exc:
        raise ValidationError(str(exc)) from None


# --- parameters -----------------------------------------------------------------------------------

def parameter_on(key: str, when: dt.date) -> Decimal:
    return Parameter.value_on(key, when, default=PARAMETERS[key][1])


def threshold_on(year: int) -> Decimal:
    """The 薄弱村 threshold applying to a year's accounts (the rule valid at the year's end)."""
    return parameter_on(WEAK_THRESHOLD, dt.date(year, 12, 31))


@transaction.atomic
def set_threshold(user, value: Decimal, valid_from: dt.date, note: str = "") -> int:
    """Set the 薄弱村 threshold from a date on and reclassify the years it applies to; returns villages changed."""
    if value is None or value < 0:
        raise IndicatorError("薄弱村标准应为不小于 0 的金额")
    row = Parameter.record(WEAK_THRESHOLD, value, valid_from, note, user)
    audit.log_event(row, "indicator.threshold", data={"value": f"{value:f}", "valid_from": valid_from.isoformat()},
                    path="/", actor=user)
    changed = reclassify(CollectiveEconomy.objects.filter(year__gte=valid_from.year - 1), user)
    return changed


# --- collective economy ---------------------------------------------------------------------------



AMOUNTS = ("total_income", "business_income", "contract_income", "investment_income", "other_income", "assets", "liabilities")


@transaction.atomic
def save_collective(user, village: Division, year: int, **fields) -> tuple[CollectiveEconomy, str]:
    """Create or update a village's collective economy for a year; classify it and sync its elements."""
    ensure_in_scope(user, village)
    if village.level != Level.VILLAGE:
        raise IndicatorError("集体经济按村(社区)填报")
    if not existed_during(village, str(year)):
        raise IndicatorError(f"{village.name}在{year}年不存在,不能填报该年集体经济")
    for k in AMOUNTS:
        if fields.get(k) is not None and fields[k] < 0 and k not in ("other_income",):
            raise IndicatorError("金额不能为负数")
    record = CollectiveEconomy.objects.filter(village=village, year=year).first()
    outcome = "updated" if record else "created"
    record = record or CollectiveEconomy(village=village, year=year)
    before = {k: getattr(record, k) for k in (*AMOUNTS, "org_form", "integration_mode", "note")} if outcome == "updated" else None
    for k, v in fields.items():
        setattr(record, k, v if v is not None else (Decimal(0) if k in AMOUNTS else ""))
    if before is not None and all(getattr(record, k) == before[k] for k in before):
        return record, "unchanged"
    record.threshold = threshold_on(year)
    record.classification = classify(record.operating_income, record.threshold)
    record.updated_by = user
    record.save()
    sync_collective(record, user)
    return record, outcome


def _wan(amount: Decimal) -> Decimal:
    return (Decimal(amount) / Decimal(10000)).quantize(Decimal("0.0001"))


def sync_collective(record: CollectiveEconomy, user=None) -> None:
    """Mirror a ledger row into the CE_* elements, so the map, trends and targets use the same machinery."""
    sync_collectives([record], user)


def _collective_values(record: CollectiveEconomy) -> dict:
    return {
        "CE_TOTAL_INCOME": _wan(record.total_income), "CE_OPERATING_INCOME": _wan(record.operating_income),
        "CE_NET_ASSETS": _wan(record.net_assets),
        "CE_HOLLOW": Decimal(record.classification == EconomyClass.HOLLOW),
        "CE_WEAK": Decimal(record.classification == EconomyClass.WEAK),
        "CE_SHARE_COOP": Decimal(record.org_form == OrgForm.SHARE_COOP),
    }


def sync_collectives(records, user=None) -> None:
    """`sync_collective` for many ledger rows (in their order, each value saved and audited as there), with the
    elements and the values already mirrored read once for all of them instead of once per row."""
    records = list(records)
    if not records:
        return
    codes = list(_collective_values(records[0]))
    elements = {e.code: e for e in DataElement.objects.filter(code__in=codes, source=Source.COLLECTIVE)}
    existing = {(v.unit_id, v.period, v.element_id): v for v in DataValue.objects.filter(
        unit__in={r.village_id for r in records}, period__in={str(r.year) for r in records},
        element__in=elements.values())}
    for record in records:
        period = str(record.year)
        for code, number in _collective_values(record).items():
            element = elements.get(code)
            if element is None:
                continue
            key = (record.village_id, period, element.pk)
            row = existing.get(key)
            if row is None:
                existing[key] = DataValue.objects.create(element=element, unit=record.village, period=period,
                                                         number=number, updated_by=user)
            elif row.number != number:
                row.number, row.updated_by = number, user
                row.save()


ASSET_RENT = "CE_ASSET_RENT"


def sync_asset_rent(years, villages=None, user=None) -> int:
    """Mirror the asset ledger's lease income (assets.services.lease_income) into CE_ASSET_RENT, for the
    given years and villages (ids; None: all). Villages whose rent ended lose the value. Returns how many
    values changed. The asset ledger calls it (follow-hook `lease_income_changed`, registered in apps.py)
    from every write that changes lease income, inside that write's transaction."""
    from xiangcun.assets.services import lease_income

    element = DataElement.objects.filter(code=ASSET_RENT, source=Source.ASSETS).first()
    if element is None:
        return 0
    changed = 0
    for year in sorted(set(years)):
        period = str(year)
        income = {v: _wan(amount) for v, amount in lease_income(year, villages).items()}
        rows = DataValue.objects.filter(element=element, period=period)
        if villages is not None:
            rows = rows.filter(unit_id__in=list(villages))
        existing = {v.unit_id: v for v in rows}
        for village, number in income.items():
            row = existing.pop(village, None)
            if row is None:
                DataValue.objects.create(element=element, unit_id=village, period=period, number=number, updated_by=user)
            elif row.number != number:
                row.number, row.updated_by = number, user
                row.save()
            else:
                continue
            changed += 1
        for row in existing.values():  # no lease left in that year
            row.delete()
            changed += 1
    return changed


def reclassify(records, user=None) -> int:
    changed = 0
    for record in records.select_related("village"):
        threshold = threshold_on(record.year)
        cls = classify(record.operating_income, threshold)
        if cls != record.classification or threshold != record.threshold:
            changed += cls != record.classification
            record.classification, record.threshold = cls, threshold
            record.save()
            sync_collective(record, user)
    return changed


# --- targets --------------------------------------------------------------------------------------

@dataclass
class Progress:
    target: Target
    actual: float | None
    pct: float | None          # 0–100+ of the way from baseline to target
    expected: float            # share of the time elapsed, 0–100
    status: str                # achieved | on_track | behind | overdue | no_data | unreported | incomplete
    township: Division | None = None
    coverage: tuple[int, int] | None = None  # (units that reported, units expected) behind `actual`

    STATUS_LABELS = {"achieved": "已完成", "on_track": "按进度", "behind": "滞后", "overdue": "逾期未完成",
                     "no_data": "无数据", "unreported": "逾期未填报", "incomplete": "数据不全"}

    @property
    def status_label(self) -> str:
        if self.status == "incomplete":
            return f"数据不全({self.coverage[0]}/{self.coverage[1]})"
        if self.status in ("no_data", "unreported") and self.coverage and self.coverage[1]:
            return f"{self.STATUS_LABELS[self.status]}(0/{self.coverage[1]})"
        return self.STATUS_LABELS[self.status]

    @property
    def unranked(self) -> bool:
        """No value, or a value from only some of the units: the target cannot place its township in a ranking."""
        return self.status in ("incomplete", "no_data", "unreported")

    @property
    def flagged(self) -> bool:
        return self.status in ("behind", "overdue")


def _pct(target: Target, actual: float) -> float:
    goal, base = float(target.value), (float(target.baseline) if target.baseline is not None else None)
    if target.comparison == Comparison.AT_LEAST:
        if base is not None and goal != base:
            return (actual - base) / (goal - base) * 100
        return actual / goal * 100 if goal else (100.0 if actual >= goal else 0.0)
    if base is not None and goal != base:
        return (base - actual) / (base - goal) * 100
    return 100.0 if actual <= goal else (goal / actual * 100 if actual else 0.0)


def progress(target: Target, geo: aggregate.Geography, today: dt.date | None = None) -> Progress:
    today = today or dt.date.today()
    span = (target.due_date - target.start_date).days or 1
    expected = max(0.0, min(1.0, (today - target.start_date).days / span)) * 100
    units = [u for u, _ in geo.successors(target.unit)]
    actual = aggregate.value_at(target.element, target.period, geo, units[0]) if units else None
    township = None
    if units:
        tid = units[0] if geo.versions[units[0]].level == Level.TOWNSHIP else geo.ancestor_at(units[0], Level.TOWNSHIP)
        township = Division.objects.filter(pk=tid).first() if tid else None
    coverage = aggregate.coverage_of(target.element, target.period, geo, units[0]) if units else None
    if actual is None or isinstance(actual, str):
        # nobody has reported (0 of n): there is nothing to judge the target by — past its due date that is a
        # reporting gap (逾期未填报), not a target missed, and the township is not ranked either way
        status = "unreported" if today > target.due_date else "no_data"
        return Progress(target, None, None, expected, status, township, coverage)
    pct = _pct(target, actual)
    if coverage and coverage[0] < coverage[1]:
        # some units have not reported: the value speaks for the others only — shown, not judged
        return Progress(target, actual, pct, expected, "incomplete", township, coverage)
    met = actual >= float(target.value) if target.comparison == Comparison.AT_LEAST else actual <= float(target.value)
    if met:
        status = "achieved"
    elif today > target.due_date:
        status = "overdue"
    elif pct < expected:
        status = "behind"
    else:
        status = "on_track"
    return Progress(target, actual, pct, expected, status, township, coverage)


def assess(targets, geo: aggregate.Geography, today: dt.date | None = None) -> list[Progress]:
    return [progress(t, geo, today) for t in targets.select_related("unit", "element")]


def township_ranking(progresses: list[Progress]) -> list[dict]:
    """Townships by their mean progress on their targets (each capped at 100%), best first. A township
    with a target whose data is incomplete or missing is not ranked: it follows the ranked ones with `note`
    (数据不全(1/7),不参与排名 / 未填报(0/7),不参与排名), its rank and score None."""
    by_township: dict[int, dict] = {}
    for p in progresses:
        if p.township is None:
            continue
        row = by_township.setdefault(p.township.pk, {"township": p.township, "scores": [], "achieved": 0, "flagged": 0,
                                                     "incomplete": None, "unreported": None})
        if p.status in ("no_data", "unreported"):
            row["unreported"] = p.coverage or (0, 0)
        row["scores"].append(min(100.0, max(0.0, p.pct or 0.0)))
        row["achieved"] += p.status == "achieved"
        row["flagged"] += p.flagged
        if p.status == "incomplete" and (row["incomplete"] is None or
                                         p.coverage[0] / p.coverage[1] < row["incomplete"][0] / row["incomplete"][1]):
            row["incomplete"] = p.coverage
    rows = []
    for row in by_township.values():
        row["score"] = sum(row["scores"]) / len(row["scores"])
        row["targets"] = len(row.pop("scores"))
        row["note"] = ""
        if row["unreported"] is not None:
            row["score"] = None
            total = row["unreported"][1]
            row["note"] = f"未填报(0/{total}),不参与排名" if total else "未填报,不参与排名"
        elif row["incomplete"]:
            row["score"] = None
            row["note"] = f"数据不全({row['incomplete'][0]}/{row['incomplete'][1]}),不参与排名"
        rows.append(row)
    rows.sort(key=lambda r: (r["score"] is None, -(r["score"] or 0), r["township"].code, r["township"].name))
    rank = 0
    for row in rows:
        row["rank"] = None if row["score"] is None else (rank := rank + 1)
    return rows


@transaction.atomic
def save_target(user, target: Target) -> Target:
    if not may_manage(user):
        raise IndicatorError("只有县两项改革办可以下达考核目标")
    ensure_in_scope(user, target.unit, message="考核单位不在您的管辖范围内")
    if target.due_date < target.start_date:
        raise IndicatorError("完成时限不能早于起始日期")
    if not target.element.is_numeric:
        raise IndicatorError("只有数值、百分比或是/否指标可以设定考核目标")
    target.created_by = target.created_by or user
    target.save()
    return target
