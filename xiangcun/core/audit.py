"""The audit trail: one append-only, hash-chained log of every change to a domain record.

A module declares its models once (`register(Model, path=...)`, usually in its AppConfig.ready);
from then on every save and delete of such a model writes an AuditEntry with a before and an
after snapshot, the actor and the request id (set per request by AuditContextMiddleware, per job
by core.jobs). Workflow steps are explicit named events: `log_event(obj, "division.merge")`, their
display text kept in one registry (`define_actions`).

Entries form a hash chain: each stores the hash of the one before it and a sha256 over its own
canonical JSON, and AuditHead holds the hash of the newest one. `verify()` (`xiangcun audit verify`)
recomputes the chain, so an edited, removed or inserted entry is detected. Writers lock the head
row, which serialises them on PostgreSQL; SQLite serialises writes anyway.

Someone who can write to the database could still rewrite an entry and recompute every later hash,
or delete the newest entries and roll the head back. Two anchors outside the database catch that:
the head carries an HMAC made with `settings.AUDIT_KEY` (XIANGCUN_AUDIT_KEY, never stored in the
database), and every committed head is appended, HMAC-signed, to a witness file
(`settings.AUDIT_WITNESS`, optionally also syslog). `verify()` checks the head's signature and that
every witnessed (seq, hash) is still in the chain.

Queryset `.update()`, `.bulk_create()` and raw SQL bypass the signals and are not recorded: domain
code changes registered records with `save()` (or logs a named event after a bulk operation).
"""
from __future__ import annotations

import contextvars
import datetime as dt
import hashlib
import hmac
import json
import logging
import os
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.utils import timezone


class AuditError(Exception):
    """An attempt to change or remove an audit entry."""


# --- actions and their display text (one registry, as pretix does) --------------------------------

ACTIONS: dict[str, str] = {"create": "新建", "update": "修改", "delete": "删除", "restore": "恢复",
                           "pii.view": "查看完整个人信息"}


class DataKeys:
    """How the keys of an entry's data read (and keys of dicts inside snapshots): their Chinese labels, the units
    of numbers under them ("max_travel": "分钟"), the labels of coded values ({"service": {"primary": "小学"}}) and
    the model ("app.model") of keys whose values are record ids. An action's own declaration comes first, then the
    generic one: two modules may give the same key ("successor", "from") different meanings."""

    def __init__(self, labels=None, units=None, choices=None, refs=None, base: DataKeys | None = None):
        self.labels, self.units, self.choices, self.refs = labels or {}, units or {}, choices or {}, refs or {}
        self.base = base

    def _get(self, part: str, key, default):
        own = getattr(self, part)
        if key in own:
            return own[key]
        return self.base._get(part, key, default) if self.base is not None else default

    def label(self, key) -> str:
        return self._get("labels", key, key)

    def unit(self, key) -> str:
        return self._get("units", key, "")

    def choices_of(self, key) -> dict | None:
        return self._get("choices", key, None)

    def ref(self, key) -> str | None:
        return self._get("refs", key, None)


# The generic keys ("field" names a field of the entry's record; the pages show that field's Chinese name).
GENERIC = DataKeys({"reason": "原因", "field": "字段"}, {"lon": "°", "lat": "°"})
_BY_ACTION: dict[str, DataKeys] = {}


def define_actions(actions: dict[str, str], data_labels: dict[str, str] | None = None,
                   units: dict[str, str] | None = None, choices: dict[str, dict] | None = None,
                   refs: dict[str, str] | None = None) -> None:
    """Declare named events ("division.merge": "区划合并") and how the keys of their data read (see DataKeys).
    With no actions, the keys are generic: keys of dicts inside snapshots (a scenario's parameters)."""
    ACTIONS.update(actions)
    if not actions:
        GENERIC.labels.update(data_labels or {})
        GENERIC.units.update(units or {})
        GENERIC.choices.update(choices or {})
        GENERIC.refs.update(refs or {})
        return
    for action in actions:
        _BY_ACTION[action] = DataKeys(dict(data_labels or {}), dict(units or {}), dict(choices or {}), dict(refs or {}),
                                      base=GENERIC)


def data_keys(action: str | None) -> DataKeys:
    """How the data of an entry with this action reads."""
    return _BY_ACTION.get(action or "", GENERIC)


def action_label(action: str) -> str:
    return ACTIONS.get(action, action)


# --- who is acting: a small context, set per request, job or command --------------------------------

