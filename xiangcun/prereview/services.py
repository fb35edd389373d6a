"""Operations of 前置审查: registration, reviews, approval, the services module's completion check, the merger
hook and the statistics per township. Views, API, demo and tests all go through here."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from xiangcun.core import audit
from xiangcun.divisions.levels import Level
from xiangcun.divisions.models import Division
from xiangcun.divisions.scoping import area_q, in_scope

from . import permissions
from .errors import PrereviewError
from .models import DEPARTMENT_LABEL, Application, Aspect, Outcome, Review, Status

EVENTS = {"prereview.review": "录入前置审查意见", "prereview.approve": "批准建房选址",
          "prereview.approve_refused": "批准被拒绝(前置审查未通过)", "prereview.follow": "前置审查申请随村撤并转交"}
EVENT_LABELS = {"aspect": "审查事项", "outcome": "审查结论", "reason": "理由或条件", "reviewer": "审查人",
                "blockers": "未满足的条件", "note": "批准意见", "from_village": "原村(社区)", "to_village": "承接村(社区)",
                "when": "撤并日期"}

# China's extent (the mainland, Hainan and the South China Sea islands): a rough box that catches a swapped or
# mistyped coordinate; the township's boundary, where the registry has one, is the finer check
CHINA_LON = (73.4, 135.1)
CHINA_LAT = (3.8, 53.6)


def requires_prereview(item) -> bool:
    """Whether a services item is a 宅基地建房 item (its cases need an approved pre-review to be completed)."""
    return "宅基地" in (item.name or "")


def _township_of(village: Division) -> Division | None:
    return village.parent if village.parent_id and village.parent.level == Level.TOWNSHIP else None


def _boundary_of(village: Division):
    """The nearest unit at or above the village's township that has a boundary (its township, else its county)."""
    unit = _township_of(village) or village
    for candidate in [unit, *reversed(list(unit.ancestors()))]:
        if candidate.geometry:
            return candidate
    return None


def site_problems(user, village: Division | None, lon, lat) -> dict[str, str]:
    """Every problem with a site at once, each keyed by its form field."""
    problems: dict[str, str] = {}
    if village is not None:
        if village.level != Level.VILLAGE or village.valid_to is not None:
            problems["village"] = f"{village.name}不是现有的村(社区),请选择选址所在的村(社区)"
        elif user is not None and not in_scope(user, village):
            problems["village"] = f"{village.name}不在您的管辖范围内"
    if lon is not None and not (CHINA_LON[0] <= lon <= CHINA_LON[1]):
        problems["lon"] = f"经度 {lon:g} 不在中国境内(应在 {CHINA_LON[0]:g}–{CHINA_LON[1]:g} 之间),请核对是否填反或漏了小数点"
    if lat is not None and not (CHINA_LAT[0] <= lat <= CHINA_LAT[1]):
        problems["lat"] = f"纬度 {lat:g} 不在中国境内(应在 {CHINA_LAT[0]:g}–{CHINA_LAT[1]:g} 之间),请核对是否填反或漏了小数点"
    if village is not None and lon is not None and lat is not None and not problems:
        boundary = _boundary_of(village)
        if boundary is not None:
            from shapely.geometry import Point, shape

            try:
                inside = shape(boundary.geometry).buffer(0.001).contains(Point(lon, lat))
            except Exception:  # an unreadable boundary cannot refuse a site
                inside = True
            if not inside:
                problems["lon"] = f"选址(经度 {lon:g},纬度 {lat:g})不在{boundary.name}范围内,请核对经纬度或所在村(社区)"
    return problems


def link_problems(user, application: Application, case) -> str | None:
    if case is None:
        return None
    if not requires_prereview(case.item):
        return f"代办件 {case.number} 的事项是“{case.item.name}”,不是宅基地建房事项"
    if case.village_id != application.village_id:
        return f"代办件 {case.number} 受理于{case.village.name},与选址所在村不一致"
    other = Application.objects.filter(case=case).exclude(pk=application.pk).first()
    if other is not None:
        return f"代办件 {case.number} 已关联前置审查申请“{other.name}”"
    return None


def register(user, application: Application) -> Application:
    """The township registers a site application (in its jurisdiction, inside China and inside the township)."""
    with transaction.atomic():
        problems = site_problems(user, application.village, application.lon, application.lat)
        link = link_problems(user, application, application.case)
        if link:
            problems["case_number"] = link
        if problems:
            raise PrereviewError(";".join(problems.values()), fields=problems)
        application.registered_by = user
        application.registered_on = application.registered_on or timezone.localdate()
        application.status = Status.REVIEWING
        application.full_clean(exclude=["case"])
        application.save()
    return application


