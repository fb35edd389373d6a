"""耕地保护 (issue #19): each township's 耕地保有量 and 永久基本农田 for a year, target (下达任务) against actual (实有),
with the gap and a 红/绿 status and the county's totals; the 图斑 (land-use violation patches) with their
rectification (待整改 → 整改中 → 已整改 → 已销号), deadline and overdue flag; how both follow a merger.
Views, the import, the demo and the follow-hook call these."""
from __future__ import annotations

import datetime as dt
import json
import os
from decimal import Decimal

from django.db import transaction
from shapely.geometry import Point, shape
from shapely.ops import unary_union
from shapely.validation import explain_validity

from xiangcun.core import audit
from xiangcun.divisions import services as registry
from xiangcun.divisions.models import Division, Level
from xiangcun.divisions.scoping import ensure_in_scope, in_scope, subtree_q

from .errors import ZoneError
from .models import OPEN_STATUSES, FarmlandTarget, Patch, PatchStatus

TARGET_FIELDS = ("cultivated_target", "basic_target")
ACTUAL_FIELDS = ("cultivated_actual", "basic_actual")
FIGURES = TARGET_FIELDS + ACTUAL_FIELDS

EVENTS = {
    "zones.patch_status": "图斑整改状态变更",
    "zones.patch_follow": "区划调整后图斑随之划转",
    "zones.farmland_follow": "区划调整后耕地保护任务并入承继乡镇",
}
EVENT_LABELS = {"unit": "原单位", "successor": "承继单位", "from": "原状态", "to": "新状态", "note": "整改情况", "evidence": "佐证材料", "year": "年度",
                "merged": "并入的数字"}
STATUS_CHOICES = {"from": dict(PatchStatus.choices), "to": dict(PatchStatus.choices)}

# the steps a patch may take; 销号 (and sending a rectified patch back) is the county's
STEPS = {
    PatchStatus.PENDING: (PatchStatus.RECTIFYING, PatchStatus.RECTIFIED),
    PatchStatus.RECTIFYING: (PatchStatus.RECTIFIED,),
    PatchStatus.RECTIFIED: (PatchStatus.CLOSED, PatchStatus.RECTIFYING),
    PatchStatus.CLOSED: (),
}
COUNTY_STEPS = {(PatchStatus.RECTIFIED, PatchStatus.CLOSED), (PatchStatus.RECTIFIED, PatchStatus.RECTIFYING)}
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
EVIDENCE_TYPES = (".pdf", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".xls", ".xlsx", ".zip")

TARGET_COLUMNS = ("乡镇", "年度", "耕地保有量下达任务(亩)", "耕地保有量实有(亩)", "耕地保有量差额(亩)",
                  "永久基本农田下达任务(亩)", "永久基本农田实有(亩)", "永久基本农田差额(亩)", "状态", "说明")
PATCH_COLUMNS = ("图斑编号", "乡镇", "村", "图斑类型", "面积(亩)", "经度", "纬度", "发现日期", "整改期限", "整改状态",
                 "是否逾期", "整改情况", "整改完成日期")
STATUS_LABELS = {"green": "绿(达标)", "red": "红(未达标)", None: "数据不全"}


def is_county_user(user) -> bool:
    from .permissions import may_edit

    return user is None or may_edit(user)


def township_of(unit: Division) -> Division | None:
    if unit.level == Level.TOWNSHIP:
        return unit
    ids = [int(x) for x in unit.path.strip("/").split("/") if x]
    return Division.objects.filter(pk__in=ids, level=Level.TOWNSHIP).first()


def county_of(unit: Division) -> Division | None:
    ids = [int(x) for x in unit.path.strip("/").split("/") if x]
    return Division.objects.filter(pk__in=ids, level=Level.COUNTY).first()


# --- targets and actuals --------------------------------------------------------------------------------

