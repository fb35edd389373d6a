"""Shared fixtures: a small cast of users, and the real NBS editions cut down to 阿坝州 for speed."""
import datetime as dt
import gzip
import os
from pathlib import Path

import pytest
from django.conf import settings as django_settings

NBS_DIR = Path(django_settings.NBS_DIR)
EDITIONS = {2018: dt.date(2018, 10, 31), 2019: dt.date(2019, 10, 31), 2020: dt.date(2020, 6, 30), 2021: dt.date(2021, 10, 31)}
REF = EDITIONS


def require_nbs():
    if not (NBS_DIR / "2019.csv.gz").exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI 需要 NBS 数据:{NBS_DIR}")
        pytest.skip(f"没有 NBS 数据目录 {NBS_DIR}")


@pytest.fixture(autouse=True)
def _fast_and_immediate(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    from django.core.cache import cache

    cache.clear()  # API throttling counts live in the cache


@pytest.fixture(scope="session")
def nbs_subset(tmp_path_factory):
    """The four editions restricted to 阿坝州 (5132) and its ancestors, as small gzip files."""
    require_nbs()
    out = tmp_path_factory.mktemp("nbs")
    keep = ("5132", "510000000000")
    for year in EDITIONS:
        with gzip.open(NBS_DIR / f"{year}.csv.gz", "rt", encoding="utf-8") as src:
            lines = [line for i, line in enumerate(src) if i == 0 or line.startswith(keep)]
        with gzip.open(out / f"{year}.csv.gz", "wt", encoding="utf-8") as dst:
            dst.writelines(lines)
    return out


@pytest.fixture
def editions(db, nbs_subset):
    """The four editions imported (阿坝州 only)."""
    from xiangcun.divisions import services
    from xiangcun.divisions.models import Edition

    for year, ref in EDITIONS.items():
        services.import_edition(nbs_subset / f"{year}.csv.gz", year, ref)
    return {e.year: e for e in Edition.objects.all()}


@pytest.fixture
def maerkang(editions):
    """马尔康市 in the registry: 2019 baseline, then 2019→2020 and 2020→2021 reconciled and confirmed."""
    from xiangcun.divisions import services

    services.adopt_baseline(editions[2019], "513201")
    nazu = services.lookup("513201101200", REF[2019])
    services.create_unit("一组", "villager_group", nazu, REF[2019], households=40, population=160)
    for a, b in ((2019, 2020), (2020, 2021)):
        run = services.run_reconciliation(editions[a], editions[b], "513201")
        done, errors = services.confirm_all(run)
        assert not errors, errors
    return services.lookup("513201000000", REF[2021])


@pytest.fixture
def make_user(db):
    from xiangcun.accounts.models import Role, User

    def make(username, role=Role.TOWNSHIP, jurisdiction=None, **extra):
        user = User.objects.create_user(username=username, password="pw-for-tests-1", role=role,
                                        jurisdiction=jurisdiction, **extra)
        return user

    return make


@pytest.fixture
def unit(maerkang):
    """A unit of 马尔康市 by name (current or abolished)."""
    from xiangcun.divisions.models import Division

    def get(name):
        return Division.objects.filter(path__startswith=maerkang.path).get(name=name)

    return get
