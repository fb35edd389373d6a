"""An NBS import run as a job: while its one transaction writes, the job page (another connection)
already shows the write step, not "校验通过"; and a failure in the write still leaves nothing."""
import threading

import pytest
from django.db import connection
from django.urls import reverse

from xiangcun.core import jobs
from xiangcun.core.models import Job, JobStatus
from xiangcun.divisions import services
from xiangcun.divisions.models import Edition, EditionEntry

pytestmark = pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite has one writer at a time: progress reported inside the write shows at commit (see core/jobs.py)",
)


def from_another_connection(fn):
    """Run fn in a thread, which has a database connection of its own (like the web server's)."""
    box = {}

    def target():
        from django.db import connection as own

        try:
            box["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - handed back to the test
            box["error"] = exc
        finally:
            own.close()

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(30)
    assert not thread.is_alive(), "the page waited on the job's transaction"
    if "error" in box:
        raise box["error"]
    return box["value"]


@pytest.mark.parametrize("fails", [False, True], ids=["succeeds", "fails-after-writing"])
@pytest.mark.django_db(transaction=True)
def test_the_job_page_follows_the_write_and_a_failed_write_leaves_nothing(fails, client, make_user, nbs_subset, monkeypatch):
    owner = make_user("owner")
    client.force_login(owner)
    job = Job.objects.create(kind="nbs_import", title="导入 2020 年版", owner=owner,
                             params={"path": str(nbs_subset / "2020.csv.gz"), "edition": 2020, "ref_date": "2020-06-30"})
    seen = []
    write = services._bulk_insert_entries

    def writing(edition_id, rows):
        write(edition_id, rows)

        def look():
            fragment = client.get(reverse("core:job_progress", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
            return fragment, EditionEntry.objects.count()

        seen.append(from_another_connection(look))
        if fails:
            raise services.DivisionError("写入中断")

    monkeypatch.setattr(services, "_bulk_insert_entries", writing)
    jobs.execute.call(job.pk)
    job.refresh_from_db()

    (fragment, entries_visible), = seen
    assert "写入第 1–" in fragment and "66%" in fragment  # step 2 of 3, not 33% "校验通过"
    assert "校验通过" not in fragment
    assert entries_visible == 0  # still one transaction: nothing of it is visible before commit
    if fails:
        assert job.status == JobStatus.FAILED and job.error == "写入中断"
        assert not Edition.objects.filter(year=2020).exists() and not EditionEntry.objects.exists()
    else:
        assert job.status == JobStatus.SUCCEEDED and EditionEntry.objects.filter(edition__year=2020).count() > 1000
