"""Operations on the care registry: forms, the import, the API, the demo and the merger hook all go through here."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from xiangcun.core import audit
from xiangcun.core.validators import id_number as check_id_number
from xiangcun.divisions.levels import Level
from xiangcun.divisions.scoping import ensure_in_scope

from .models import CATEGORIES, EndReason, Person, Referral, ReferralStatus, RiskLevel, Rule, Status, Visit, adult_cutoff, id_index_of

EVENTS = {
    "care.ended": "关爱对象退出",
    "care.aged_out": "年满18周岁移出留守儿童名单",
    "care.moved": "随村(社区)撤并转入承接村",
    "care.export": "导出实名名单",
    "care.referral_closed": "转介办结",
}
EVENT_LABELS = {"reason": "原因", "end_reason": "退出原因", "when": "日期", "from": "原村(社区)", "to": "承接村(社区)",
                "count": "人数", "scope": "范围", "filters": "筛选条件", "outcome": "办理结果", "body": "办理机构"}

# default visit intervals (days) by risk level; a county sets its own as Rule rows
DEFAULT_VISIT_DAYS = {RiskLevel.SPECIAL: 7, RiskLevel.KEY: 30, RiskLevel.GENERAL: 90}
ELDERLY_AGE = 60


class CareError(ValidationError):
    """A rule of the registry broken: `message_dict` names each field (a form shows each beside its field)."""


def county_code(unit) -> str:
    from xiangcun.bodies.services import county_of

    county = county_of(unit)
    return county.code[:6] if county is not None and county.code else ""


def rule_key(risk: str, unit) -> str:
    return f"visit_days:{risk}:{county_code(unit)}"


def visit_days(risk: str, unit, on: dt.date | None = None) -> int:
    """How often (days) a person of this risk level in `unit`'s county is visited, as the county set it on `on`."""
    value = Rule.value_on(rule_key(risk, unit), on or dt.date.today(), None)
    return int(value) if value is not None else DEFAULT_VISIT_DAYS[RiskLevel(risk)]


def county_codes(units) -> dict:
    """{unit pk: county code} of several units, as `county_code` gives it one by one (one query for all)."""
    from xiangcun.divisions.models import Division

    units = {u.pk: u for u in units if u is not None}
    ancestors = Division.objects.only("level", "code").in_bulk(
        {i for u in units.values() if u.level > Level.COUNTY for i in u.depth_ids[:-1]})
    out = {}
    for pk, unit in units.items():
        if unit.level == Level.COUNTY:
            county = unit
        elif unit.level < Level.COUNTY:
            county = None
        else:
            county = next((ancestors[i] for i in unit.depth_ids[:-1]
                           if i in ancestors and ancestors[i].level == Level.COUNTY), None)
        out[pk] = county.code[:6] if county is not None and county.code else ""
    return out


def visit_intervals(people, on: dt.date) -> dict[tuple[str, int], int]:
    """{(risk level, village pk): days} for every person of `people` (their `village` loaded), as `visit_days`
    gives it one by one: two queries however many people."""
    people = list(people)
    codes = county_codes({p.village_id: p.village for p in people}.values())
    keys = {(p.risk_level, p.village_id): f"visit_days:{p.risk_level}:{codes.get(p.village_id, '')}" for p in people}
    values: dict[str, Decimal] = {}
    for key, value in (Rule.objects.filter(key__in=set(keys.values()), valid_from__lte=on)
                       .order_by("key", "-valid_from").values_list("key", "value")):
        values.setdefault(key, value)  # the newest row valid on `on`
    return {pair: int(values[key]) if key in values else DEFAULT_VISIT_DAYS[RiskLevel(pair[0])]
            for pair, key in keys.items()}


def set_visit_days(user, county, risk: str, days: int, valid_from: dt.date, note: str = ""):
    return Rule.record(rule_key(risk, county), Decimal(days), valid_from, note, user)


# --- the register ---------------------------------------------------------------------------------------