@dataclass(frozen=True)
class Context:
    request_id: str = ""
    actor: object = None
    request: object = None  # the user is read at write time: DRF authenticates tokens inside the view

    def current_actor(self):
        user = getattr(self.request, "user", None) if self.request is not None else self.actor
        return user if getattr(user, "is_authenticated", False) else None


_context: contextvars.ContextVar[Context] = contextvars.ContextVar("audit_context", default=Context())  # noqa: B039 - frozen
_override: contextvars.ContextVar[tuple | None] = contextvars.ContextVar("audit_override", default=None)


@contextmanager
def context(*, actor=None, request_id: str = "", request=None):
    """Entries written inside are attributed to `actor` (or the request's user) and `request_id`."""
    token = _context.set(Context(request_id=request_id, actor=actor, request=request))
    try:
        yield
    finally:
        _context.reset(token)


@contextmanager
def as_action(action: str, data: dict | None = None, actor=None):
    """Record the saves inside as `action` (e.g. a soft delete is a save recorded as "delete")."""
    token = _override.set((action, data or {}, actor))
    try:
        yield
    finally:
        _override.reset(token)


# --- registration ---------------------------------------------------------------------------------

@dataclass
class Registration:
    model: type
    fields: tuple[str, ...]
    path: Callable
    visible: Callable | None = None    # user -> queryset of records the user may see
    related: Callable | None = None    # obj -> {Model: [pk, ...]} whose entries belong in its history
    url: Callable | None = None        # pk -> URL of the record's page
    describe: Callable | None = None   # obj -> default data of its named events
    labels: dict = field(default_factory=dict)  # fields with a (Chinese) verbose name: the ones people read
    verbose_name: str = ""
    title: Callable = str
    choices: dict = field(default_factory=dict)  # field -> {stored value: label} for codes without field choices
    units: dict = field(default_factory=dict)    # field -> unit of its number ("人", "平方米")


REGISTRY: dict[str, Registration] = {}


def label_of(model) -> str:
    return model._meta.label_lower


def _default_path(obj) -> str:
    if hasattr(obj, "audit_path"):
        return obj.audit_path()
    return getattr(obj, "path", "") or ""


def register(model, *, fields=None, exclude=(), path=None, visible=None, related=None, url=None, describe=None,
             labels=None, verbose_name=None, title=None, choices=None, units=None):
    """Record every save and delete of `model`.

    `path` gives the division path of a record (for scoping the log to a jurisdiction); by default
    the record's `audit_path()` or `path`. Encrypted personal-data fields are never snapshotted.
    Pages show fields with a verbose name (or one given in `labels`); `verbose_name` and `title`
    (obj -> text) stand in for a model without its own Chinese name or `__str__`; `choices`
    ({field: {value: label}}) and `units` ({field: unit}) say how its values read.
    """
    from .crypto import EncryptedCharField

    concrete = [f for f in model._meta.concrete_fields if not isinstance(f, EncryptedCharField)]
    names = tuple(f.name for f in concrete if (fields is None or f.name in fields) and f.name not in exclude)
    shown = {f.name: str(f.verbose_name) for f in concrete
             if not f.primary_key and f.verbose_name != f.name.replace("_", " ")}
    reg = Registration(model, names, path or _default_path, visible, related, url, describe,
                       labels=shown | (labels or {}), verbose_name=verbose_name or str(model._meta.verbose_name),
                       title=title or str, choices=choices or {}, units=units or {})
    REGISTRY[label_of(model)] = reg
    uid = f"audit:{label_of(model)}"
    pre_save.connect(_before_save, sender=model, dispatch_uid=uid)
    post_save.connect(_after_save, sender=model, dispatch_uid=uid)
    pre_delete.connect(_before_delete, sender=model, dispatch_uid=uid)
    post_delete.connect(_after_delete, sender=model, dispatch_uid=uid)
    return model


def registration(model_or_label) -> Registration | None:
    key = model_or_label if isinstance(model_or_label, str) else label_of(model_or_label)
    return REGISTRY.get(key)


