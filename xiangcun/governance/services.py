"""Operations on the responsibility lists and on 事项准入 requests: views, the API, imports and the demo call these.

A list goes draft → published; publishing a version closes the one it replaces (its 废止日期 is the day before).
A township gets a draft by adopting its county's template or by starting a new version of its own list in force;
only drafts change. A 属地事项 item enters a list only from an approved 准入 request (`add_local_item`).
"""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from xiangcun.bodies.models import Body, BodyKind
from xiangcun.core import audit
from xiangcun.divisions.levels import Level
from xiangcun.divisions.models import Division
from xiangcun.divisions.scoping import ensure_in_scope

from .errors import GovernanceError
from .models import Admission, AdmissionStatus, DutyItem, ListKind, ListStatus, LocalItem, ResponsibilityList

EVENTS = {
    "govlist.adopt": "乡镇采用县级模板",
    "govlist.new_version": "起草清单新版本",
    "govlist.publish": "发布责任清单",
    "govlist.superseded": "清单被新版本替代",
    "admission.approve": "事项准入审批通过",
    "admission.refuse": "事项准入不予准入",
    "govlist.closed_by_merger": "乡镇撤并,清单废止",
    "governance.follow_merger": "乡镇撤并,承接事项转由承接乡镇",
}
EVENT_LABELS = {"template": "县级模板", "version": "版本号", "doc_number": "发布文号", "effective_from": "施行日期",
                "effective_to": "废止日期", "replaced_by": "替代版本", "source": "来源版本", "lists": "列入的清单",
                "note": "审批意见", "items": "事项数", "unit": "撤并的乡镇", "successor": "承接乡镇", "when": "撤并日期"}


# --- lists -------------------------------------------------------------------------------------------------

def _next_version(unit, kind) -> int:
    top = ResponsibilityList.objects.filter(unit=unit, kind=kind).aggregate(m=Max("version"))["m"]
    return (top or 0) + 1


def _draft_of(unit, kind):
    return ResponsibilityList.objects.filter(unit=unit, kind=kind, status=ListStatus.DRAFT).first()


def in_force(unit, kind, on: dt.date | None = None):
    """The published version of the unit's list of that kind in force on `on` (today by default), or None."""
    return (ResponsibilityList.objects.filter(unit=unit, kind=kind).in_force(on or dt.date.today())
            .order_by("-effective_from", "-version").first())


def _default_title(unit, kind) -> str:
    return f"{unit.name}{ListKind(kind).label}" + ("(县级模板)" if unit.level == Level.COUNTY else "")


def create_list(user, unit, kind, title: str = "", note: str = "") -> ResponsibilityList:
    """An empty draft for a county (its template) or a township (a list of its own, without a template)."""
    if unit.level not in (Level.COUNTY, Level.TOWNSHIP) or unit.valid_to is not None:
        raise GovernanceError("清单只能建在现存的县(市)或乡镇上", {"unit": "请选择现存的县(市)或乡镇"})
    with transaction.atomic():
        ensure_in_scope(user, unit)
        if _draft_of(unit, kind):
            raise GovernanceError(f"{unit.name}已有一份{ListKind(kind).label}草案,请先发布或修改它",
                                  {"unit": f"{unit.name}已有一份草案"})
        return ResponsibilityList.objects.create(kind=kind, unit=unit, is_template=unit.level == Level.COUNTY,
                                                 version=_next_version(unit, kind), title=title or _default_title(unit, kind),
                                                 note=note)


def township_body(township, office_name: str):
    """The township's current body of that short name or full name (an office, the government itself), or None."""
    if not office_name:
        return None
    qs = Body.objects.filter(unit=township, valid_to__isnull=True)
    return (qs.filter(short_name=office_name).order_by("pk").first()
            or qs.filter(name=office_name).order_by("pk").first()
            or qs.filter(name=township.name + office_name).order_by("pk").first())