@transaction.atomic
def save_target(user, unit: Division, year: int, values: dict, note: str | None = None) -> FarmlandTarget:
    """Record a township's figures for a year (values: some of FIGURES; a key absent keeps the stored figure).
    A township user records its own actuals only; the targets are handed down by the county. Every problem at
    once (ZoneError with fields)."""
    errors = {}
    if unit.level != Level.TOWNSHIP or unit.valid_to is not None:
        errors["unit"] = f"{unit.name}不是现行乡镇,耕地保护任务按乡镇下达"
    elif user is not None and not in_scope(user, unit):
        errors["unit"] = f"{unit.name}不在您的管辖范围内"
    row = FarmlandTarget.objects.filter(unit=unit, year=year).first() if not errors else None
    if not is_county_user(user):
        for f in TARGET_FIELDS:
            if f in values and values[f] != (getattr(row, f) if row else None):
                errors[f] = "下达任务由县两项改革办填写,乡镇只填报实有面积"
        if note is not None and note != (row.note if row else ""):
            errors["note"] = "说明由县两项改革办填写"
    if errors:
        raise ZoneError("；".join(errors.values()), fields=errors)
    if user is not None:
        ensure_in_scope(user, unit)
    row = row or FarmlandTarget(unit=unit, year=year)
    for f in FIGURES:
        if f in values:
            setattr(row, f, values[f])
    if note is not None:
        row.note = note
    row.updated_by = user
    row.save()
    return row


def _rate(actual, target):
    if not target or actual is None:
        return None
    return round(Decimal(100) * actual / target, 1)


def township_rows(user, place: Division, year: int) -> dict:
    """Every current township under the place (those the user sees) with its figures for the year, and the
    totals: {"rows": [{township, target (or None), status}], "totals": {field: sum}, "rates": {...}, "green",
    "red", "missing"}."""
    units = Division.objects.all() if user is None else Division.objects.visible_to(user)
    townships = list(units.current().filter(subtree_q(place), level=Level.TOWNSHIP).order_by("path"))
    targets = {t.unit_id: t for t in FarmlandTarget.objects.filter(unit__in=townships, year=year)}
    rows = []
    totals = dict.fromkeys(FIGURES, Decimal(0))
    for t in townships:
        row = targets.get(t.pk)
        rows.append({"township": t, "target": row, "status": row.status if row else None,
                     "cultivated_rate": _rate(row.cultivated_actual, row.cultivated_target) if row else None,
                     "basic_rate": _rate(row.basic_actual, row.basic_target) if row else None})
        for f in FIGURES:
            if row is not None and getattr(row, f) is not None:
                totals[f] += getattr(row, f)
    return {"rows": rows, "totals": totals,
            "cultivated_gap": totals["cultivated_actual"] - totals["cultivated_target"],
            "basic_gap": totals["basic_actual"] - totals["basic_target"],
            "cultivated_rate": _rate(totals["cultivated_actual"], totals["cultivated_target"]),
            "basic_rate": _rate(totals["basic_actual"], totals["basic_target"]),
            "green": sum(1 for r in rows if r["status"] == "green"),
            "red": sum(1 for r in rows if r["status"] == "red"),
            "missing": sum(1 for r in rows if r["status"] is None)}


def target_rows(data):
    for r in data["rows"]:
        t = r["target"]
        if t is None:
            yield [r["township"].name, None, None, None, None, None, None, None, STATUS_LABELS[None], ""]
            continue
        yield [r["township"].name, t.year, t.cultivated_target, t.cultivated_actual, t.cultivated_gap, t.basic_target,
               t.basic_actual, t.basic_gap, STATUS_LABELS[t.status], t.note]


# --- geometry of a patch --------------------------------------------------------------------------------

def county_boundary(county: Division | None):
    """The county's outline: its own boundary, else the union of its current townships' boundaries; None when
    the registry holds no boundary there (then only the coordinates' ranges are checked)."""
    if county is None:
        return None
    shapes = []
    if county.geometry:
        shapes = [county.geometry]
    else:
        shapes = list(Division.objects.current().filter(subtree_q(county), level=Level.TOWNSHIP)
                      .exclude(geometry=None).values_list("geometry", flat=True))
    parts = []
    for g in shapes:
        try:
            s = shape(g)
        except Exception:  # noqa: BLE001 — a broken registry boundary is not the patch's fault
            continue
        parts.append(s if s.is_valid else s.buffer(0))
    return unary_union(parts) if parts else None


