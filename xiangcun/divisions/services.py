"""Domain operations on the registry: the one place views, API, commands and jobs change divisions.

Every change of a unit's name, code, kind or parent closes its current DivisionVersion on the
effective date and opens a new one, inside the caller's transaction; every change is tied to a
ChangeEvent. Dates are effective dates: a unit abolished on D no longer exists on D.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from xiangcun.core import audit

from . import follow, nbs
from .models import (
    KIND_LEVEL,
    ChangeEvent,
    Division,
    DivisionVersion,
    Edition,
    EditionEntry,
    EventSource,
    EventType,
    Kind,
    Proposal,
    ProposalStatus,
    ReconciliationRun,
    valid_on,
)
from .reconcile import reconcile
from .scoping import subtree_q


class DivisionError(Exception):
    """A refused registry operation; the message is Chinese and names the unit and the reason."""


# --- queries every module uses ------------------------------------------------------------------

def lookup(code: str, when: dt.date) -> Division | None:
    """The unit that carried `code` on `when` (codes are reused, so the date matters)."""
    version = (
        DivisionVersion.objects.filter(code=code).filter(valid_on(when)).select_related("division").first()
    )
    return version.division if version else None


def versions_on(when: dt.date, root: Division | None = None):
    """The tree as of `when`: one DivisionVersion per unit valid that day (under `root` if given)."""
    qs = DivisionVersion.objects.filter(valid_on(when)).select_related("division", "parent")
    if root is not None:
        root_version = root.versions.filter(valid_on(when)).first()
        if root_version is None:
            return qs.none()
        qs = qs.filter(subtree_q(root_version.path))
    return qs.order_by("path")


def version_on(division: Division, when: dt.date) -> DivisionVersion | None:
    return division.versions.filter(valid_on(when)).first()


def successors_on(division: Division, when: dt.date, _seen=None) -> list[Division]:
    """The current unit(s) that took over `division` by `when`: itself while it exists, else
    the successors of the event that ended it, resolved recursively (merges chain, splits fan out)."""
    if division.valid_to is None or division.valid_to > when:
        if division.valid_from is None or division.valid_from <= when:
            return [division]
    seen = _seen or set()
    if division.pk in seen:
        return []
    seen.add(division.pk)
    events = (
        division.events_as_predecessor.filter(effective_date__lte=when)
        .exclude(successors=division)
        .order_by("-effective_date")
    )
    result: list[Division] = []
    for event in events[:1]:
        for succ in event.successors.all():
            for s in successors_on(succ, when, seen):
                if s not in result:
                    result.append(s)
    return result


def lineage(division: Division) -> dict:
    """Nodes and links of the events around a unit, two steps back and forward, for a small graph.
    A change of the unit itself (更名, 代码变更, 隶属变更 …) is lineage too: it is drawn from a node for the
    unit as it was before ("former" node, id "<unit>-<version>", `unit` the unit's id) to the unit."""
    nodes: dict = {division.pk: division}
    former: dict[str, tuple[Division, DivisionVersion]] = {}
    links = []
    frontier = [division]
    for _ in range(2):
        nxt = []
        events = ChangeEvent.objects.filter(
            Q(predecessors__in=frontier) | Q(successors__in=frontier)
        ).distinct().prefetch_related("predecessors", "successors")
        for event in events:
            for p in event.predecessors.all():
                for s in event.successors.all():
                    if p.pk == s.pk:
                        before = (p.versions.filter(valid_to=event.effective_date).order_by("-valid_from").first()
                                  if p.pk in nodes else None)
                        if before is not None:
                            key = f"{p.pk}-{before.pk}"
                            former[key] = (p, before)
                            link = (key, p.pk, event.get_type_display(), str(event.effective_date))
                            if link not in links:
                                links.append(link)
                        continue
                    link = (p.pk, s.pk, event.get_type_display(), str(event.effective_date))
                    if link not in links:
                        links.append(link)
                    for u in (p, s):
                        if u.pk not in nodes:
                            nodes[u.pk] = u
                            nxt.append(u)
        frontier = nxt
        if not frontier:
            break
    return {
        "nodes": [{"id": u.pk, "unit": u.pk, "name": u.name, "code": u.code, "current": u.valid_to is None,
                   "self": u.pk == division.pk} for u in nodes.values()]
                 + [{"id": key, "unit": u.pk, "name": v.name, "code": v.code, "current": False, "self": False,
                     "former": True} for key, (u, v) in former.items()],
        "links": [{"source": s, "target": t, "label": f"{d} {lbl}"} for s, t, lbl, d in links],
    }


# --- changing units --------------------------------------------------------------------------------

def _current(division: Division) -> DivisionVersion:
    version = division.versions.filter(valid_to__isnull=True).first()
    if version is None or division.valid_to is not None:
        raise DivisionError(f"{division.name}已于 {division.valid_to} 撤销,不能再变更")
    return version


def _change(division: Division, when: dt.date, event: ChangeEvent | None, **fields) -> None:
    """Start a new version of `division` on `when` with `fields` changed."""
    version = _current(division)
    if version.valid_from and when < version.valid_from:
        raise DivisionError(
            f"{division.name}的变更日期 {when} 早于其当前状态的生效日期 {version.valid_from}"
        )
    if version.valid_from == when:
        for k, v in fields.items():
            setattr(version, k, v)
        version.save()
    else:
        version.valid_to = when
        version.save(update_fields=["valid_to"])
        version.pk = None
        version.valid_from, version.valid_to, version.event = when, None, event
        for k, v in fields.items():
            setattr(version, k, v)
        version.save()
    old_path = division.path
    for k, v in fields.items():
        setattr(division, k, v)
    division.save()
    if division.path != old_path:
        follow.path_changed(division, old_path, division.path)


def _reparent(division: Division, parent: Division, when: dt.date, event, code: str | None = None) -> None:
    if parent.pk == division.pk or parent.path.startswith(division.path):
        raise DivisionError(f"不能把{division.name}划入其自身或其下级{parent.name}")
    if parent.valid_to is not None:
        raise DivisionError(f"上级单位{parent.name}已撤销")
    old_path, new_path = division.path, f"{parent.path}{division.pk}/"
    fields = {"parent": parent, "path": new_path}
    if code is not None:
        fields["code"] = code
    _change(division, when, event, **fields)
    for desc in Division.objects.filter(subtree_q(old_path), valid_to__isnull=True).exclude(pk=division.pk):
        _change(desc, when, event, path=new_path + desc.path[len(old_path):])


def _close(division: Division, when: dt.date) -> None:
    version = _current(division)
    if version.valid_from and when < version.valid_from:
        raise DivisionError(f"{division.name}的撤销日期 {when} 早于其当前状态的生效日期 {version.valid_from}")
    version.valid_to = when
    version.save(update_fields=["valid_to"])
    division.valid_to = when
    division.save(update_fields=["valid_to"])
    follow.unit_closed(division, when)


def _event(type_, when, document="", note="", source=EventSource.MANUAL, user=None) -> ChangeEvent:
    return ChangeEvent.objects.create(
        type=type_, effective_date=when, document=document, note=note, source=source, created_by=user
    )


def create_unit(name, kind, parent: Division | None, when: dt.date | None, code="", event=None, **extra) -> Division:
    """Create a unit and its first version (no event: use `establish` for a 设立)."""
    name = (name or "").strip()
    if not name:
        raise DivisionError("名称不能为空")
    if parent is not None and parent.valid_to is not None:
        raise DivisionError(f"上级单位{parent.name}已撤销,不能在其下新建单位")
    level = KIND_LEVEL[Kind(kind)]
    division = Division.objects.create(
        code=code, name=name, level=level, kind=kind, parent=parent, path="", valid_from=when, **extra
    )
    division.path = f"{parent.path if parent else '/'}{division.pk}/"
    division.save(update_fields=["path"])
    DivisionVersion.objects.create(
        division=division, code=code, name=name, level=level, kind=kind, parent=parent,
        path=division.path, valid_from=when, event=event,
    )
    return division


@transaction.atomic
def establish(name, kind, parent, when, code="", document="", note="", user=None, source=EventSource.MANUAL, **extra):
    event = _event(EventType.ESTABLISH, when, document, note, source, user)
    division = create_unit(name, kind, parent, when, code=code, event=event, **extra)
    event.successors.add(division)
    audit.log_event(event, "division.establish", actor=user)
    return division


@transaction.atomic
def rename(division, when, name=None, kind=None, code=None, document="", note="", user=None,
           source=EventSource.MANUAL, type_=EventType.RENAME):
    fields = {}
    if name and name != division.name:
        fields["name"] = name
    if kind and kind != division.kind:
        fields["kind"] = kind
        fields["level"] = KIND_LEVEL[Kind(kind)]
    if code is not None and code != division.code:
        fields["code"] = code
    if not fields:
        raise DivisionError(f"{division.name}的名称、类别和代码均未改变")
    if "code" in fields and set(fields) == {"code"}:
        type_ = EventType.RECODE
    event = _event(type_, when, document, note, source, user)
    _change(division, when, event, **fields)
    event.predecessors.add(division)
    event.successors.add(division)
    audit.log_event(event, f"division.{event.type}", actor=user)
    return event


@transaction.atomic
def transfer(division, new_parent, when, code=None, document="", note="", user=None, source=EventSource.MANUAL):
    """隶属变更: move a unit (with everything under it) to another parent, optionally with a new code."""
    if new_parent.pk == division.parent_id:
        if code is None or code == division.code:
            raise DivisionError(f"{division.name}已隶属于{new_parent.name}")
        return rename(division, when, code=code, document=document, note=note, user=user, source=source)
    event = _event(EventType.TRANSFER, when, document, note, source, user)
    _reparent(division, new_parent, when, event, code=code)
    event.predecessors.add(division)
    event.successors.add(division)
    audit.log_event(event, f"division.{event.type}", actor=user)
    return event


def _absorb(predecessors, successor, when, event):
    for pred in predecessors:
        if pred.pk == successor.pk:
            continue
        for child in Division.objects.filter(parent=pred, valid_to__isnull=True):
            _reparent(child, successor, when, event)
        _close(pred, when)


@transaction.atomic
def merge(predecessors, when, into: Division | None = None, new: dict | None = None, document="", note="",
          user=None, source=EventSource.MANUAL):
    """合并: the predecessors end on `when`; `into` (an existing unit) or a `new` unit
    (name, kind, parent, code) takes them over, with their remaining lower units."""
    predecessors = [p for p in predecessors if into is None or p.pk != into.pk]
    if not predecessors:
        raise DivisionError("合并至少需要一个被撤并的单位")
    if (into is None) == (new is None):
        raise DivisionError("合并需要指定并入的现有单位,或新设单位")
    event = _event(EventType.MERGE, when, document, note, source, user)
    if new is not None:
        successor = create_unit(new["name"], new["kind"], new["parent"], when, code=new.get("code", ""), event=event)
    else:
        successor = into
        if successor.valid_to is not None:
            raise DivisionError(f"并入单位{successor.name}已撤销")
        event.predecessors.add(successor)
    event.predecessors.add(*predecessors)
    event.successors.add(successor)
    _absorb(predecessors, successor, when, event)
    audit.log_event(event, f"division.{event.type}", actor=user)
    return event


@transaction.atomic
def split(division, when, into: list[Division] = (), new: list[dict] = (), document="", note="", user=None,
          source=EventSource.MANUAL):
    """拆分: `division` ends on `when`; existing units `into` and `new` units take it over.
    Lower units still under it move to the first successor (transfer them on afterwards)."""
    event = _event(EventType.SPLIT, when, document, note, source, user)
    successors = list(into) + [
        create_unit(n["name"], n["kind"], n["parent"], when, code=n.get("code", ""), event=event) for n in new
    ]
    if not successors:
        raise DivisionError("拆分至少需要一个承接单位")
    event.predecessors.add(division)
    event.successors.add(*successors)
    _absorb([division], successors[0], when, event)
    audit.log_event(event, f"division.{event.type}", actor=user)
    return event


@transaction.atomic
def abolish(division, when, document="", note="", user=None, source=EventSource.MANUAL):
    remaining = Division.objects.filter(parent=division, valid_to__isnull=True).count()
    if remaining:
        raise DivisionError(f"{division.name}下仍有 {remaining} 个下级单位,请先合并或转移")
    event = _event(EventType.ABOLISH, when, document, note, source, user)
    event.predecessors.add(division)
    _close(division, when)
    audit.log_event(event, f"division.{event.type}", actor=user)
    return event


# --- NBS editions ---------------------------------------------------------------------------------

@dataclass
class ImportResult:
    edition: Edition
    added: int
    unchanged: int

    @property
    def message(self) -> str:
        if self.added == 0:
            return f"{self.edition.year} 年版已导入过,本次无变化(核对 {self.unchanged} 条)"
        return f"{self.edition.year} 年版导入 {self.added} 条(另有 {self.unchanged} 条已存在)"


def import_edition(path, year: int, ref_date: dt.date, scope: str = "", data: bytes | None = None,
                   progress=None) -> ImportResult:
    """Import an NBS edition file as a dated snapshot; re-importing the same file changes nothing.

    The whole file is validated first (nbs.EditionFileError lists every error by line); rows that
    exist already must agree with it; then all new rows are written in one transaction.
    """
    scope = nbs.normalise_prefix(scope)
    progress = progress or (lambda done, total, msg: None)
    progress(0, 3, "读取并校验文件")
    entries = nbs.parse_edition(nbs.open_text(path, data), scope)
    progress(1, 3, f"校验通过,共 {len(entries)} 条")
    with transaction.atomic():
        edition = Edition.objects.filter(year=year).first()
        if edition is not None and edition.ref_date != ref_date:
            raise DivisionError(f"{year} 年版已按截止日期 {edition.ref_date} 导入,与本次 {ref_date} 不一致")
        existing = {}
        if edition is None:
            edition = Edition.objects.create(year=year, ref_date=ref_date, source=str(path or "上传文件"), scopes=[])
        else:
            codes_in_scope = EditionEntry.objects.filter(edition=edition)
            existing = {c: (n, lv, pc) for c, n, lv, pc in codes_in_scope.values_list("code", "name", "level", "parent_code")}
        conflicts, new_rows = [], []
        for e in entries:
            old = existing.get(e.code)
            if old is None:
                new_rows.append(e)
            elif old != (e.name, e.level, e.parent_code):
                conflicts.append(f"代码 {e.code}:已导入为“{old[0]}”,文件中为“{e.name}”")
        if conflicts:
            raise nbs.EditionFileError(conflicts[: nbs.MAX_ERRORS], len(conflicts))
        chunk = 50_000
        steps = 2 + max(1, -(-len(new_rows) // chunk))
        for i in range(0, len(new_rows), chunk):
            progress(2 + i // chunk, steps, f"写入第 {i + 1}–{min(i + chunk, len(new_rows))} 条,共 {len(new_rows)} 条")
            _bulk_insert_entries(edition.pk, new_rows[i:i + chunk])
        scopes = set(edition.scopes) | {scope}
        if "" in scopes:
            scopes = {""}
        edition.scopes = sorted(scopes)
        edition.row_count = edition.row_count + len(new_rows)
        edition.save()
    return ImportResult(edition, len(new_rows), len(entries) - len(new_rows))


def _bulk_insert_entries(edition_id: int, rows: list[nbs.Entry]) -> None:
    table = EditionEntry._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} (edition_id, code, name, level, parent_code) FROM STDIN") as copy:
                for e in rows:
                    copy.write_row((edition_id, e.code, e.name, e.level, e.parent_code))
        else:
            cursor.executemany(
                f"INSERT INTO {table} (edition_id, code, name, level, parent_code) VALUES (%s, %s, %s, %s, %s)",
                [(edition_id, e.code, e.name, e.level, e.parent_code) for e in rows],
            )


def edition_entries(edition: Edition, scope: str = "") -> list[nbs.Entry]:
    """The entries of an edition within a code prefix, with their ancestors."""
    scope = nbs.normalise_prefix(scope)
    rows = EditionEntry.objects.filter(edition=edition)
    if scope:
        ancestors = [scope[:n].ljust(12, "0") for n in (2, 4, 6, 9) if n < len(scope)]
        rows = rows.filter(Q(code__startswith=scope) | Q(code__in=ancestors))
    return [nbs.Entry(*r) for r in rows.values_list("code", "name", "level", "parent_code").order_by("code").iterator(chunk_size=20000)]


def covers(edition: Edition, scope: str) -> bool:
    return any(scope.startswith(s) for s in edition.scopes)


@transaction.atomic
def adopt_baseline(edition: Edition, scope: str, user=None, progress=None) -> int:
    """Build the registry for `scope` from an edition (the baseline): every unit not yet in the
    registry is created, valid from the edition's reference date. Returns how many were created."""
    scope = nbs.normalise_prefix(scope)
    if not covers(edition, scope):
        raise DivisionError(f"{edition.year} 年版未导入范围 {scope or '全国'}")
    progress = progress or (lambda done, total, msg: None)
    when = edition.ref_date
    created = 0
    by_code: dict[str, Division] = {}
    entries = edition_entries(edition, scope)
    for i, e in enumerate(entries):
        if i % 100 == 0:
            progress(i, len(entries), f"已处理 {i} / {len(entries)} 个单位,新建 {created} 个")
        existing = lookup(e.code, when)
        if existing is not None:
            by_code[e.code] = existing
            continue
        parent = by_code.get(e.parent_code)
        division = create_unit(nbs.display_name(e.name), nbs.classify(e.code, e.name, e.level), parent, when, code=e.code)
        by_code[e.code] = division
        created += 1
    # The scope's top units now have their whole subtree in the registry.
    tops = [d.pk for d in by_code.values()
            if d.code.startswith(scope) and not (d.parent and d.parent.code.startswith(scope))]
    Division.objects.filter(pk__in=tops).update(subtree_complete=True)
    progress(len(entries), len(entries), f"已处理 {len(entries)} 个单位,新建 {created} 个")
    return created


def baseline_problems(user, edition: Edition | None, code: str) -> dict[str, str]:
    """What stops `user` building the baseline of county `code` from `edition`, by form field (Chinese)."""
    problems: dict[str, str] = {}
    code = (code or "").strip()
    if not (code.isdigit() and (len(code) == 6 or (len(code) == 12 and code.endswith("000000")))):
        problems["county"] = f"县级区划代码“{code}”应为 6 位数字(如 513201)或以 000000 结尾的 12 位代码"
        return problems
    prefix = code[:6]
    if not user.sees_everything:
        own = user.jurisdiction.code if user.jurisdiction_id else ""
        if not own or not prefix.startswith(nbs.prefix_of(own)):
            where = user.jurisdiction.name if user.jurisdiction_id else "未设置"
            problems["county"] = f"县级单位 {prefix} 不在您的管辖范围({where})内"
            return problems
    if edition is None:
        return problems
    if not covers(edition, prefix):
        problems["edition"] = (f"{edition.year} 年版未导入范围 {prefix}(已导入:"
                               + ("、".join(s or "全国" for s in edition.scopes) or "无") + "),请先在版次导入中导入")
        return problems
    county = EditionEntry.objects.filter(edition=edition, code=prefix.ljust(12, "0")).first()
    if county is None or county.level != 3:
        problems["county"] = f"{edition.year} 年版中没有代码为 {prefix.ljust(12, '0')} 的县级单位"
    return problems


# --- reconciliation -------------------------------------------------------------------------------

def run_reconciliation(from_edition: Edition, to_edition: Edition, scope: str = "", user=None, progress=None) -> ReconciliationRun:
    """Compare two editions within a scope and store the proposed change events for review."""
    import time

    scope = nbs.normalise_prefix(scope)
    if from_edition.ref_date >= to_edition.ref_date:
        raise DivisionError("起始版次的截止日期须早于目标版次")
    for ed in (from_edition, to_edition):
        if not covers(ed, scope):
            raise DivisionError(f"{ed.year} 年版未导入范围 {scope or '全国'},请先导入")
    progress = progress or (lambda done, total, msg: None)
    started = time.perf_counter()
    progress(0, 3, "读取两个版次")
    old = edition_entries(from_edition, scope)
    new = edition_entries(to_edition, scope)
    history = set()
    for ed in Edition.objects.filter(ref_date__lt=from_edition.ref_date):
        if covers(ed, scope):
            history.update((e.parent_code, nbs.name_key(e.name)) for e in edition_entries(ed, scope) if e.level >= 4)
    progress(1, 3, f"比对 {len(old)} 与 {len(new)} 个单位")
    result = reconcile(old, new, history)
    progress(2, 3, f"保存 {len(result.proposals)} 条变更建议")
    with transaction.atomic():
        run = ReconciliationRun.objects.create(
            from_edition=from_edition, to_edition=to_edition, scope=scope, created_by=user,
            counts=result.counts(), seconds=round(time.perf_counter() - started, 2),
        )
        Proposal.objects.bulk_create(
            [
                Proposal(
                    run=run, order=i, type=p["type"], level=p["level"], confidence=p["confidence"],
                    evidence=p["evidence"], predecessors=p["predecessors"], successors=p["successors"],
                    effective_date=to_edition.ref_date,
                )
                for i, p in enumerate(result.proposals)
            ],
            batch_size=5000,
        )
    progress(3, 3, "完成")
    return run


def _registry_unit(entry: dict, when: dt.date, edition_year: int) -> Division:
    division = lookup(entry["code"], when)
    if division is None:
        raise DivisionError(
            f"区划台账中找不到 {entry['name']}({entry['code']},{when});请先以 {edition_year} 年版建立基线,"
            f"或先确认其上级的变更"
        )
    return division


@transaction.atomic
def confirm_proposal(proposal: Proposal, user=None, effective_date: dt.date | None = None, document: str | None = None) -> ChangeEvent:
    """Turn a reviewed proposal into a change event in the registry."""
    proposal = Proposal.objects.select_for_update().select_related("run__from_edition", "run__to_edition").get(pk=proposal.pk)
    if proposal.status != ProposalStatus.PENDING:
        raise DivisionError(f"该建议已{proposal.get_status_display()},不能重复处理")
    run = proposal.run
    when = effective_date or proposal.effective_date
    if when <= run.from_edition.ref_date:
        raise DivisionError(f"生效日期须晚于起始版次的截止日期 {run.from_edition.ref_date}")
    doc = proposal.document if document is None else document
    kw = {"document": doc, "note": f"版本比对 {run}:{proposal.evidence}"[:500], "user": user,
          "source": EventSource.RECONCILIATION}
    before = run.from_edition.ref_date
    year = run.from_edition.year
    preds = [_registry_unit(p, before, year) for p in proposal.predecessors]

    def successor(entry):
        if entry.get("from_code"):
            return _registry_unit({**entry, "code": entry["from_code"]}, before, year), None
        parent = _registry_unit({"code": entry["parent_code"], "name": "上级单位"}, when, run.to_edition.year)
        kind = nbs.classify(entry["code"], entry["name"], entry["level"])
        return None, {"name": entry["name"], "kind": kind, "parent": parent, "code": entry["code"]}

    t = proposal.type
    if t in (EventType.RENAME, EventType.TOWNSHIP_TO_TOWN, EventType.TO_SUBDISTRICT, EventType.RECODE):
        s = proposal.successors[0]
        kind = nbs.classify(s["code"], s["name"], s["level"])
        event = rename(preds[0], when, name=s["name"], kind=kind, code=s["code"], type_=t, **kw)
    elif t == EventType.TRANSFER:
        s = proposal.successors[0]
        parent = _registry_unit({"code": s["parent_code"], "name": "新上级"}, when, run.to_edition.year)
        event = transfer(preds[0], parent, when, code=s["code"], **kw)
    elif t == EventType.MERGE:
        into, new = successor(proposal.successors[0])
        if into is not None and into.code != proposal.successors[0]["code"]:
            rename(into, when, code=proposal.successors[0]["code"], **kw)
        event = merge(preds, when, into=into, new=new, **kw)
    elif t == EventType.SPLIT:
        pairs = [successor(s) for s in proposal.successors]
        event = split(preds[0], when, into=[d for d, _ in pairs if d], new=[n for _, n in pairs if n], **kw)
    elif t == EventType.ABOLISH:
        event = abolish(preds[0], when, **kw)
    elif t == EventType.ESTABLISH:
        _, new = successor(proposal.successors[0])
        division = establish(new.pop("name"), new.pop("kind"), new.pop("parent"), when, **new, **kw)
        event = division.events_as_successor.get()
    else:  # pragma: no cover - all EventType values are handled above
        raise DivisionError(f"未知的变更类型 {t}")
    proposal.status = ProposalStatus.CONFIRMED
    proposal.event = event
    proposal.effective_date = when
    proposal.document = doc
    proposal.reviewed_by = user
    proposal.reviewed_at = timezone.now()
    proposal.save()
    audit.log_event(proposal, "proposal.confirm", actor=user)
    return event


def reject_proposal(proposal: Proposal, user=None) -> None:
    updated = Proposal.objects.filter(pk=proposal.pk, status=ProposalStatus.PENDING).update(
        status=ProposalStatus.REJECTED, reviewed_by=user, reviewed_at=timezone.now()
    )
    if not updated:
        raise DivisionError("该建议已处理,不能驳回")
    audit.log_event(proposal, "proposal.reject", actor=user)


def confirm_all(run: ReconciliationRun, user=None, min_confidence: float = 0.0, proposals=None) -> tuple[int, list[str]]:
    """Confirm pending proposals in their safe order; returns (confirmed, errors). Each is atomic on its own."""
    qs = proposals if proposals is not None else run.proposals.all()
    done, errors = 0, []
    for p in qs.filter(status=ProposalStatus.PENDING, confidence__gte=min_confidence).order_by("order", "id"):
        try:
            confirm_proposal(p, user=user)
            done += 1
        except DivisionError as exc:
            errors.append(f"{p.get_type_display()} {p.side_text('predecessors') or p.side_text('successors')}:{exc}")
    return done, errors


