"""A consistent backup of the whole instance (database rows and uploaded files) in one file,
and its restore into an empty instance.

The file is a zip, encrypted as a whole with the instance's PII key (it holds personal data):
manifest.json, one JSON-lines member per model (Django's serializer, so it is independent of the
database engine: a SQLite backup restores into PostgreSQL and back), and media/ files.
Rows are read inside one transaction (REPEATABLE READ on PostgreSQL), so the snapshot is consistent.

The round trip is exact: times keep their microseconds, personal data keeps its ciphertext (restore
needs the same XIANGCUN_PII_KEY), and the audit trail comes back with its signed head and the witness
lines up to it, so `xiangcun audit verify` passes on the restored instance (which needs the same
XIANGCUN_AUDIT_KEY). Restore replaces whatever the migrations seeded, refuses any unsafe member path
before it writes anything, and writes rows and files all or nothing.
"""
from __future__ import annotations

import datetime as dt
import io
import json
import re
import stat
import zipfile
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder

from . import audit
from .crypto import Ciphertext, EncryptedCharField, _fernet

FORMAT = 1
WITNESS = "audit_witness.jsonl"
SIGNED_HEAD = "0003_audithead_mac"  # the core migration from which the audit head carries a signature
# Transient state that a restored instance should not inherit.
SKIP = {"sessions.session", "axes.accessattempt", "axes.accessfailurelog", "axes.accesslog",
        "django_tasks_db.dbtaskresult", "admin.logentry"}
CHUNK = 5000


class BackupError(Exception):
    pass


def _models():
    """Every concrete model, including auto-created M2M tables, parents before children."""
    out = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed and not model._meta.auto_created:
            continue
        if model._meta.label_lower in SKIP:
            continue
        out.append(model)
    return out


def create_backup() -> bytes:
    buf = io.BytesIO()
    counts = {}
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        outermost = not connection.in_atomic_block  # else the caller's transaction is the snapshot
        with transaction.atomic():
            if connection.vendor == "postgresql" and outermost:
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            for model in _models():
                label = model._meta.label_lower
                counts[label] = 0
                with zf.open(f"data/{label}.jsonl", "w") as member:
                    qs = model._base_manager.order_by("pk")
                    batch = []
                    for obj in qs.iterator(chunk_size=CHUNK):
                        batch.append(obj)
                        if len(batch) >= CHUNK:
                            counts[label] += _write(member, batch)
                            batch = []
                    counts[label] += _write(member, batch)
            migrations = sorted(MigrationRecorder.Migration.objects.values_list("app", "name"))
            head = audit.AuditHead.objects.filter(pk=1).first()
        # The witness lines up to the snapshot's head travel with it, so the restored chain is held to them.
        # A damaged witness does not stop the backup (it is needed most when something went wrong):
        # the backup then carries no witness lines and says why.
        witness_error = ""
        try:
            witnessed = [w for w in audit.read_witness() if head is not None and w["seq"] <= head.seq]
        except audit.WitnessError as exc:
            witnessed, witness_error = [], str(exc)
        zf.writestr(WITNESS, "".join(json.dumps(w, separators=(",", ":")) + "\n" for w in witnessed))
        media = Path(settings.MEDIA_ROOT)
        files = [p for p in media.rglob("*") if p.is_file() and not p.is_symlink()] if media.exists() else []
        for path in files:
            zf.write(path, f"media/{path.relative_to(media).as_posix()}")
        manifest = {"format": FORMAT, "created": dt.datetime.now().isoformat(timespec="seconds"),
                    "vendor": connection.vendor, "counts": counts, "media_files": len(files),
                    "migrations": migrations, "witness_error": witness_error}
        zf.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
    return _fernet(settings.PII_KEY).encrypt(buf.getvalue())


