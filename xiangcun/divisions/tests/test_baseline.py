"""建立区划基线 in the browser: an administrator or 民政 picks an imported edition and a county code, and the
baseline is built as a background job with progress — what `xiangcun divisions adopt` does on the command line."""
import pytest
from django.urls import reverse

from xiangcun.accounts.models import Role
from xiangcun.core.models import Job, JobStatus
from xiangcun.divisions import services
from xiangcun.divisions.models import Division
from xiangcun.divisions.tests.test_browser import page, sign_in  # noqa: F401  (the shared browser fixture)


def post(client, capture, data):
    with capture(execute=True):
        return client.post(reverse("divisions:baseline"), data)


def test_an_administrator_builds_a_county_baseline_as_a_job(client, editions, make_user,
                                                             django_capture_on_commit_callbacks):
    client.force_login(make_user("admin", Role.ADMIN, None))
    assert "建立基线" in client.get(reverse("divisions:baseline")).content.decode()
    answer = post(client, django_capture_on_commit_callbacks, {"edition": editions[2019].pk, "county": "513201"})
    job = Job.objects.get(kind="nbs_adopt")
    assert answer.status_code == 302 and answer.url == reverse("core:job", args=[job.pk])
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    county = services.lookup("513201000000", editions[2019].ref_date)
    assert county.name == "马尔康市" and Division.objects.subtree(county).filter(level=4).count() == 14
    assert "新建 125 个单位" in job.result["message"]
    # running it again creates nothing
    post(client, django_capture_on_commit_callbacks, {"edition": editions[2019].pk, "county": "513201000000"})
    assert Job.objects.filter(kind="nbs_adopt").latest("pk").result["created"] == 0


def test_the_baseline_reports_its_progress(editions):
    calls = []
    services.adopt_baseline(editions[2019], "513201", progress=lambda done, total, msg: calls.append((done, total, msg)))
    assert [c[:2] for c in calls] == [(0, 125), (100, 125), (125, 125)]
    assert calls[-1][2] == f"已处理 {calls[-1][1]} 个单位,新建 125 个"


def test_bad_input_is_refused_beside_the_field_and_nothing_runs(client, editions, maerkang, make_user,
                                                                django_capture_on_commit_callbacks):
    minzheng = make_user("mz", Role.DEPARTMENT, maerkang, department="民政")
    client.force_login(minzheng)
    page = client.post(reverse("divisions:baseline"), {"edition": editions[2019].pk, "county": "5132"})
    assert page.status_code == 400 and "县级区划代码“5132”应为 6 位数字" in page.content.decode()
    page = client.post(reverse("divisions:baseline"), {"edition": editions[2019].pk, "county": "513222"})
    assert "县级单位 513222 不在您的管辖范围(马尔康市)内" in page.content.decode()
    page = client.post(reverse("divisions:baseline"), {"county": "513201"})
    assert "请选择版次" in page.content.decode()
    assert not Job.objects.exists()
    # 民政 of 马尔康市 may (re)build its own county: nothing is missing, nothing is created
    answer = post(client, django_capture_on_commit_callbacks, {"edition": editions[2019].pk, "county": "513201"})
    assert answer.status_code == 302 and Job.objects.get().result["created"] == 0


@pytest.mark.parametrize("role, department", [(Role.REFORM_OFFICE, ""), (Role.DEPARTMENT, "财政"), (Role.TOWNSHIP, "")])
def test_only_administrators_and_minzheng_build_baselines(client, maerkang, make_user, role, department):
    client.force_login(make_user("u", role, maerkang, department=department))
    assert client.get(reverse("divisions:baseline")).status_code == 403
    assert client.post(reverse("divisions:baseline"), {"county": "513201"}).status_code == 403


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_administrator_builds_a_baseline_from_the_browser(page, editions, make_user, tmp_path):  # noqa: F811
    make_user("admin", Role.ADMIN, None)
    sign_in(page, "admin")
    page.click(".sidebar >> text=建立基线")
    page.select_option("select[name=edition]", label=str(editions[2019]))
    page.fill("input[name=county]", "51320")
    page.click("button:has-text('开始建立')")
    page.wait_for_selector("#field-county .field-error")
    assert "应为 6 位数字" in page.inner_text("#field-county")
    page.fill("input[name=county]", "513201")
    page.click("button:has-text('开始建立')")
    page.wait_for_selector("text=新建")
    page.screenshot(path=str(tmp_path / "baseline-job.png"), full_page=True)
    assert services.lookup("513201000000", editions[2019].ref_date) is not None