def _json(value):
    """`value` as plain JSON types (dates as ISO strings, decimals as strings)."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))


def snapshot(obj) -> dict:
    reg = REGISTRY[label_of(type(obj))]
    return _json({name: obj._meta.get_field(name).value_from_object(obj) for name in reg.fields})


def _before_save(sender, instance, raw=False, **kwargs):
    instance._audit_before = None
    if raw or instance._state.adding or instance.pk is None:
        return
    reg = REGISTRY[label_of(sender)]
    attnames = [sender._meta.get_field(n).attname for n in reg.fields]
    row = sender._base_manager.filter(pk=instance.pk).values(*attnames).first()
    if row is not None:
        instance._audit_before = _json({n: row[a] for n, a in zip(reg.fields, attnames)})


def _after_save(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    before, after = getattr(instance, "_audit_before", None), snapshot(instance)
    override = _override.get()
    if override is None and not created and before == after:
        return  # a save that changed nothing
    action, data, actor = override or ("create" if created else "update", {}, None)
    _write(action, instance, before=before, after=after, data=data, actor=actor)


def _before_delete(sender, instance, **kwargs):
    # The path may depend on related rows that the deletion removes first.
    instance._audit_path = REGISTRY[label_of(sender)].path(instance)


def _after_delete(sender, instance, **kwargs):
    _write("delete", instance, before=snapshot(instance), after=None, path=getattr(instance, "_audit_path", None))


def log_event(obj, action: str, data: dict | None = None, path: str | None = None, actor=None) -> AuditEntry:
    """Record a named workflow event on `obj` ("division.merge", "proposal.reject") with its data.

    Without `data`, the record's registered `describe(obj)` supplies it."""
    reg = registration(type(obj))
    if data is None and reg is not None and reg.describe is not None:
        data = reg.describe(obj)
    return _write(action, obj, data=data or {}, path=path, actor=actor)


# --- writing and verifying the chain -----------------------------------------------------------------

def _write(action, obj, *, before=None, after=None, data=None, path=None, actor=None) -> AuditEntry:
    reg = registration(type(obj))
    if path is None:
        path = reg.path(obj) if reg is not None else _default_path(obj)
    ctx = _context.get()
    actor = actor if actor is not None else ctx.current_actor()
    entry = AuditEntry(
        timestamp=timezone.now(), actor=actor, actor_name=getattr(actor, "username", "") if actor else "",
        request_id=ctx.request_id[:64], action=action, object_type=label_of(type(obj)), object_id=str(obj.pk),
        object_repr=(reg.title if reg else str)(obj)[:200], path=path or "", before=before, after=after, data=_json(data or {}),
    )
    chain = _batch.get()
    if chain is not None:  # inside batch(): the head is locked and moves once, at the end
        entry.seq, entry.prev_hash = chain[0] + 1, chain[1]
        entry.hash = entry.compute_hash()
        entry.save()
        chain[:] = [entry.seq, entry.hash]
        return entry
    with transaction.atomic():
        head = _locked_head()
        entry.seq, entry.prev_hash = head.seq + 1, head.hash
        entry.hash = entry.compute_hash()
        entry.save()
        _move_head(head, entry.seq, entry.hash)
    return entry


_batch: contextvars.ContextVar[list | None] = contextvars.ContextVar("audit_batch", default=None)


@contextmanager
def batch():
    """Write many entries in one transaction with the head locked once and moved once, at the end.

    Updating the head row per entry leaves PostgreSQL a growing chain of row versions to walk
    inside one transaction (a 50,000-row import became quadratic). All or nothing: an error inside
    rolls the whole batch back, so code inside must not catch a failed write and carry on. If it does
    (a savepoint inside rolled back entries the chain had already moved past), the batch refuses to
    commit a broken chain: AuditError, and everything inside is rolled back.
    """
    if _batch.get() is not None:
        yield
        return
    with transaction.atomic():
        head = _locked_head()
        chain = [head.seq, head.hash]
        token = _batch.set(chain)
        try:
            yield
        finally:
            _batch.reset(token)
        if chain[0] != head.seq:
            if AuditEntry.objects.filter(seq__gt=head.seq).count() != chain[0] - head.seq:
                raise AuditError("批量写入审计日志时,部分条目随回滚的子事务消失,审计链将断开:整批已撤销"
                                 "(批量写入中不得捕获失败的写入后继续)")
            _move_head(head, chain[0], chain[1])


def _locked_head() -> AuditHead:
    head = AuditHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        AuditHead.objects.get_or_create(pk=1)
        head = AuditHead.objects.select_for_update().get(pk=1)
    return head


# --- anchors outside the database: the signed head and the witness file -------------------------------

def _mac(kind: str, *parts) -> str:
    message = ":".join(str(p) for p in (kind, *parts)).encode()
    return hmac.new(settings.AUDIT_KEY.encode(), message, hashlib.sha256).hexdigest()


def head_mac(seq: int, hash_: str) -> str:
    """The head's signature: only a holder of XIANGCUN_AUDIT_KEY can make one for a new (seq, hash)."""
    return _mac("xiangcun-audit-head", seq, hash_)


