"""A backup restores into an empty instance with everything in it, and refuses what it must."""
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from xiangcun.accounts.models import Role, User
from xiangcun.core import backup
from xiangcun.divisions import services
from xiangcun.divisions.models import ChangeEvent, Division, DivisionVersion, EditionEntry


def snapshot():
    return {
        "divisions": sorted(Division.objects.values_list("pk", "code", "name", "path", "valid_to")),
        "versions": DivisionVersion.objects.count(),
        "events": sorted((e.pk, e.type, tuple(sorted(e.predecessors.values_list("pk", flat=True))))
                         for e in ChangeEvent.objects.all()),
        "entries": EditionEntry.objects.count(),
        "users": sorted(User.objects.values_list("username", "role")),
    }


def wipe():
    """An empty, migrated instance (flush re-creates content types and permissions, as migrate does)."""
    call_command("flush", interactive=False, verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_backup_round_trips_into_an_empty_instance(maerkang, make_user, unit, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "media" / "uploads").mkdir(parents=True)
    (tmp_path / "media" / "uploads" / "scan.pdf").write_bytes(b"%PDF-1.4 test")
    make_user("sg", Role.TOWNSHIP, unit("松岗镇"), phone="13912345678")
    before = snapshot()
    path = tmp_path / "x.backup"
    call_command("backup", str(path))
    assert b"13912345678" not in path.read_bytes()  # the file is encrypted

    with pytest.raises(CommandError, match="只能恢复到空实例"):
        call_command("restore", str(path))

    wipe()
    (tmp_path / "media" / "uploads" / "scan.pdf").unlink()
    call_command("restore", str(path))
    assert snapshot() == before
    assert User.objects.get(username="sg").phone == "13912345678"
    assert (tmp_path / "media" / "uploads" / "scan.pdf").read_bytes() == b"%PDF-1.4 test"
    # the restored registry still works, and new rows get fresh ids
    assert services.lookup("513201100210", services.dt.date(2022, 1, 1)).name == "纳足村"
    new = services.create_unit("新组", "villager_group", unit("纳足村"), None)
    assert new.pk > max(pk for pk, *_ in before["divisions"])


def test_a_backup_made_with_another_key_is_refused(db, settings):
    data = backup.create_backup()
    settings.PII_KEY = "x" * 43 + "="
    from xiangcun.core.crypto import _fernet

    _fernet.cache_clear()
    with pytest.raises(backup.BackupError, match="无法解密"):
        backup.restore_backup(data)


def tampered(settings, member, *, symlink=False):
    """A backup of an empty instance with one user row, a harmless upload and then `member`."""
    import io
    import json
    import stat
    import zipfile

    from django.core import serializers

    from xiangcun.core.crypto import _fernet

    raw = _fernet(settings.PII_KEY).decrypt(backup.create_backup())
    out = io.BytesIO()
    user = serializers.serialize("python", [User(pk=99, username="intruder", role=Role.TOWNSHIP)])[0]
    with zipfile.ZipFile(io.BytesIO(raw)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "data/accounts.user.jsonl":
                body = (json.dumps(user, default=str) + "\n").encode()
            dst.writestr(info, body)
        dst.writestr("media/uploads/ok.pdf", b"fine")
        bad = zipfile.ZipInfo(member)
        if symlink:
            bad.external_attr = (stat.S_IFLNK | 0o777) << 16
        dst.writestr(bad, b"/etc/passwd" if symlink else b"escaped")
    return _fernet(settings.PII_KEY).encrypt(out.getvalue())


@pytest.mark.parametrize("member, symlink, reason", [
    ("media/../escaped.txt", False, "不安全"),
    ("media/uploads/../../escaped.txt", False, "不安全"),
    ("media//tmp/escaped.txt", False, "不安全"),
    ("/tmp/escaped.txt", False, "不安全"),
    ("media/uploads/link", True, "符号链接"),
])
def test_a_backup_member_outside_the_upload_folder_is_refused_and_nothing_is_written(db, settings, tmp_path,
                                                                                    member, symlink, reason):
    settings.MEDIA_ROOT = tmp_path / "data" / "media"
    data = tampered(settings, member, symlink=symlink)
    with pytest.raises(backup.BackupError, match=reason) as refused:
        backup.restore_backup(data)
    assert member in str(refused.value) and "未恢复任何数据" in str(refused.value)
    assert not User.objects.exists()
    assert list(tmp_path.rglob("*")) == []  # no upload, nothing escaped


def test_a_symlink_in_the_upload_folder_does_not_lead_a_restore_outside_it(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "outside").mkdir()
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "uploads").symlink_to(tmp_path / "outside")
    with pytest.raises(backup.BackupError, match="上传目录之外"):
        backup.restore_backup(tampered(settings, "media/uploads/x.pdf"))
    assert list((tmp_path / "outside").iterdir()) == [] and not User.objects.exists()


def test_a_damaged_witness_does_not_stop_a_backup_but_is_reported(db, settings, tmp_path, capsys):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.AUDIT_WITNESS.write_text('{"seq": 1, "hash": "x", "at": "t", "mac": "forged"}\n')
    call_command("backup", str(tmp_path / "x.backup"))
    assert (tmp_path / "x.backup").exists()
    err = capsys.readouterr().err
    assert "见证文件" in err and "第 1 行签名不符" in err


def rewrite_backup(settings, data, edit):
    """The backup with edit(name, body) -> body applied to each member."""
    import io
    import zipfile

    from xiangcun.core.crypto import _fernet

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(_fernet(settings.PII_KEY).decrypt(data))) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, edit(info.filename, src.read(info)))
    return _fernet(settings.PII_KEY).encrypt(out.getvalue())