def _copy_items(source: ResponsibilityList, draft: ResponsibilityList) -> None:
    township = draft.unit if not draft.is_template else None
    if source.kind == ListKind.DUTIES:
        for item in source.duty_items.select_related("body").order_by("pk"):
            office = item.office_name or (item.body.short_name if item.body_id else "")
            body = item.body if item.body_id and item.body.unit_id == draft.unit_id else None
            if township is not None and body is None:
                body = township_body(township, office)
            elif body is not None and body.valid_to is not None:
                body = body.final_successor()
            DutyItem.objects.create(list=draft, name=item.name, category=item.category, legal_basis=item.legal_basis,
                                    body=body if township is not None else None, office_name=office,
                                    duties=item.duties, accountability=item.accountability)
    else:
        for item in source.local_items.select_related("department", "admission").order_by("pk"):
            LocalItem.objects.create(list=draft, name=item.name, department=item.department.final_successor(),
                                     cooperation=item.cooperation, legal_basis=item.legal_basis, admission=item.admission)


def adopt_template(user, template: ResponsibilityList, township) -> ResponsibilityList:
    """A township adopts its county's template: a draft copy (the next version of the township's list), whose
    items name the township's own offices (by the template's office short names), to adjust and publish."""
    if not template.is_template:
        raise GovernanceError("只能采用县级模板")
    if template.status != ListStatus.PUBLISHED:
        raise GovernanceError("模板尚未发布,发布后乡镇才能采用")
    if township.level != Level.TOWNSHIP or township.valid_to is not None or not township.path.startswith(template.unit.path):
        raise GovernanceError(f"{township.name}不是{template.unit.name}的现存乡镇", {"township": "请选择本县(市)的现存乡镇"})
    with transaction.atomic():
        ensure_in_scope(user, township)
        if _draft_of(township, template.kind):
            raise GovernanceError(f"{township.name}已有一份{template.get_kind_display()}草案,请先发布或修改它",
                                  {"township": f"{township.name}已有草案"})
        draft = ResponsibilityList.objects.create(
            kind=template.kind, unit=township, version=_next_version(township, template.kind), based_on=template,
            title=_default_title(township, template.kind))
        _copy_items(template, draft)
        audit.log_event(draft, "govlist.adopt", data={"template": str(template), "version": draft.version})
    return draft


def new_version(user, source: ResponsibilityList) -> ResponsibilityList:
    """Start the next version of a published list: a draft copy of it."""
    if source.status != ListStatus.PUBLISHED:
        raise GovernanceError("只能从已发布的版本起草新版本")
    with transaction.atomic():
        ensure_in_scope(user, source.unit)
        if source.unit.valid_to is not None:
            raise GovernanceError(f"{source.unit.name}已撤并,不能再起草新版本")
        if _draft_of(source.unit, source.kind):
            raise GovernanceError(f"{source.unit.name}已有一份{source.get_kind_display()}草案,请先发布或修改它")
        draft = ResponsibilityList.objects.create(
            kind=source.kind, unit=source.unit, is_template=source.is_template, version=_next_version(source.unit, source.kind),
            based_on=source, title=source.title)
        _copy_items(source, draft)
        audit.log_event(draft, "govlist.new_version", data={"source": str(source), "version": draft.version})
    return draft


def ensure_draft(user, lst: ResponsibilityList) -> None:
    if not lst.is_draft:
        raise GovernanceError("已发布的清单不能修改:请起草新版本")
    ensure_in_scope(user, lst.unit)