def _move_head(head, seq: int, hash_: str) -> None:
    AuditHead.objects.filter(pk=head.pk).update(seq=seq, hash=hash_, mac=head_mac(seq, hash_))
    transaction.on_commit(lambda: witness(seq, hash_))


_witness_log = logging.getLogger("xiangcun.audit.witness")


def witness_line(seq: int, hash_: str, at: str | None = None) -> str:
    at = at or dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    return json.dumps({"seq": seq, "hash": hash_, "at": at, "mac": _mac("xiangcun-audit-witness", seq, hash_, at)},
                      separators=(",", ":"))


def witness(seq: int, hash_: str) -> None:
    """Append a committed head to the witness file (append-only, one signed JSON line per head)."""
    _append_witness([witness_line(seq, hash_)])


def _append_witness(lines) -> None:
    line = "".join(f"{text}\n" for text in lines)
    try:
        fd = os.open(settings.AUDIT_WITNESS, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line.encode())
        finally:
            os.close(fd)
    except OSError:
        # The change is committed; a missed witness line only weakens the check of this head.
        logging.getLogger(__name__).exception("审计见证文件写入失败:%s", settings.AUDIT_WITNESS)
    for text in lines:
        _witness_log.info(text)


def witness_head() -> AuditHead | None:
    """Witness the current head now (`xiangcun audit witness`, e.g. from cron, or after a restore)."""
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and head.seq:
        witness(head.seq, head.hash)
    return head


class WitnessError(Exception):
    pass


def read_witness(path=None, text: str | None = None) -> list[dict]:
    """The witness file's lines (or those in `text`), each checked against its signature;
    WitnessError names the first bad line."""
    path = path or settings.AUDIT_WITNESS
    if text is None:
        try:
            text = open(path, encoding="utf-8").read()
        except FileNotFoundError:
            return []
    out = []
    for number, raw in enumerate(text.splitlines(), 1):
        if not raw.strip():
            continue
        try:
            line = json.loads(raw)
            ok = hmac.compare_digest(str(line["mac"]), _mac("xiangcun-audit-witness", line["seq"], line["hash"], line["at"]))
        except (ValueError, KeyError, TypeError):
            ok = False
        if not ok:
            raise WitnessError(f"见证文件 {path} 第 {number} 行签名不符或格式错误(被篡改,或审计密钥 XIANGCUN_AUDIT_KEY 已更换)")
        out.append(line)
    return out


@dataclass
class VerifyResult:
    ok: bool
    count: int
    entry_id: int | None = None
    reason: str = ""
    witnessed: int = 0  # how many witness lines were checked
    note: str = ""      # something an operator should know although the chain verifies
    bad_signature: bool = False  # the chain is intact but its head is not signed with this instance's key


def verify(lines: list[dict] | None = None) -> VerifyResult:
    """Walk the chain in order; report the first entry that was edited, removed or inserted, a head
    whose signature does not match, and a witnessed head that is no longer in the chain.

    `lines`: checked witness lines to hold the chain against (default: the witness file's)."""
    if lines is None:
        try:
            lines = read_witness()
        except WitnessError as exc:
            return VerifyResult(False, 0, None, str(exc))
    witnessed = {}
    for line in lines:
        witnessed.setdefault(line["seq"], set()).add(line["hash"])
    # The head is read first and the walk stops at it, so writes committed meanwhile (entry and head move
    # together) are not mistaken for damage; the witness was read before, so it names no later head.
    head = AuditHead.objects.filter(pk=1).first()
    head_seq, head_hash, mac = (head.seq, head.hash, head.mac) if head else (0, "", "")
    prev_hash, expected_seq, count = "", 1, 0
    for entry in AuditEntry.objects.filter(seq__lte=head_seq).order_by("seq").iterator(chunk_size=2000):
        if entry.seq in witnessed and witnessed[entry.seq] != {entry.hash}:
            return VerifyResult(False, count, entry.pk, "与见证文件记录的哈希不符(此条目或之前的历史被改写)")
        if entry.seq != expected_seq:
            return VerifyResult(False, count, entry.pk, f"序号 {expected_seq} 至 {entry.seq - 1} 的条目缺失(已被删除)")
        if entry.prev_hash != prev_hash:
            return VerifyResult(False, count, entry.pk, "与前一条目的哈希链接不符(前面的条目被删除、插入或修改)")
        if entry.compute_hash() != entry.hash:
            return VerifyResult(False, count, entry.pk, "条目内容与其哈希不符(已被修改)")
        prev_hash, expected_seq, count = entry.hash, expected_seq + 1, count + 1
    beyond = AuditEntry.objects.filter(seq__gt=head_seq).order_by("-seq").values_list("seq", "pk").first()
    if beyond is not None:
        now = AuditHead.objects.filter(pk=1).values_list("seq", flat=True).first() or 0
        if beyond[0] > now:  # committed entries the head never reached: not written by this program
            return VerifyResult(False, count, beyond[1], f"链头之后多出条目(序号 {beyond[0]}),未记入链头(被插入)")
    if (head_seq, head_hash) != (count, prev_hash):
        return VerifyResult(False, count, None, f"链头记录共 {head_seq} 条,实际只有 {count} 条(末尾的条目被删除或链头被修改)")
    if head_seq and not hmac.compare_digest(mac or "", head_mac(head_seq, head_hash)):
        return VerifyResult(False, count, None, "链头签名不符(条目被改写后重算了哈希,或本实例的审计密钥 XIANGCUN_AUDIT_KEY 与写入时不同)",
                            bad_signature=True)
    newest = max(witnessed, default=0)
    if newest > count:
        return VerifyResult(False, count, None, f"见证文件记录过第 {newest} 条,现在只有 {count} 条(末尾的条目被删除、链头被回滚)")
    note = "" if lines or not count else f"见证文件 {settings.AUDIT_WITNESS} 中尚无记录,仅校验了哈希链和链头签名"
    return VerifyResult(True, count, witnessed=len(lines), note=note)