class _ExactEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder cuts times to milliseconds (ECMA-262); a backup keeps every microsecond."""

    def default(self, o):
        if isinstance(o, (dt.datetime, dt.time)):
            return o.isoformat()
        return super().default(o)


def _encrypted(model) -> list:
    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedCharField)]


def _ciphertexts(model, objs) -> dict:
    """{pk: {field name: stored token}} for the encrypted fields, read as stored (not decrypted)."""
    fields = _encrypted(model)
    if not fields or not objs:
        return {}
    qn = connection.ops.quote_name
    pk = model._meta.pk.column
    cols = ", ".join(qn(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(objs))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {qn(pk)}, {cols} FROM {qn(model._meta.db_table)} WHERE {qn(pk)} IN ({marks})",
                       [o.pk for o in objs])
        return {row[0]: {f.name: v for f, v in zip(fields, row[1:])} for row in cursor.fetchall()}


def _write(member, objs) -> int:
    stored = _ciphertexts(type(objs[0]), objs) if objs else {}
    for row in serializers.serialize("python", objs):
        if stored:
            # personal data stays as its ciphertext: bit for bit, and never in clear even inside the zip
            row["fields"].update({name: {"ciphertext": v} for name, v in stored[row["pk"]].items()})
        member.write((json.dumps(row, cls=_ExactEncoder, ensure_ascii=False) + "\n").encode())
    return len(objs)


def read_manifest(data: bytes) -> dict:
    with zipfile.ZipFile(io.BytesIO(_decrypt(data))) as zf:
        return json.loads(zf.read("manifest.json"))


def _decrypt(data: bytes) -> bytes:
    from cryptography.fernet import InvalidToken

    try:
        return _fernet(settings.PII_KEY).decrypt(data)
    except InvalidToken:
        raise BackupError("无法解密备份文件:文件已损坏,或本实例的加密密钥(XIANGCUN_PII_KEY)与备份时不一致") from None


def _is_empty() -> bool:
    """No rows in the models the apps declare as their data (`instance_data = ("Model", ...)` on an app's
    AppConfig: users, divisions, editions); what migrations seed does not count."""
    return not any(config.get_model(name)._base_manager.exists()
                   for config in apps.get_app_configs() for name in getattr(config, "instance_data", ()))


def _safe_media(zf) -> list[tuple[str, Path]]:
    """(member, target) for every uploaded file in the backup; BackupError, before anything is written,
    for a member whose path is absolute, climbs out with "..", is a symlink or lands outside MEDIA_ROOT."""
    media = Path(settings.MEDIA_ROOT).resolve()
    out = []
    for info in zf.infolist():
        name = info.filename
        rel = name[len("media/"):] if name.startswith("media/") else name
        parts = rel.split("/")
        if name.startswith(("/", "\\")) or "\\" in name or re.match(r"[A-Za-z]:", rel) or rel.startswith("/") \
                or any(p in ("..", ".") for p in parts) or "\x00" in name:
            raise BackupError(f"备份中的文件路径不安全:{name}(不允许绝对路径或“..”),未恢复任何数据")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise BackupError(f"备份中的文件是符号链接:{name}(只恢复普通文件),未恢复任何数据")
        if not name.startswith("media/") or name.endswith("/"):
            continue
        target = media.joinpath(*PurePosixPath(rel).parts)
        resolved = target.resolve()  # a symlink already in MEDIA_ROOT must not lead outside it
        if not resolved.is_relative_to(media) or resolved == media:
            raise BackupError(f"备份中的文件路径不安全:{name}(会写到上传目录之外),未恢复任何数据")
        out.append((name, target))
    return out


def restore_backup(data: bytes) -> dict:
    """Restore into an empty, migrated instance; rows and files all or nothing."""
    raw = _decrypt(data)
    if not _is_empty():
        raise BackupError("只能恢复到空实例:当前数据库中已有用户或区划数据")
    with zipfile.ZipFile(io.BytesIO(raw)) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        if manifest.get("format") != FORMAT:
            raise BackupError(f"不支持的备份格式 {manifest.get('format')}")
        media_files = _safe_media(zf)
        here = set(MigrationRecorder.Migration.objects.values_list("app", "name"))
        missing = [f"{a}.{n}" for a, n in manifest["migrations"] if (a, n) not in here]
        if missing:
            raise BackupError(f"本实例的数据库结构比备份旧,缺少迁移:{', '.join(missing[:5])};请先升级并执行 migrate")
        witness_text = zf.read(WITNESS).decode() if WITNESS in zf.namelist() else ""
        try:
            witnessed = audit.read_witness(path=f"备份中的 {WITNESS}", text=witness_text)
        except audit.WitnessError as exc:
            raise BackupError(f"{exc},未恢复任何数据") from None
        written = []
        try:
            with transaction.atomic():
                models = [apps.get_model(label) for label in manifest["counts"]]
                # migrate created rows of its own (content types, permissions, seeded catalogues) with ids
                # that the backup's rows may also use: the backup's rows replace them
                _clear(models)
                for model in models:
                    _load(model, zf.open(f"data/{model._meta.label_lower}.jsonl"))
                _reset_sequences(models)
                if ["core", SIGNED_HEAD] not in manifest["migrations"]:
                    _sign_head()  # a backup from before heads were signed: sign it as that migration does
                result = audit.verify(witnessed)
                if result.bad_signature:
                    raise BackupError("备份中的审计日志链头签名与本实例的审计密钥不符:请使用备份来源实例的 "
                                      "XIANGCUN_AUDIT_KEY(数据目录中的 audit_key 文件)后再恢复,未恢复任何数据")
                manifest["audit"] = result
                for name, target in media_files:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(zf.read(name))
                    written.append(target)
        except Exception:
            for target in written:
                target.unlink(missing_ok=True)
            raise
    _start_witness(witness_text)
    return manifest


def _sign_head() -> None:
    for head in audit.AuditHead.objects.filter(seq__gt=0):
        audit.AuditHead.objects.filter(pk=head.pk).update(mac=audit.head_mac(head.seq, head.hash))


def _clear(models) -> None:
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in reversed(models):
            cursor.execute(f"DELETE FROM {qn(model._meta.db_table)}")


def _start_witness(lines: str) -> None:
    """The restored chain's witness: the backup's lines, then its head. A witness left by this data
    directory's earlier life is kept beside it, not mixed in."""
    path = Path(settings.AUDIT_WITNESS)
    if path.exists() and path.stat().st_size:
        path.rename(path.with_name(f"{path.name}.before-restore-{dt.datetime.now():%Y%m%d%H%M%S}"))
    head = audit.AuditHead.objects.filter(pk=1).first()
    extra = [audit.witness_line(head.seq, head.hash)] if head is not None and head.seq else []
    audit._append_witness([line for line in lines.splitlines() if line.strip()] + extra)


