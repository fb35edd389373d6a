"""A consistent backup of the whole instance (database rows and uploaded files) in one file,
and its restore into an empty instance.

The file is a zip, encrypted as a whole with the instance's PII key (it holds personal data):
manifest.json, one JSON-lines member per model (Django's serializer, so it is independent of the
database engine: a SQLite backup restores into PostgreSQL and back), and media/ files.
Rows are read inside one transaction (REPEATABLE READ on PostgreSQL), so the snapshot is consistent.
"""
from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder

from .crypto import _fernet

FORMAT = 1
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
        media = Path(settings.MEDIA_ROOT)
        files = [p for p in media.rglob("*") if p.is_file()] if media.exists() else []
        for path in files:
            zf.write(path, f"media/{path.relative_to(media).as_posix()}")
        manifest = {"format": FORMAT, "created": dt.datetime.now().isoformat(timespec="seconds"),
                    "vendor": connection.vendor, "counts": counts, "media_files": len(files),
                    "migrations": migrations}
        zf.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
    return _fernet(settings.PII_KEY).encrypt(buf.getvalue())


def _write(member, objs) -> int:
    for row in serializers.serialize("python", objs):
        member.write((json.dumps(row, cls=DjangoJSONEncoder, ensure_ascii=False) + "\n").encode())
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
    from xiangcun.accounts.models import User
    from xiangcun.divisions.models import Division, Edition

    return not (User.objects.exists() or Division.objects.exists() or Edition.objects.exists())


def restore_backup(data: bytes) -> dict:
    """Restore into an empty, migrated instance; everything in one transaction."""
    raw = _decrypt(data)
    if not _is_empty():
        raise BackupError("只能恢复到空实例:当前数据库中已有用户或区划数据")
    with zipfile.ZipFile(io.BytesIO(raw)) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        if manifest.get("format") != FORMAT:
            raise BackupError(f"不支持的备份格式 {manifest.get('format')}")
        here = set(MigrationRecorder.Migration.objects.values_list("app", "name"))
        missing = [f"{a}.{n}" for a, n in manifest["migrations"] if (a, n) not in here]
        if missing:
            raise BackupError(f"本实例的数据库结构比备份旧,缺少迁移:{', '.join(missing[:5])};请先升级并执行 migrate")
        with transaction.atomic():
            from django.contrib.auth.models import Permission
            from django.contrib.contenttypes.models import ContentType

            # migrate created these with ids of its own; the backup's ids are the ones rows refer to
            Permission.objects.all().delete()
            ContentType.objects.all().delete()
            models = []
            for label in manifest["counts"]:
                model = apps.get_model(label)
                models.append(model)
                _load(model, zf.open(f"data/{label}.jsonl"))
            _reset_sequences(models)
        media = Path(settings.MEDIA_ROOT)
        for name in zf.namelist():
            if name.startswith("media/") and not name.endswith("/"):
                target = (media / name[len("media/"):]).resolve()
                if not str(target).startswith(str(media.resolve())):
                    raise BackupError(f"备份中的文件路径不安全:{name}")
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(zf.read(name))
    return manifest


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
    objs = [d.object for d in serializers.deserialize("python", rows, ignorenonexistent=True)]
    model._base_manager.bulk_create(objs, batch_size=1000)


def _reset_sequences(models) -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