def check_person(person: Person, on: dt.date | None = None) -> None:
    """Every rule of one record at once, as CareError {field: message}."""
    on = on or dt.date.today()
    errors: dict[str, list[str]] = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    if not any(getattr(person, f"is_{c}") for c in CATEGORIES):
        add("is_left_behind_child", "请至少选择一个关爱类别")
    if person.village_id and person.village.level != Level.VILLAGE:
        add("village", f"{person.village.name}不是村(社区)")
    if person.group_id and person.group.parent_id != person.village_id:
        add("group", f"{person.group.name}不属于{person.village.name}")
    age = person.age_on(on) if person.birth_date else None
    if age is not None and person.status == Status.ACTIVE:
        if person.is_left_behind_child and age >= 18 and person.pk is None:
            add("is_left_behind_child", f"按身份证号已满18周岁({age}岁),不能登记为农村留守儿童")
        if person.is_child_in_difficulty and age >= 18 and person.pk is None:
            add("is_child_in_difficulty", f"按身份证号已满18周岁({age}岁),不能登记为困境儿童")
        if person.is_left_behind_elderly and age < ELDERLY_AGE:
            add("is_left_behind_elderly", f"按身份证号未满{ELDERLY_AGE}周岁({age}岁),不能登记为农村留守老年人")
    if person.is_child_in_difficulty and not person.difficulty_type:
        add("difficulty_type", "困境儿童须填写困境类型")
    if person.is_disabled:
        if not person.disability_category:
            add("disability_category", "残疾人须填写残疾类别")
        if not person.disability_grade:
            add("disability_grade", "残疾人须填写残疾等级")
    if person.is_extreme_poverty and not person.support_mode:
        add("support_mode", "特困人员须填写供养方式(分散或集中)")
    if person.risk_level != RiskLevel.GENERAL and not person.risk_reason.strip():
        add("risk_reason", f"风险等级为“{person.get_risk_level_display()}”时须填写原因")
    if person.carer_user_id and person.carer_volunteer_id:
        add("carer_volunteer", "关爱责任人只填一个:工作人员或志愿者")
    if person.carer_volunteer_id and not person.carer_role:
        person.carer_role = "volunteer"
    if errors:
        raise CareError(errors)


def duplicate_of(id_number: str, exclude_pk=None) -> Person | None:
    """The person already registered with this 身份证号 (found by the blind index, nobody decrypted)."""
    qs = Person.objects.filter(id_index=id_index_of(id_number)).select_related("village")
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.first()


def save_person(user, person: Person, id_number: str | None = None) -> Person:
    """Create or change a person: a valid 身份证号 registered nowhere else, every rule checked, inside the user's scope."""
    with transaction.atomic():
        if person.pk:
            old = Person.objects.select_related("village").get(pk=person.pk)
            ensure_in_scope(user, old.village)
        ensure_in_scope(user, person.village)
        if id_number is not None:
            try:
                id_number = check_id_number(id_number)
            except ValidationError as exc:
                raise CareError({"id_number": exc.messages}) from None
            twin = duplicate_of(id_number, exclude_pk=person.pk)
            if twin is not None:
                raise CareError({"id_number": [f"该身份证号已登记在{twin.village.name}(关爱对象 {twin.masked_name}),"
                                               "同一人不能重复登记;如已迁居,请修改原记录的村(社区)"]})
            person.set_id_number(id_number)
        check_person(person)
        person.save()
    return person


def end_person(user, person: Person, reason: str, when: dt.date) -> Person:
    with transaction.atomic():
        ensure_in_scope(user, person.village)
        person.status, person.end_reason, person.ended_on = Status.ENDED, reason, when
        person.save()
        audit.log_event(person, "care.ended", data={"end_reason": EndReason(reason).label, "when": when.isoformat()})
    return person


def aged_out(qs, on: dt.date | None = None):
    """The active 留守儿童 of `qs` who turned 18 on or before `on`: due to leave the list."""
    return qs.filter(status=Status.ACTIVE, is_left_behind_child=True, birth_date__lte=adult_cutoff(on or dt.date.today()))


def remove_aged_out(qs, on: dt.date | None = None) -> int:
    """Take the children who turned 18 off the 留守儿童 list (a person with no other category leaves the register)."""
    on = on or dt.date.today()
    n = 0
    with transaction.atomic():
        for person in aged_out(qs, on).select_related("village"):
            person.is_left_behind_child = False
            if not any(getattr(person, f"is_{c}") for c in CATEGORIES):
                person.status, person.end_reason, person.ended_on = Status.ENDED, EndReason.AGED_OUT, person.adult_on
            person.save()
            audit.log_event(person, "care.aged_out", data={"when": person.adult_on.isoformat()})
            n += 1
    return n