@pytest.mark.parametrize("made_before_signing", [True, False])
def test_a_backup_from_before_heads_were_signed_restores_and_verifies(db, settings, tmp_path, made_before_signing):
    import json

    from django.contrib.contenttypes.models import ContentType

    from xiangcun.core import audit

    settings.MEDIA_ROOT = tmp_path / "media"
    for ct in ContentType.objects.all()[:2]:  # any records (migrate makes content types)
        audit.log_event(ct, "update", data={"reason": "测试"})

    def unsigned(name, body):
        if name == "data/core.audithead.jsonl":  # what an older version wrote: no signature
            rows = [json.loads(line) for line in body.decode().splitlines()]
            for row in rows:
                row["fields"].pop("mac")
            return "".join(json.dumps(r) + "\n" for r in rows).encode()
        if name == "manifest.json" and made_before_signing:
            manifest = json.loads(body)
            manifest["migrations"] = [m for m in manifest["migrations"] if m != ["core", backup.SIGNED_HEAD]]
            return json.dumps(manifest).encode()
        return body

    data = rewrite_backup(settings, backup.create_backup(), unsigned)
    if made_before_signing:
        manifest = backup.restore_backup(data)
        assert manifest["audit"].ok and audit.verify().ok
    else:  # a signed-era backup whose head lost its signature is not signed again
        with pytest.raises(backup.BackupError, match="XIANGCUN_AUDIT_KEY"):
            backup.restore_backup(data)


@pytest.mark.parametrize("row", ["user", "edition", "division"])
def test_restore_refuses_an_instance_holding_users_or_registry_rows(db, row):
    """Users, editions and divisions (the models their apps declare as `instance_data`) make an instance
    not empty; the rows the migrations seed (e.g. the indicator catalogue) do not."""
    from xiangcun.divisions.models import Edition, Level

    data = backup.create_backup()
    assert backup._is_empty()
    if row == "user":
        User.objects.create_user(username="someone", password="pw-for-tests-1")
    elif row == "edition":
        Edition.objects.create(year=2099, ref_date=services.dt.date(2099, 6, 30))
    else:
        Division.objects.create(code="513200000000", name="阿坝州", level=Level.CITY, kind="city", path="0001")
    with pytest.raises(backup.BackupError, match="只能恢复到空实例"):
        backup.restore_backup(data)