# --- the records ------------------------------------------------------------------------------------

class _Encoder(DjangoJSONEncoder):
    """Keeps Chinese as itself in the stored JSON, so the log's text search finds it on SQLite too."""

    def __init__(self, *args, **kwargs):
        kwargs["ensure_ascii"] = False
        super().__init__(*args, **kwargs)


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditError("审计日志只能追加,不能修改")

    def delete(self):
        raise AuditError("审计日志只能追加,不能删除")

    def for_object(self, obj_or_label, pk=None):
        if pk is None:
            return self.filter(object_type=label_of(type(obj_or_label)), object_id=str(obj_or_label.pk))
        return self.filter(object_type=obj_or_label, object_id=str(pk))


class AuditEntry(models.Model):
    """One change of one record, or one named event; never changed or removed once written."""

    seq = models.PositiveBigIntegerField("序号", unique=True)
    timestamp = models.DateTimeField("时间", db_index=True)
    # PROTECT: a user who appears in the trail is deactivated, not deleted (deleting would rewrite entries).
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    actor_name = models.CharField("操作人账号", max_length=150, blank=True)
    request_id = models.CharField("请求编号", max_length=64, blank=True, db_index=True)
    action = models.CharField("操作", max_length=60, db_index=True)
    object_type = models.CharField("对象类型", max_length=100)
    object_id = models.CharField("对象编号", max_length=64)
    object_repr = models.CharField("对象", max_length=200)
    path = models.CharField("所属区划路径", max_length=120, blank=True, db_index=True)
    before = models.JSONField("变更前", null=True, blank=True, encoder=_Encoder)
    after = models.JSONField("变更后", null=True, blank=True, encoder=_Encoder)
    data = models.JSONField("数据", default=dict, blank=True, encoder=_Encoder)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        app_label = "core"
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["-seq"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object")]

    def __str__(self):
        return f"#{self.seq} {action_label(self.action)} {self.object_repr}"

    @property
    def action_label(self) -> str:
        return action_label(self.action)

    def canonical(self) -> str:
        ts = self.timestamp.astimezone(dt.UTC).isoformat(timespec="microseconds")
        payload = {
            "seq": self.seq, "timestamp": ts, "actor": self.actor_id, "actor_name": self.actor_name,
            "request_id": self.request_id, "action": self.action, "object_type": self.object_type,
            "object_id": self.object_id, "object_repr": self.object_repr, "path": self.path,
            "before": self.before, "after": self.after, "data": self.data, "prev_hash": self.prev_hash,
        }
        return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))

    def compute_hash(self) -> str:
        return hashlib.sha256(self.canonical().encode()).hexdigest()

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditError("审计日志只能追加,不能修改")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditError("审计日志只能追加,不能删除")


class AuditHead(models.Model):
    """The single row holding the newest entry's position and hash; writers lock it."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, blank=True)
    mac = models.CharField(max_length=64, blank=True)  # head_mac(seq, hash), made with a key the database lacks

    class Meta:
        app_label = "core"
