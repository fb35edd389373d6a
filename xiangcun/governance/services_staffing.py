"""机构编制 and 定岗定责定人: establishment against actual staff, posts and the list items they carry, staff, and the
placement (安置) of the staff of a township abolished in a merger. Alerts: 超编, long vacancies, list items no post
carries, people without a post."""
from __future__ import annotations

import datetime as dt
from collections import Counter

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from xiangcun.bodies.models import Body, BodyKind
from xiangcun.core import audit
from xiangcun.core.crypto import blind_index
from xiangcun.core.validators import id_number as check_id_number
from xiangcun.divisions.scoping import ensure_in_scope

from .errors import GovernanceError
from .models import DutyItem, Establishment, ListKind, ListStatus, Post, Staff, StaffKind

VACANCY_MONTHS = 6
TOWNSHIP_KINDS = (BodyKind.TOWNSHIP_GOVERNMENT, BodyKind.TOWNSHIP_OFFICE, BodyKind.TOWNSHIP_INSTITUTION)
EVENTS = {"staff.placed": "安置撤并乡镇工作人员"}
EVENT_LABELS = {"post": "安置岗位", "from_body": "原机构"}


def current(qs):
    return qs.filter(left_on__isnull=True)


def save_establishment(user, establishment: Establishment) -> Establishment:
    with transaction.atomic():
        ensure_in_scope(user, establishment.body.unit)
        if establishment.body.kind not in TOWNSHIP_KINDS:
            raise GovernanceError("只登记乡镇机构的编制", {"body": "请选择乡镇机构"})
        establishment.save()
    return establishment


def save_post(user, post: Post, items=()) -> Post:
    if post.body.valid_to is not None:
        raise GovernanceError(f"{post.body.name}已撤销,不能再设岗位", {"body": "请选择现存机构"})
    wrong = [i.name for i in items if i.list.unit_id != post.body.unit_id]
    if wrong:
        raise GovernanceError(f"事项不属于{post.body.unit.name}的清单:{'、'.join(wrong)}", {"items": "只能选本乡镇清单的事项"})
    with transaction.atomic():
        ensure_in_scope(user, post.body.unit)
        if Post.objects.filter(body=post.body, name=post.name).exclude(pk=post.pk).exists():
            raise GovernanceError(f"{post.body.name}已有岗位“{post.name}”", {"name": "同一机构内岗位名称重复"})
        if post.vacant_since is None and not post.pk:
            post.vacant_since = dt.date.today()
        post.save()
        post.items.set(items)
    return post


def save_staff(user, staff: Staff) -> Staff:
    """Create or change a staff record: valid 身份证号, unique among current staff (blind index), post in the same body."""
    errors = {}
    try:
        staff.id_number = check_id_number(staff.id_number)
    except ValidationError as exc:
        errors["id_number"] = exc.messages[0]
    if staff.post_id and staff.post.body_id != staff.body_id:
        errors["post"] = f"岗位“{staff.post.name}”不属于{staff.body.name}"
    if staff.body.valid_to is not None and not staff.pk:
        errors["body"] = f"{staff.body.name}已撤销,请登记到承接机构"
    if not errors:
        staff.id_index = blind_index(staff.id_number, "governance.staff")
        clash = current(Staff.objects.filter(id_index=staff.id_index)).exclude(pk=staff.pk).select_related("body").first()
        if clash:
            errors["id_number"] = f"该身份证号已登记为{clash.body.name}的工作人员"
    if errors:
        raise GovernanceError(next(iter(errors.values())), errors)
    with transaction.atomic():
        if staff.pk:
            ensure_in_scope(user, Staff.objects.select_related("body__unit").get(pk=staff.pk).body.unit)
        ensure_in_scope(user, staff.body.unit)
        old_post = Staff.objects.filter(pk=staff.pk).values_list("post_id", flat=True).first() if staff.pk else None
        staff.save()
        _refresh_vacancy([old_post, staff.post_id])
    return staff