def publish(user, lst: ResponsibilityList, doc_number: str, effective_from: dt.date | None) -> ResponsibilityList:
    """Publish a draft with its 发布文号 and 施行日期; the version in force until then closes the day before.
    Every 权责清单 item of a township must name the office that carries it."""
    errors = {}
    doc_number = (doc_number or "").strip()
    if not doc_number:
        errors["doc_number"] = "请填写发布文号"
    if effective_from is None:
        errors["effective_from"] = "请填写施行日期"
    given = lst
    with transaction.atomic():
        lst = ResponsibilityList.objects.select_for_update().get(pk=lst.pk)
        ensure_draft(user, lst)
        if lst.unit.valid_to is not None and (effective_from is None or effective_from >= lst.unit.valid_to):
            raise GovernanceError(f"{lst.unit.name}已于{lst.unit.valid_to:%Y-%m-%d}撤并,不能发布其清单;"
                                  "请在承接乡镇的清单中起草")
        previous = (ResponsibilityList.objects.filter(unit=lst.unit, kind=lst.kind, status=ListStatus.PUBLISHED,
                                                      effective_to__isnull=True).order_by("-effective_from").first())
        if previous and effective_from and effective_from <= previous.effective_from:
            errors["effective_from"] = (f"施行日期须晚于现行第{previous.version}版的施行日期"
                                        f"({previous.effective_from:%Y-%m-%d})")
        items = list(lst.items())
        if not items:
            errors.setdefault("__all__", "清单没有事项,不能发布")
        if lst.kind == ListKind.DUTIES and not lst.is_template:
            missing = [i.name for i in items if not i.body_id]
            if missing:
                errors.setdefault("__all__", f"以下事项未指定承办机构:{'、'.join(missing[:10])}"
                                  + (f"等 {len(missing)} 项" if len(missing) > 10 else ""))
        if errors:
            raise GovernanceError(next(iter(errors.values())), errors)
        if previous:
            previous.effective_to = effective_from - dt.timedelta(days=1)
            previous.save()
            audit.log_event(previous, "govlist.superseded", data={"replaced_by": str(lst),
                                                                   "effective_to": previous.effective_to.isoformat()})
        lst.status = ListStatus.PUBLISHED
        lst.doc_number = doc_number
        lst.effective_from = effective_from
        lst.published_at = timezone.now()
        lst.save()
        audit.log_event(lst, "govlist.publish", data={"doc_number": doc_number, "effective_from": effective_from.isoformat(),
                                                      "items": len(items)})
    given.refresh_from_db()
    return given


def save_duty_item(user, item: DutyItem) -> DutyItem:
    with transaction.atomic():
        ensure_draft(user, item.list)
        if item.body_id and not item.list.is_template and item.body.unit_id != item.list.unit_id:
            raise GovernanceError(f"承办机构须是{item.list.unit.name}的机构", {"body": f"请选择{item.list.unit.name}的机构"})
        clash = DutyItem.objects.filter(list=item.list, name=item.name).exclude(pk=item.pk).exists()
        if clash:
            raise GovernanceError(f"清单中已有事项“{item.name}”", {"name": "清单中已有同名事项"})
        if item.body_id and not item.office_name:
            item.office_name = item.body.short_name
        item.save()
    return item


def save_local_item(user, item: LocalItem) -> LocalItem:
    """Adjust an item already on a draft (its 配合责任 or legal basis); new items come only through `add_local_item`."""
    if not item.pk:
        raise GovernanceError("属地事项须经事项准入审批后才能列入清单")
    with transaction.atomic():
        ensure_draft(user, item.list)
        item.save()
    return item


def delete_item(user, item) -> None:
    with transaction.atomic():
        ensure_draft(user, item.list)
        item.delete()