def parse_geometry(text_or_obj, number: str):
    """A GeoJSON Polygon or MultiPolygon (or a Feature holding one) → (geojson dict, shapely shape); ZoneError
    naming the patch when it is unreadable, not a polygon or self-intersecting."""
    label = f"图斑{number or '(未编号)'}"
    obj = text_or_obj
    if isinstance(obj, str):
        try:
            obj = json.loads(obj)
        except ValueError:
            raise ZoneError(f"{label}的范围不是有效的GeoJSON") from None
    if isinstance(obj, dict) and obj.get("type") == "FeatureCollection":
        features = obj.get("features") or []
        if len(features) != 1:
            raise ZoneError(f"{label}的范围应为一个多边形要素(收到 {len(features)} 个要素)")
        obj = features[0]
    if isinstance(obj, dict) and obj.get("type") == "Feature":
        obj = obj.get("geometry")
    if not isinstance(obj, dict) or obj.get("type") not in ("Polygon", "MultiPolygon"):
        raise ZoneError(f"{label}的范围应为多边形(Polygon 或 MultiPolygon)")
    try:
        geom = shape(obj)
    except Exception:  # noqa: BLE001 — any malformed coordinate list
        raise ZoneError(f"{label}的范围坐标无法读取,请检查GeoJSON的坐标") from None
    if geom.is_empty:
        raise ZoneError(f"{label}的范围是空的")
    if not geom.is_valid:
        why = explain_validity(geom)
        if "Self-intersection" in why:
            raise ZoneError(f"{label}的范围自相交(边界线在自身交叉),请修正后再提交")
        raise ZoneError(f"{label}的范围不是有效的多边形({why})")
    if geom.area == 0:
        raise ZoneError(f"{label}的范围面积为零")
    return obj, geom


def check_place(patch: Patch, geometry) -> dict:
    """Field → message for a patch's geometry and point: the polygon readable and simple, both inside the
    county; a patch with a polygon and no point gets the polygon's inner point."""
    errors = {}
    county = county_of(patch.unit) if patch.unit_id else None
    boundary = county_boundary(county)
    geom = None
    if geometry not in (None, "", {}):
        try:
            patch.geometry, geom = parse_geometry(geometry, patch.number)
        except ZoneError as exc:
            errors["geometry"] = str(exc)
        else:
            if boundary is not None and not boundary.buffer(1e-6).contains(geom):
                errors["geometry"] = f"图斑{patch.number}的范围超出{county.name}行政区域"
    else:
        patch.geometry = None
    if (patch.lon is None) != (patch.lat is None):
        errors["lat" if patch.lat is None else "lon"] = "经度和纬度须同时填写"
    elif patch.lon is None and geom is not None and "geometry" not in errors:
        p = geom.representative_point()
        patch.lon, patch.lat = round(p.x, 6), round(p.y, 6)
    elif patch.lon is not None and boundary is not None and not boundary.buffer(1e-6).contains(
            Point(patch.lon, patch.lat)):
        errors["lon"] = f"图斑{patch.number}的位置({patch.lon},{patch.lat})不在{county.name}行政区域内"
    if patch.lon is None and "geometry" not in errors and not any(k in errors for k in ("lon", "lat")):
        errors["lon"] = "请填写图斑位置(经纬度),或给出图斑范围"
    return errors


# --- patches --------------------------------------------------------------------------------------------

@transaction.atomic
def save_patch(user, patch: Patch, geometry=None) -> Patch:
    """Check and save a patch (the county records them); every problem at once (ZoneError with fields)."""
    errors = {}
    if not patch.unit_id:
        errors["unit"] = "请选择图斑所在的乡镇或村"
    elif patch.unit.valid_to is not None or patch.unit.level not in (Level.TOWNSHIP, Level.VILLAGE):
        errors["unit"] = f"{patch.unit.name}不是现行的乡镇或村"
    elif user is not None and not in_scope(user, patch.unit):
        errors["unit"] = f"{patch.unit.name}不在您的管辖范围内"
    else:
        errors.update(check_place(patch, geometry))
    if patch.found_on and patch.deadline and patch.deadline < patch.found_on:
        errors["deadline"] = "整改期限不能早于发现日期"
    clash = Patch.objects.filter(number=patch.number).exclude(pk=patch.pk).first()
    if clash:
        errors["number"] = f"图斑编号{patch.number}已登记({clash.unit.name})"
    if errors:
        raise ZoneError("；".join(errors.values()), fields=errors)
    if user is not None:
        ensure_in_scope(user, patch.unit)
        if patch.created_by_id is None:
            patch.created_by = user
    patch.save()
    return patch


def check_evidence(upload) -> str | None:
    if upload is None:
        return None
    if upload.size > MAX_EVIDENCE_BYTES:
        return f"“{upload.name}”有 {upload.size / 1024 / 1024:.1f} MB,超过 10 MB 的限制"
    if not upload.name.lower().endswith(EVIDENCE_TYPES):
        return f"“{upload.name}”的类型不在允许之列(PDF、图片、Word、Excel 或 zip)"
    return None


