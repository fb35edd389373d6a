"""Shared fixtures: a small cast of users, and the real NBS editions cut down to 阿坝州 for speed."""
import datetime as dt
import gzip
import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings as django_settings

NBS_DIR = Path(django_settings.NBS_DIR)
EDITIONS = {2018: dt.date(2018, 10, 31), 2019: dt.date(2019, 10, 31), 2020: dt.date(2020, 6, 30), 2021: dt.date(2021, 10, 31)}
REF = EDITIONS
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def require_nbs():
    if not (NBS_DIR / "2019.csv.gz").exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI 需要 NBS 数据:{NBS_DIR}")
        pytest.skip(f"没有 NBS 数据目录 {NBS_DIR}")


# The fixtures through which a test reaches the test database (pytest-django blocks every other way).
_DATABASE_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback",
                      "live_server", "client", "admin_client", "django_user_model", "django_db_setup"}


def pytest_addoption(parser):
    parser.addoption("--database-only", action="store_true", help=(
        "run only the tests that can behave differently on another database: those that reach the test database, "
        "and those marked `database` (they run the app on DATABASE_URL in a subprocess). CI's PostgreSQL run uses it; "
        "the others ran on SQLite just before and do not read the database setting."))


def pytest_collection_modifyitems(config, items):
    if not config.getoption("--database-only"):
        return
    keep, drop = [], []
    for item in items:
        reaches = (item.get_closest_marker("django_db") or item.get_closest_marker("database")
                   or _DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())))
        (keep if reaches else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(autouse=True)
def _fast_and_immediate(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    from django.core.cache import cache

    cache.clear()  # API throttling counts live in the cache


@pytest.fixture(autouse=True)
def _own_audit_witness(settings, tmp_path):
    """Each test's audit chain is witnessed in its own file, not the data directory's."""
    settings.AUDIT_WITNESS = tmp_path / "audit_witness.log"


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


def _import_editions(nbs_dir):
    from xiangcun.divisions import services

    for year, ref in EDITIONS.items():
        services.import_edition(nbs_dir / f"{year}.csv.gz", year, ref)


def _reconcile_maerkang():
    from xiangcun.divisions import services
    from xiangcun.divisions.models import Edition

    editions = {e.year: e for e in Edition.objects.all()}
    services.adopt_baseline(editions[2019], "513201")
    nazu = services.lookup("513201101200", REF[2019])
    services.create_unit("一组", "villager_group", nazu, REF[2019], households=40, population=160)
    for a, b in ((2019, 2020), (2020, 2021)):
        run = services.run_reconciliation(editions[a], editions[b], "513201")
        done, errors = services.confirm_all(run)
        assert not errors, errors


class _Rows:
    """What one build step changed in the database, kept as model instances, to be written again in a test.

    Built once per session (inside a transaction that is rolled back); a test then gets the same rows — same
    primary keys, audit chain and timestamps — by a few bulk inserts inside its own transaction instead of
    re-importing and reconciling. Inserts are raw (no save(), no signals, no auto_now), so the rows are exactly
    the ones the real build wrote."""

    def __init__(self, before, after):
        self.statements = None
        self.steps = []  # (model, pks to delete, instances to insert, row count before, first new pk)
        for model, rows in after.items():
            old = before.get(model, {})
            changed = [pk for pk, (values, _) in rows.items() if old.get(pk, (None,))[0] != values]
            gone = [pk for pk in old if pk not in rows]
            if changed or gone:
                added = [pk for pk in changed if pk not in old]
                self.steps.append((model, [pk for pk in changed if pk in old] + gone,
                                   [rows[pk][1] for pk in changed], len(old), min(added, default=None)))

    @staticmethod
    def capture():
        from django.apps import apps

        out = {}
        for model in apps.get_models(include_auto_created=True):
            if model._meta.proxy or not model._meta.managed:
                continue
            fields = [f for f in model._meta.concrete_fields]
            out[model] = {obj.pk: (tuple(getattr(obj, f.attname) for f in fields), obj)
                          for obj in model._base_manager.order_by().iterator()}
        return out

    def fits(self):
        """The test's database is still in the state the rows were captured against (nothing of its own yet)."""
        for model, _delete, _insert, count, first_new in self.steps:
            manager = model._base_manager
            if manager.count() != count or (first_new is not None and manager.filter(pk__gte=first_new).exists()):
                return False
        return True

    def write(self):
        from django.core.management.color import no_style
        from django.db import connection, transaction
        from django.db.models.sql import InsertQuery

        if self.statements is None:  # compiled once: per test only the execution is left
            self.statements = []
            for model, _delete, insert, _count, _first in self.steps:
                fields = list(model._meta.concrete_fields)
                size = connection.ops.bulk_batch_size(fields, insert) or len(insert)
                for i in range(0, len(insert), size):
                    query = InsertQuery(model)
                    query.insert_values(fields, insert[i:i + size], raw=True)
                    self.statements += query.get_compiler(connection=connection).as_sql()
        # one transaction: foreign keys are checked at its end (a transactional test runs in autocommit)
        with transaction.atomic(), connection.cursor() as cursor:
            for model, delete, *_ in self.steps:
                if delete:
                    model._base_manager.filter(pk__in=delete)._raw_delete(connection.alias)
            for sql, params in self.statements:
                cursor.execute(sql, params)
            # PostgreSQL: sequences past the inserted ids (they are already, unless a test reset them)
            for sql in connection.ops.sequence_reset_sql(no_style(), [m for m, *_ in self.steps]):
                cursor.execute(sql)


@pytest.fixture(scope="session")
def _registry_rows(django_db_setup, django_db_blocker, nbs_subset):
    """The rows of `editions` and of `maerkang`, built once per session and rolled back."""
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        empty = _Rows.capture()
        _import_editions(nbs_subset)
        imported = _Rows.capture()
        _reconcile_maerkang()
        reconciled = _Rows.capture()
        transaction.set_rollback(True)
    return {"editions": _Rows(empty, imported), "maerkang": _Rows(imported, reconciled)}


@pytest.fixture(autouse=True)
def _registry_first(request):
    """Write the registry before any other fixture of the test writes rows of its own (users, audit entries),
    so that the session's rows fit whichever order a test names its fixtures in."""
    for name in ("maerkang", "editions"):
        if name in request.fixturenames:
            request.getfixturevalue(name)
            break


@pytest.fixture
def editions(db, nbs_subset, _registry_rows):
    """The four editions imported (阿坝州 only)."""
    from xiangcun.divisions.models import Edition

    rows = _registry_rows["editions"]
    if rows.fits():
        rows.write()
    else:  # the test wrote registry rows of its own first: build for real
        _import_editions(nbs_subset)
    return {e.year: e for e in Edition.objects.all()}


@pytest.fixture
def maerkang(editions, _registry_rows):
    """马尔康市 in the registry: 2019 baseline, then 2019→2020 and 2020→2021 reconciled and confirmed."""
    from xiangcun.divisions import services

    rows = _registry_rows["maerkang"]
    if rows.fits():
        rows.write()
    else:
        _reconcile_maerkang()
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


@pytest.fixture(scope="session")
def _chromium():
    """One headless Chromium for the whole session (starting one costs about a second); each test gets a fresh
    context of its own, so no cookie, storage or download crosses from one test to the next."""
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("CI 需要 chromium")
        pytest.skip("没有安装 chromium")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--no-first-run", "--disable-sync"])
        yield browser
        browser.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so a fixture can tell at teardown whether its test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def page(request, live_server, _chromium):
    """A headless Chromium page (Debian's chromium, zh-CN, downloads accepted) on the live server; `page.base` is
    the server's URL. The one browser fixture of the suite: browser tests just name it. When the test fails, the
    page's address and visible text are printed (CI shows them beside the failure) and a screenshot is kept."""
    # reduced motion: Bootstrap then scrolls instantly, not smoothly, so a click lands where the element was measured
    context = _chromium.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN", accept_downloads=True,
                                    reduced_motion="reduce")
    pg = context.new_page()
    pg.base = live_server.url
    yield pg
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        for shown in context.pages:
            try:
                text = shown.inner_text("body", timeout=2000)
                shot = Path(os.environ.get("TMPDIR", "/tmp")) / f"failed-{request.node.name[:80]}.png"
                shown.screenshot(path=str(shot), full_page=True, timeout=5000)
            except Exception as exc:  # the page itself may be what broke
                text, shot = f"(页面无法读取:{exc})", None
            print(f"\n--- 失败时的页面 {shown.url} (截图 {shot})\n{text[:3000]}")
    context.close()


def sign_in(page, username, password="pw-for-tests-1"):
    """Log in through the login page as a user made by `make_user` (signing out whoever was signed in)."""
    page.context.clear_cookies()
    page.goto(page.base + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button:has-text('登录')")
    page.wait_for_selector("text=工作台")