def add_local_item(lst: ResponsibilityList, admission: Admission, **overrides) -> LocalItem:
    """The one way a 属地事项 item enters a list: from an approved 准入 request that covers the list's township."""
    if lst.kind != ListKind.LOCAL:
        raise GovernanceError("准入事项只能列入属地管理事项责任清单")
    if admission.status != AdmissionStatus.APPROVED:
        raise GovernanceError(f"事项“{admission.name}”未经事项准入审批通过,不能列入属地事项清单")
    if not lst.unit.path.startswith(admission.unit.path):
        raise GovernanceError(f"事项“{admission.name}”是{admission.unit.name}的准入事项,不适用于{lst.unit.name}")
    targets = list(admission.townships.all())
    if targets and not lst.is_template and lst.unit not in targets:
        raise GovernanceError(f"事项“{admission.name}”的准入范围不含{lst.unit.name}")
    if not lst.is_draft:
        raise GovernanceError("已发布的清单不能修改:请起草新版本")
    item = LocalItem.objects.filter(list=lst, name=admission.name).first() or LocalItem(list=lst, name=admission.name)
    item.department = overrides.get("department") or admission.department
    item.cooperation = overrides.get("cooperation") or admission.cooperation
    item.legal_basis = overrides.get("legal_basis", admission.legal_basis) or admission.legal_basis
    item.admission = admission
    item.save()
    return item


# --- comparison --------------------------------------------------------------------------------------------

DUTY_FIELDS = (("category", "事项类别"), ("legal_basis", "设定依据"), ("office", "承办机构"), ("duties", "责任事项"),
               ("accountability", "追责情形"))
LOCAL_FIELDS = (("department", "主体责任部门"), ("cooperation", "乡镇配合责任"), ("legal_basis", "设定依据"))


def _item_values(item) -> dict:
    if isinstance(item, DutyItem):
        return {"category": item.get_category_display(), "legal_basis": item.legal_basis,
                "office": item.office_name or (item.body.short_name if item.body_id else ""),
                "duties": item.duties, "accountability": item.accountability}
    return {"department": item.department.name, "cooperation": item.cooperation, "legal_basis": item.legal_basis}


def compare(old: ResponsibilityList, new: ResponsibilityList) -> dict:
    """Items added, removed and changed (by name) from `old` to `new`: {"added": [item], "removed": [item],
    "changed": [(item, [(label, before, after)])], "same": n}."""
    fields = DUTY_FIELDS if new.kind == ListKind.DUTIES else LOCAL_FIELDS
    related = ("body",) if new.kind == ListKind.DUTIES else ("department",)
    before = {i.name: i for i in old.items().select_related(*related)}
    after = {i.name: i for i in new.items().select_related(*related)}
    changed, same = [], 0
    for name in sorted(set(before) & set(after)):
        a, b = _item_values(before[name]), _item_values(after[name])
        diff = [(label, a[key] or "—", b[key] or "—") for key, label in fields if (a[key] or "") != (b[key] or "")]
        if diff:
            changed.append((after[name], diff))
        else:
            same += 1
    return {"added": [after[n] for n in sorted(set(after) - set(before))],
            "removed": [before[n] for n in sorted(set(before) - set(after))], "changed": changed, "same": same}


# --- 事项准入 ----------------------------------------------------------------------------------------------

def county_townships(county):
    return Division.objects.filter(path__startswith=county.path, level=Level.TOWNSHIP, valid_to__isnull=True).order_by("path")


def file_admission(user, admission: Admission, townships=()) -> Admission:
    """A county department files a request to push an item down to the townships (all of them, or those named)."""
    from xiangcun.bodies.services import county_of

    errors = {}
    county = county_of(admission.department.unit) if admission.department_id else None
    if admission.department_id and admission.department.kind != BodyKind.COUNTY_DEPARTMENT:
        errors["department"] = "申请部门须是县级部门"
    if county is None:
        errors.setdefault("department", "请选择申请部门")
    bad = [t.name for t in townships if county is None or t.level != Level.TOWNSHIP or not t.path.startswith(county.path)]
    if bad:
        errors["townships"] = f"{'、'.join(bad)}不是本县(市)的乡镇"
    if errors:
        raise GovernanceError(next(iter(errors.values())), errors)
    with transaction.atomic():
        ensure_in_scope(user, county)
        admission.unit = county
        admission.status = AdmissionStatus.PENDING
        admission.filed_by = user if getattr(user, "is_authenticated", False) else None
        admission.save()
        admission.townships.set(townships)
    return admission


