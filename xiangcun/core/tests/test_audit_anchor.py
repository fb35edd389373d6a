"""The audit chain is anchored outside the database: a signed head and an append-only witness file.

Someone with write access to the database can recompute every hash after an edit, or delete the newest
entries and put back an older head; neither passes `xiangcun audit verify`."""
import datetime as dt
import json

import pytest
from django.db import connection

from xiangcun.core import audit
from xiangcun.core.audit import AuditEntry, AuditHead
from xiangcun.core.tests.test_audit import verify
from xiangcun.divisions import services

DAY = dt.date(2020, 1, 1)
TABLE = AuditEntry._meta.db_table


@pytest.fixture
def trail(db, django_capture_on_commit_callbacks):
    """A county with 30 villages, each change committed (and so witnessed) on its own."""
    with django_capture_on_commit_callbacks(execute=True):
        county = services.create_unit("测试县", "county", None, DAY, code="510000000000")
        town = services.create_unit("甲镇", "town", county, DAY)
        for i in range(30):
            services.create_unit(f"村{i}", "village", town, DAY)
    return town


def rewrite_from(seq, **changes):
    """What an attacker with the database does: edit entry `seq`, recompute every later hash and the head."""
    entries = list(AuditEntry.objects.filter(seq__gte=seq).order_by("seq"))
    prev = AuditEntry.objects.get(seq=seq - 1).hash if seq > 1 else ""
    with connection.cursor() as cursor:
        for i, e in enumerate(entries):
            if i == 0:
                for k, v in changes.items():
                    setattr(e, k, v)
            e.prev_hash = prev
            e.hash = e.compute_hash()
            prev = e.hash
            cursor.execute(f"UPDATE {TABLE} SET object_repr = %s, prev_hash = %s, hash = %s WHERE id = %s",
                           [e.object_repr, e.prev_hash, e.hash, e.pk])
        cursor.execute(f"UPDATE {AuditHead._meta.db_table} SET hash = %s", [prev])


def test_every_committed_head_is_signed_and_witnessed(trail, capsys):
    head = AuditHead.objects.get()
    assert head.mac == audit.head_mac(head.seq, head.hash)
    lines = audit.read_witness()
    assert lines[-1]["seq"] == head.seq and lines[-1]["hash"] == head.hash
    code, out = verify(capsys)
    assert code == 0 and f"核对见证记录 {len(lines)} 条" in out


def test_an_edit_with_every_later_hash_recomputed_is_detected_by_the_witness(trail, capsys):
    victim = AuditEntry.objects.get(seq=10)
    rewrite_from(10, object_repr="篡改后的名称")
    code, out = verify(capsys)
    assert code == 1 and f"条目 #{victim.pk}" in out and "见证文件" in out and "被改写" in out


def test_an_edit_with_every_later_hash_recomputed_is_detected_by_the_head_signature_alone(trail, capsys, settings):
    settings.AUDIT_WITNESS = settings.AUDIT_WITNESS.with_name("elsewhere.log")  # say the witness host is lost
    rewrite_from(10, object_repr="篡改后的名称")
    code, out = verify(capsys)
    assert code == 1 and "链头签名不符" in out


def test_deleting_the_last_entries_and_rolling_the_head_back_is_detected(db, django_capture_on_commit_callbacks,
                                                                      trail, capsys):
    old = AuditHead.objects.values("seq", "hash", "mac").get()  # a head the attacker saw earlier (or in a dump)
    with django_capture_on_commit_callbacks(execute=True):
        services.create_unit("新村", "village", trail, DAY)
    last = AuditEntry.objects.order_by("-seq")[0]
    assert verify(capsys)[0] == 0
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE seq > %s", [old["seq"]])  # the newest entries go
        cursor.execute(f"UPDATE {AuditHead._meta.db_table} SET seq = %s, hash = %s, mac = %s",
                       [old["seq"], old["hash"], old["mac"]])
    code, out = verify(capsys)
    assert code == 1 and f"见证文件记录过第 {last.seq} 条" in out and "回滚" in out


def test_a_forged_witness_line_is_detected(trail, capsys, settings):
    with open(settings.AUDIT_WITNESS, "a") as f:
        f.write(json.dumps({"seq": 99, "hash": "0" * 64, "at": "2026-01-01T00:00:00+00:00", "mac": "f" * 64}) + "\n")
    code, out = verify(capsys)
    assert code == 1 and "签名不符" in out and "第" in out


def test_the_witness_command_witnesses_the_current_head(db, county_without_witness, capsys, settings):
    assert audit.read_witness() == []
    from django.core.management import call_command

    call_command("audit", "witness")
    head = AuditHead.objects.get()
    assert [(w["seq"], w["hash"]) for w in audit.read_witness()] == [(head.seq, head.hash)]


@pytest.fixture
def county_without_witness(db):
    return services.create_unit("测试县", "county", None, DAY, code="510000000000")


def test_witness_lines_also_go_to_syslog_when_configured(tmp_path):
    import os
    import socket
    import subprocess
    import sys
    from pathlib import Path

    receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    receiver.bind(("127.0.0.1", 0))
    receiver.settimeout(20)
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "XIANGCUN_AUDIT_WITNESS")}
    env |= {"XIANGCUN_DATA_DIR": str(tmp_path), "XIANGCUN_AUDIT_SYSLOG": f"127.0.0.1:{receiver.getsockname()[1]}"}
    xiangcun = str(Path(sys.executable).with_name("xiangcun"))
    subprocess.run([xiangcun, "migrate", "-v0"], env=env, check=True, capture_output=True)
    make = "from xiangcun.divisions import services; services.create_unit('测试县', 'county', None, None)"
    subprocess.run([xiangcun, "shell", "-c", make], env=env, check=True, capture_output=True)
    message = receiver.recv(4096).decode()
    receiver.close()
    last = (tmp_path / "audit_witness.log").read_text().splitlines()[0]
    assert last in message


def test_an_entry_appended_behind_the_heads_back_is_detected(trail, capsys):
    last = AuditEntry.objects.order_by("-seq")[0]
    forged = AuditEntry(seq=last.seq + 1, timestamp=last.timestamp, action="update", object_type=last.object_type,
                        object_id=last.object_id, object_repr="伪造", path=last.path, prev_hash=last.hash)
    forged.hash = forged.compute_hash()
    forged.save()  # the ORM insert, without moving the head
    code, out = verify(capsys)
    assert code == 1 and "链头之后多出条目" in out


def test_a_write_committed_while_verify_walks_is_not_reported_as_damage(trail, monkeypatch):
    """Another process commits a change just as verify finishes walking the chain: still intact."""
    from xiangcun.core.audit import AuditEntryQuerySet

    walk = AuditEntryQuerySet.iterator

    def walk_then_someone_writes(self, *args, **kwargs):
        yield from walk(self, *args, **kwargs)
        monkeypatch.setattr(AuditEntryQuerySet, "iterator", walk)
        services.create_unit("并发村", "village", trail, DAY)

    monkeypatch.setattr(AuditEntryQuerySet, "iterator", walk_then_someone_writes)
    result = audit.verify()
    assert result.ok, result.reason