# --- visits ---------------------------------------------------------------------------------------------

def with_last_visit(qs):
    return qs.annotate(last_visit=Max("visits__date"))


def next_visit_due(person, on: dt.date | None = None) -> dt.date:
    """The date the next visit is due: the last visit (or the registration) plus the county's interval for the risk."""
    last = getattr(person, "last_visit", None)
    if last is None and not hasattr(person, "last_visit"):
        last = person.visits.aggregate(m=Max("date"))["m"]
    start = last or person.registered_on
    return start + dt.timedelta(days=visit_days(person.risk_level, person.village, on))


def visit_schedule(qs, on: dt.date | None = None, soon_days: int = 7):
    """[(person, due date, "overdue" | "due" | "")] of the active people of `qs`, the most overdue first."""
    on = on or dt.date.today()
    people = list(with_last_visit(qs.active().select_related("village")))
    days = visit_intervals(people, on)
    out = []
    for person in people:  # as next_visit_due, with every interval read at once
        due = (person.last_visit or person.registered_on) + dt.timedelta(days=days[person.risk_level, person.village_id])
        state = "overdue" if due < on else ("due" if due <= on + dt.timedelta(days=soon_days) else "")
        out.append((person, due, state))
    out.sort(key=lambda t: t[1])
    return out


def record_visit(user, person: Person, visit: Visit) -> Visit:
    with transaction.atomic():
        if visit.date > dt.date.today():
            raise CareError({"date": ["走访日期不能晚于今天"]})
        if visit.date < person.registered_on - dt.timedelta(days=3650):
            raise CareError({"date": ["走访日期过早"]})
        visit.person, visit.visitor = person, user
        visit.full_clean()
        visit.save()
    return visit


# --- referrals ------------------------------------------------------------------------------------------

def refer(user, person: Person, referral: Referral) -> Referral:
    with transaction.atomic():
        errors = {}
        if referral.deadline < dt.date.today():
            errors["deadline"] = ["办理期限不能早于今天"]
        if referral.body_id and referral.body.valid_to is not None:
            errors["body"] = [f"{referral.body.name}已撤销,请转介给{referral.body.final_successor().name}"]
        if errors:
            raise CareError(errors)
        referral.person, referral.referred_by = person, user
        referral.full_clean()
        referral.save()
    return referral


def handles(user, referral: Referral) -> bool:
    """Whether `user` belongs to the body that carries the referral today."""
    return bool(getattr(user, "body_id", None)) and user.body_id in (referral.body_id, referral.handling_body.pk)


def close_referral(user, referral: Referral, outcome: str) -> Referral:
    outcome = (outcome or "").strip()
    if not outcome:
        raise CareError({"outcome": ["请填写办理结果"]})
    if len(outcome) > 1000:
        raise CareError({"outcome": ["办理结果最多 1000 字"]})
    with transaction.atomic():
        referral = Referral.objects.select_for_update().get(pk=referral.pk)
        if referral.status != ReferralStatus.OPEN:
            raise CareError({"outcome": ["该转介已办结"]})
        referral.status, referral.outcome = ReferralStatus.CLOSED, outcome
        referral.closed_by, referral.closed_on = user, dt.date.today()
        referral.save()
        audit.log_event(referral, "care.referral_closed", data={"body": referral.handling_body.name, "outcome": outcome[:200]})
    return referral


# --- mergers --------------------------------------------------------------------------------------------

def follow_closed_unit(unit, when: dt.date) -> None:
    """A village ended (merged, split, abolished): its people pass to the village that took it over, so nobody falls
    between two villages (their group stays: a group a merger moved keeps its name, see divisions.ordering). A
    closing dated later waits until that day's change is recorded again (nothing moves ahead of time)."""
    from xiangcun.divisions.services import successors_on

    if unit.level != Level.VILLAGE or when > dt.date.today():
        return
    heirs = [s for s in successors_on(unit, when) if s.pk != unit.pk and s.level == Level.VILLAGE]
    if not heirs:
        return
    heir = heirs[0]
    for person in Person.objects.filter(village=unit).order_by("pk"):
        person.village = heir
        person.save()
        audit.log_event(person, "care.moved", data={"from": unit.name, "to": heir.name, "when": when.isoformat()})