def approve(user, admission: Admission, note: str = "") -> list[ResponsibilityList]:
    """The reform office approves: the item enters each target township's 属地事项 draft (started from the
    version in force, or a new list when the township has none). Returns the drafts it entered."""
    given = admission
    with transaction.atomic():
        admission = Admission.objects.select_for_update().get(pk=admission.pk)
        ensure_in_scope(user, admission.unit)
        if admission.status != AdmissionStatus.PENDING:
            raise GovernanceError(f"该申请已审批({admission.get_status_display()}),不能再次审批")
        admission.status = AdmissionStatus.APPROVED
        admission.decision_note = note
        admission.decided_by = user if getattr(user, "is_authenticated", False) else None
        admission.decided_at = timezone.now()
        admission.save()
        drafts = []
        for township in list(admission.townships.all()) or list(county_townships(admission.unit)):
            draft = _draft_of(township, ListKind.LOCAL)
            if draft is None:
                current = in_force(township, ListKind.LOCAL)
                draft = new_version(None, current) if current else create_list(None, township, ListKind.LOCAL)
            add_local_item(draft, admission)
            drafts.append(draft)
        audit.log_event(admission, "admission.approve", data={"note": note, "lists": [str(d) for d in drafts]})
    given.refresh_from_db()
    return drafts


def refuse(user, admission: Admission, reason: str) -> Admission:
    if not (reason or "").strip():
        raise GovernanceError("不予准入须写明理由", {"note": "请写明不予准入的理由"})
    with transaction.atomic():
        admission = Admission.objects.select_for_update().get(pk=admission.pk)
        ensure_in_scope(user, admission.unit)
        if admission.status != AdmissionStatus.PENDING:
            raise GovernanceError(f"该申请已审批({admission.get_status_display()}),不能再次审批")
        admission.status = AdmissionStatus.REFUSED
        admission.decision_note = reason.strip()
        admission.decided_by = user if getattr(user, "is_authenticated", False) else None
        admission.decided_at = timezone.now()
        admission.save()
        audit.log_event(admission, "admission.refuse", data={"note": admission.decision_note})
    return admission


# --- mergers -------------------------------------------------------------------------------------------------

def follow_closed_unit(unit: Division, when: dt.date) -> None:
    """A township ended (merged, split, abolished), dated today or earlier:
    - its lists in force are repealed the day before (废止日期), kept and readable as history; its drafts stay, but
      cannot be published to take effect after the closing (`publish` refuses);
    - the county's delegations and enforcement items it had taken are now taken by the township that took it over
      (the closed township stays named on them, as history);
    - its enforcement officers now serve the successor (their 执法证 stays valid).
    Staff of the abolished township wait on the placement list (services_staffing). Audited."""
    from xiangcun.divisions.services import successors_on

    from .models import Delegation, EnforcementItem, EnforcementOfficer

    if unit.level != Level.TOWNSHIP or when > dt.date.today():
        return
    heirs = [s for s in successors_on(unit, when) if s.pk != unit.pk and s.level == Level.TOWNSHIP]
    heir = heirs[0] if heirs else None
    data = {"unit": unit.name, "successor": heir.name if heir else "", "when": when.isoformat()}
    for lst in ResponsibilityList.objects.filter(unit=unit, status=ListStatus.PUBLISHED, effective_to__isnull=True):
        lst.effective_to = max(when - dt.timedelta(days=1), lst.effective_from or when)
        lst.save(update_fields=["effective_to"])
        audit.log_event(lst, "govlist.closed_by_merger", data=data)
    if heir is None:
        return
    for model in (Delegation, EnforcementItem):
        for record in model.objects.filter(townships=unit).exclude(townships=heir):
            record.townships.add(heir)
            audit.log_event(record, "governance.follow_merger", data=data)
    for officer in EnforcementOfficer.objects.filter(unit=unit):
        officer.unit = heir
        officer.save(update_fields=["unit"])
        audit.log_event(officer, "governance.follow_merger", data=data)
