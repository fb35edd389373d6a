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