def record_review(user, application: Application, aspect: str, outcome: str, reason: str, reviewer: str,
                  reviewed_on: dt.date) -> Review:
    """A department records its review of one aspect (a later review of the same aspect replaces the earlier
    one in the decision; both stay on record)."""
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        if not permissions.reviews_aspect(user, aspect):
            raise PrereviewError(f"只有{DEPARTMENT_LABEL[Aspect(aspect)]}部门可以录入{Aspect(aspect).label}审查意见")
        if not in_scope(user, application.village):
            raise PrereviewError(f"{application.village.name}不在您的管辖范围内")
        if application.status == Status.APPROVED:
            raise PrereviewError("该申请已批准,不能再录入审查意见")
        reason = (reason or "").strip()
        problems = {}
        if outcome == Outcome.REFUSED and not reason:
            problems["reason"] = "不通过须写明原因"
        elif outcome == Outcome.CONDITIONAL and not reason:
            problems["reason"] = "有条件通过须写明条件"
        if reviewed_on and reviewed_on > timezone.localdate():
            problems["reviewed_on"] = "审查日期不能晚于今天"
        elif reviewed_on and reviewed_on < application.registered_on:
            problems["reviewed_on"] = f"审查日期不能早于申请登记日期 {application.registered_on:%Y-%m-%d}"
        if problems:
            raise PrereviewError(";".join(problems.values()), fields=problems)
        body = user.body if getattr(user, "body_id", None) else None
        department = (body.name if body is not None and not user.is_administrator else "") or DEPARTMENT_LABEL[Aspect(aspect)]
        review = Review.objects.create(application=application, aspect=aspect, outcome=outcome, reason=reason,
                                       reviewer=reviewer.strip(), reviewed_on=reviewed_on, recorded_by=user,
                                       department=department)
        audit.log_event(application, "prereview.review",
                        {"aspect": Aspect(aspect).label, "outcome": Outcome(outcome).label, "reason": reason,
                         "reviewer": review.reviewer}, actor=user)
    return review


def approve(user, application: Application, note: str = "", when: dt.date | None = None) -> Application:
    """The township approves the site: refused while a review is missing or refused."""
    with transaction.atomic():
        application = Application.objects.select_for_update().select_related("village").get(pk=application.pk)
        if not in_scope(user, application.village):
            raise PrereviewError(f"{application.village.name}不在您的管辖范围内")
        if application.status == Status.APPROVED:
            raise PrereviewError("该申请已经批准")
        blockers = application.blockers()
        if blockers:
            raise PrereviewError("不能批准:" + ";".join(blockers) + "。两项前置审查均通过(或有条件通过)后方可批准")
        application.status = Status.APPROVED
        application.approved_by = user
        application.approved_on = when or timezone.localdate()
        application.approval_note = (note or "").strip()[:300]
        application.save()
        conditions = [r.reason for r in application.latest_reviews().values() if r.outcome == Outcome.CONDITIONAL]
        audit.log_event(application, "prereview.approve", {"note": application.approval_note or "—",
                                                           "reason": ";".join(conditions) or "—"}, actor=user)
    return application


def completion_check(case) -> str | None:
    """The services module's 办结 check (registered in apps.py): a 宅基地建房 case waits for its approved pre-review."""
    if not requires_prereview(case.item):
        return None
    application = Application.objects.filter(case=case).first()
    if application is None:
        return (f"宅基地建房须先通过前置审查:代办件 {case.number} 尚未关联前置审查申请,"
                "请乡镇在“前置审查”中登记选址并填写该受理编号")
    if application.status != Status.APPROVED:
        return f"宅基地建房须先通过前置审查:申请“{application.name}”尚未批准({application.state})"
    return None


def follow_closed_unit(unit, when: dt.date) -> None:
    """A village ends (merged, split, abolished) on `when`, today or earlier: its open applications pass to the
    village that took it over (the first successor), each move audited. Approved ones stay where they were
    approved. A closing dated in the future waits."""
    from xiangcun.divisions.services import successors_on

    if unit.level != Level.VILLAGE or when > timezone.localdate():
        return
    open_ = list(Application.objects.filter(village=unit, status=Status.REVIEWING).order_by("pk"))
    if not open_:
        return
    heirs = [s for s in successors_on(unit, when) if s.pk != unit.pk and s.level == Level.VILLAGE]
    if not heirs:
        return
    heir = heirs[0]
    for application in open_:
        application.village = heir
        application.save()
        audit.log_event(application, "prereview.follow", {"from_village": unit.name, "to_village": heir.name,
                                                          "when": when.isoformat()})


# --- statistics per township ----------------------------------------------------------------------------

@dataclass
class TownshipRow:
    township: Division
    applications: int = 0
    waiting: int = 0
    refused: int = 0
    ready: int = 0
    approved: int = 0

    def cells(self) -> list:
        return [self.township.name, self.applications, self.waiting, self.refused, self.ready, self.approved]


STATS_HEADERS = ["乡镇", "申请数", "待审查", "审查未通过", "可批准", "已批准"]


def stats(user, applications=None) -> list[TownshipRow]:
    """Per current township in the user's scope: applications, waiting for a review, refused, ready to approve,
    approved (one query per township). A township counts the villages merged into it (area_q)."""
    from django.db.models import Count

    from .filters import STATE_Q, with_outcomes

    applications = Application.objects.visible_to(user) if applications is None else applications
    applications = with_outcomes(applications)
    townships = Division.objects.visible_to(user).filter(level=Level.TOWNSHIP, valid_to__isnull=True).order_by("path")
    rows = []
    for township in townships:
        counts = applications.filter(area_q(township, "village__path")).aggregate(
            applications=Count("pk"), **{k: Count("pk", filter=STATE_Q[k]) for k in ("waiting", "refused", "ready",
                                                                                     "approved")})
        rows.append(TownshipRow(township, **counts))
    return rows
