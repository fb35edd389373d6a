"""扩权赋能 and the enforcement catalogue: delegations to townships and their follow-up, the county's catalogue of
enforcement items and the items each township took, the townships' enforcement teams, and the alerts on them."""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q

from xiangcun.bodies.models import BodyKind
from xiangcun.bodies.services import county_of
from xiangcun.divisions.levels import Level
from xiangcun.divisions.scoping import ensure_in_scope

from .errors import GovernanceError
from .models import Delegation, EnforcementItem, EnforcementOfficer, FollowUp

EXPIRY_DAYS = 60  # certificates expiring within this many days are flagged


def _county_townships_check(county, townships, field="townships"):
    bad = [t.name for t in townships if t.level != Level.TOWNSHIP or not t.path.startswith(county.path)]
    if bad:
        raise GovernanceError(f"{'、'.join(bad)}不是{county.name}的乡镇", {field: f"请选择{county.name}的乡镇"})


def _county_of_department(department):
    if department is None or department.kind != BodyKind.COUNTY_DEPARTMENT:
        raise GovernanceError("请选择县级部门", {"department": "须是县级部门"})
    return county_of(department.unit)


def save_delegation(user, delegation: Delegation, townships) -> Delegation:
    """Register or change a delegation: a county department's power given to some of the county's townships."""
    county = _county_of_department(delegation.department if delegation.department_id else None)
    if not townships:
        raise GovernanceError("请选择承接乡镇", {"townships": "至少选择一个承接乡镇"})
    _county_townships_check(county, townships)
    if delegation.valid_to and delegation.valid_to < delegation.valid_from:
        raise GovernanceError("终止日期不能早于起始日期", {"valid_to": "终止日期不能早于起始日期"})
    with transaction.atomic():
        if delegation.pk:
            ensure_in_scope(user, Delegation.objects.get(pk=delegation.pk).unit)
        ensure_in_scope(user, county)
        delegation.unit = county
        delegation.save()
        delegation.townships.set(townships)
    return delegation


def save_follow_up(user, follow_up: FollowUp) -> FollowUp:
    """A follow-up record of a delegation in one of its receiving townships."""
    delegation = follow_up.delegation
    if not delegation.townships.filter(pk=follow_up.township_id).exists():
        raise GovernanceError(f"{follow_up.township.name}不是该事项的承接乡镇", {"township": "请选择承接该事项的乡镇"})
    with transaction.atomic():
        ensure_in_scope(user, follow_up.township)
        follow_up.save()
    return follow_up


def matrix(delegations, townships):
    """Rows of the townships × powers matrix: (delegation, [mode label or "" per township])."""
    rows = []
    for d in delegations:
        taken = {t.pk for t in d.townships.all()}
        rows.append((d, [d.get_mode_display() if t.pk in taken else "" for t in townships]))
    return rows


def save_enforcement_item(user, item: EnforcementItem, townships) -> EnforcementItem:
    county = _county_of_department(item.department if item.department_id else None)
    _county_townships_check(county, townships)
    with transaction.atomic():
        if item.pk:
            ensure_in_scope(user, EnforcementItem.objects.get(pk=item.pk).unit)
        ensure_in_scope(user, county)
        item.unit = county
        item.save()
        item.townships.set(townships)
    return item


def save_officer(user, officer: EnforcementOfficer) -> EnforcementOfficer:
    if officer.unit.level != Level.TOWNSHIP or officer.unit.valid_to is not None:
        raise GovernanceError("执法人员须属于现存的乡镇", {"unit": "请选择现存的乡镇"})
    clash = EnforcementOfficer.objects.filter(certificate=officer.certificate).exclude(pk=officer.pk).first()
    if clash:
        raise GovernanceError(f"执法证号 {officer.certificate} 已登记给{clash.unit.name}的执法人员", {"certificate": "执法证号重复"})
    with transaction.atomic():
        if officer.pk:
            ensure_in_scope(user, EnforcementOfficer.objects.get(pk=officer.pk).unit)
        ensure_in_scope(user, officer.unit)
        officer.save()
    return officer


def valid_q(on: dt.date) -> Q:
    return Q(expires__gte=on)


def uncovered_townships(items_qs, officers_qs, on: dt.date | None = None):
    """Townships that hold enforcement items (of `items_qs`) but have no officer with a valid certificate on `on`."""
    from xiangcun.divisions.models import Division

    on = on or dt.date.today()
    holding = set(items_qs.values_list("townships", flat=True)) - {None}
    covered = set(officers_qs.filter(valid_q(on)).values_list("unit_id", flat=True))
    return Division.objects.filter(pk__in=holding - covered, valid_to__isnull=True).order_by("path")


def expiring(officers_qs, days: int = EXPIRY_DAYS, on: dt.date | None = None):
    """Officers whose certificate is still valid but expires within `days` days."""
    on = on or dt.date.today()
    return officers_qs.filter(expires__gte=on, expires__lte=on + dt.timedelta(days=days))