def _load(model, member) -> None:
    batch = []
    for line in member:
        batch.append(json.loads(line))
        if len(batch) >= CHUNK:
            _insert(model, batch)
            batch = []
    _insert(model, batch)


def _insert(model, rows) -> None:
    if not rows:
        return
    encrypted = [f.name for f in _encrypted(model)]
    stored = []
    for row in rows:
        stored.append({n: row["fields"].pop(n)["ciphertext"] for n in encrypted if isinstance(row["fields"].get(n), dict)})
    objs = [d.object for d in serializers.deserialize("python", rows, ignorenonexistent=True)]
    for obj, values in zip(objs, stored):
        for name, token in values.items():
            setattr(obj, name, Ciphertext(token) if token else token)
    with _as_stored(model):
        model._base_manager.bulk_create(objs, batch_size=1000)


@contextmanager
def _as_stored(model):
    """Insert the backup's times as they are: auto_now/auto_now_add would stamp the restore's time.
    (Restore runs as a command of its own, so switching the flags off for its duration is safe.)"""
    stamped = [f for f in model._meta.concrete_fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
    flags = [(f, f.auto_now, f.auto_now_add) for f in stamped]
    for f in stamped:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, now, now_add in flags:
            f.auto_now, f.auto_now_add = now, now_add


def _reset_sequences(models) -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