@transaction.atomic
def change_status(user, patch: Patch, status: str, note: str = "", rectified_on: dt.date | None = None,
                  evidence=None) -> Patch:
    """Move a patch along its rectification: a township marks its own patches 整改中 or 已整改 (with what was
    done and the date); the county verifies and closes them (已销号) or sends them back. Audited as
    "zones.patch_status". ZoneError with fields on a refused step."""
    patch = Patch.objects.select_for_update().get(pk=patch.pk)
    old = patch.status
    errors = {}
    if user is not None:
        ensure_in_scope(user, patch.unit)
    if status == old:
        errors["status"] = f"图斑{patch.number}已是“{patch.get_status_display()}”"
    elif status not in STEPS.get(old, ()):
        errors["status"] = (f"图斑{patch.number}处于“{patch.get_status_display()}”,不能改为"
                            f"“{PatchStatus(status).label}”")
    elif (old, status) in COUNTY_STEPS and not is_county_user(user):
        errors["status"] = "销号或退回整改由县两项改革办核验后办理"
    if status in (PatchStatus.RECTIFYING, PatchStatus.RECTIFIED) and not (note or "").strip():
        errors["note"] = "请填写整改情况"
    if status == PatchStatus.RECTIFIED:
        rectified_on = rectified_on or dt.date.today()
        if rectified_on < patch.found_on:
            errors["rectified_on"] = "整改完成日期不能早于发现日期"
        elif rectified_on > dt.date.today():
            errors["rectified_on"] = "整改完成日期不能晚于今天"
    problem = check_evidence(evidence)
    if problem:
        errors["evidence"] = problem
    if errors:
        raise ZoneError("；".join(errors.values()), fields=errors)
    patch.status = status
    if (note or "").strip():
        patch.rectification_note = note.strip()
    if status == PatchStatus.RECTIFIED:
        patch.rectified_on = rectified_on
    elif status == PatchStatus.RECTIFYING:
        patch.rectified_on = None
    if evidence is not None:
        patch.evidence.save(os.path.basename(evidence.name), evidence, save=False)
        patch.evidence_name = os.path.basename(evidence.name)[:120]
    patch.save()
    audit.log_event(patch, "zones.patch_status", data={"from": old, "to": status, "note": (note or "").strip(),
                                                         "evidence": patch.evidence_name if evidence else ""})
    return patch


def patch_rows(patches, today):
    for p in patches:
        town = township_of(p.unit)
        village = p.unit.name if p.unit.level != Level.TOWNSHIP else ""
        yield [p.number, town.name if town else "", village, p.get_kind_display(), p.area, p.lon, p.lat, p.found_on,
               p.deadline, p.get_status_display(), "逾期" if p.is_overdue(today) else "", p.rectification_note,
               p.rectified_on]


def open_patches(qs):
    return qs.filter(status__in=OPEN_STATUSES)


# --- mergers --------------------------------------------------------------------------------------------

def follow_closed_unit(unit: Division, when: dt.date) -> None:
    """Follow-hook part (unit_closed, closings dated today or earlier): a merged township's yearly figures are
    added into its successor's (a year the successor had none is moved over), named in `merged_from`; the
    closed unit's patches pass to the successor of the same level, which keeps the closed one as `former_unit`.
    Each step audited ("zones.farmland_follow", "zones.patch_follow")."""
    successors = [s for s in registry.successors_on(unit, when) if s.pk != unit.pk]
    target = next((s for s in successors if s.level == unit.level), None)
    if target is None:
        return
    for row in FarmlandTarget.objects.filter(unit=unit).order_by("year"):
        into = FarmlandTarget.objects.filter(unit=target, year=row.year).first()
        merged = {f: str(getattr(row, f)) for f in FIGURES if getattr(row, f) is not None}
        names = "、".join(x for x in ((into.merged_from if into else row.merged_from), unit.name) if x)
        if into is None:
            row.unit = target
            row.merged_from = names[:300]
            row.save()
            into = row
        else:
            for f in FIGURES:
                mine, theirs = getattr(row, f), getattr(into, f)
                if mine is not None:
                    setattr(into, f, (theirs or 0) + mine)
            into.merged_from = names[:300]
            into.save()
            row.delete()
        audit.log_event(into, "zones.farmland_follow", data={"unit": unit.pk, "successor": target.pk,
                                                             "year": into.year, "merged": merged})
    for p in Patch.objects.filter(unit=unit):
        p.former_unit_id = p.former_unit_id or unit.pk
        p.unit = target
        p.save()
        audit.log_event(p, "zones.patch_follow", data={"unit": unit.pk, "successor": target.pk})