def _refresh_vacancy(post_ids) -> None:
    """A post filled has no vacancy date; a post left empty is vacant from today."""
    for post in Post.objects.filter(pk__in=[p for p in post_ids if p]):
        filled = current(post.staff.all()).exists()
        if filled and post.vacant_since is not None:
            post.vacant_since = None
            post.save()
        elif not filled and post.vacant_since is None:
            post.vacant_since = dt.date.today()
            post.save()


def to_place(qs):
    """Staff still to be placed: in a body closed by a merger (or abolished), without a post in a current body."""
    return current(qs).filter(Q(body__valid_to__isnull=False)).filter(Q(post__isnull=True) | Q(post__body__valid_to__isnull=False))


def place(user, staff: Staff, post: Post) -> Staff:
    """Place a merged township's staff member on a post of the body that took over (or another current body)."""
    if post.body.valid_to is not None:
        raise GovernanceError("请选择现存机构的岗位", {"post": "该岗位所在机构已撤销"})
    with transaction.atomic():
        ensure_in_scope(user, staff.body.unit, post.body.unit)
        from_body = staff.body.name
        old_post = staff.post_id
        staff.body, staff.post = post.body, post
        staff.save()
        _refresh_vacancy([old_post, post.pk])
        audit.log_event(staff, "staff.placed", data={"post": str(post), "from_body": from_body})
    return staff


def posts_for_placement(user, staff: Staff):
    """Current posts a staff member may be placed on: the successor body's unit first, all posts the user sees."""
    heir = staff.body.final_successor()
    qs = Post.objects.visible_to(user).filter(body__valid_to__isnull=True).select_related("body")
    return sorted(qs, key=lambda p: (p.body.unit_id != heir.unit_id, p.body_id != heir.pk, p.body.name, p.name))


# --- the staffing table and its alerts ---------------------------------------------------------------------

def staffing_rows(bodies):
    """Per body: (body, establishment or None, {kind: (authorised, actual)}, leaders (authorised, actual), over)."""
    bodies = list(bodies)
    establishments = {e.body_id: e for e in Establishment.objects.filter(body__in=bodies)}
    counts = Counter(current(Staff.objects.filter(body__in=bodies)).values_list("body_id", "kind"))
    leaders = Counter(current(Staff.objects.filter(body__in=bodies, leader=True)).values_list("body_id", flat=True))
    rows = []
    for body in bodies:
        e = establishments.get(body.pk)
        kinds = {k: (e.authorised(k) if e else None, counts.get((body.pk, k), 0)) for k, _ in StaffKind.choices}
        over = [label for k, label in StaffKind.choices if e and kinds[k][1] > kinds[k][0]]
        if e and leaders.get(body.pk, 0) > e.leaders:
            over.append("领导职数")
        rows.append((body, e, kinds, (e.leaders if e else None, leaders.get(body.pk, 0)), over))
    return rows


def long_vacancies(posts_qs, months: int = VACANCY_MONTHS, on: dt.date | None = None):
    on = on or dt.date.today()
    cutoff = on - dt.timedelta(days=round(months * 30.44))
    return posts_qs.filter(body__valid_to__isnull=True, vacant_since__lte=cutoff)


def items_without_post(items_qs, on: dt.date | None = None):
    """权责清单 items of the township lists in force that no post carries (by item name within the township)."""
    on = on or dt.date.today()
    in_force = items_qs.filter(list__kind=ListKind.DUTIES, list__status=ListStatus.PUBLISHED, list__is_template=False,
                               list__effective_from__lte=on).filter(Q(list__effective_to__isnull=True) | Q(list__effective_to__gte=on))
    carried = set(DutyItem.objects.filter(posts__isnull=False).values_list("list__unit_id", "name"))
    return [i for i in in_force.select_related("list__unit") if (i.list.unit_id, i.name) not in carried]


def without_post(staff_qs):
    return current(staff_qs).filter(post__isnull=True, body__valid_to__isnull=True)


def township_bodies(user):
    return (Body.objects.visible_to(user).filter(kind__in=TOWNSHIP_KINDS, valid_to__isnull=True)
            .select_related("unit").order_by("unit__path", "kind", "name"))
