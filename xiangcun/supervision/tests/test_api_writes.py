"""Filing and reviewing reports through /api/v1/: the same rules, scope and refusals as the pages."""
import datetime as dt

import pytest
from rest_framework.test import APIClient

from xiangcun.accounts import tokens
from xiangcun.core.models import AuditEntry
from xiangcun.supervision.models import Report, ReportStatus, Round, Task
from xiangcun.supervision.tests.test_supervision import GOOD, TODAY, import_sheet, sheet

REPORTS = "/api/v1/supervision/reports/"


def api(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {tokens.issue(user)[1]}")
    return client


@pytest.fixture
def cycle(maerkang, register, people):
    import_sheet(maerkang, sheet(GOOD))
    rnd = Round.objects.create(county=maerkang, title="本月", period_start=TODAY.replace(day=1),
                               period_end=TODAY + dt.timedelta(days=30), due=TODAY + dt.timedelta(days=10))
    return Task.objects.get(parent__number="1.2", lead__unit__name="松岗镇"), rnd


def test_a_township_files_a_report_and_the_office_returns_then_accepts_it(cycle, people):
    task, rnd = cycle
    township = api(people["songgang"])
    response = township.post(REPORTS, {"task": task.pk, "round": rnd.pk, "text": "方案已制定", "percent": 60},
                             format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == ReportStatus.SUBMITTED and data["body"] == task.lead_id and data["late"] is False
    # once submitted it cannot be filed again for the round
    again = township.post(REPORTS, {"task": task.pk, "round": rnd.pk, "text": "再报", "percent": 70}, format="json")
    assert again.status_code == 400 and "不能重复报送" in again.json()["errors"]["round"][0]
    # the township cannot review; the office returns it (a reason is required), then accepts the resubmission
    review = f"{REPORTS}{data['id']}/review/"
    assert township.post(review, {"decision": "accepted"}, format="json").status_code == 403
    office = api(people["office"])
    refused = office.post(review, {"decision": "returned"}, format="json")
    assert refused.status_code == 400 and refused.json()["errors"]["reason"] == ["退回时请填写退回理由"]
    assert Report.objects.get().status == ReportStatus.SUBMITTED
    returned = office.post(review, {"decision": "returned", "reason": "缺少照片"}, format="json")
    assert returned.status_code == 200 and returned.json()["status"] == "returned" and returned.json()["returns"] == 1
    # a second decision on the same report is applied once: 409, nothing changed
    late = office.post(review, {"decision": "accepted"}, format="json")
    assert late.status_code == 409 and "已被审核" in late.json()["message"]
    assert Report.objects.get().status == ReportStatus.RETURNED
    assert township.post(REPORTS, {"task": task.pk, "round": rnd.pk, "text": "已补照片", "percent": 100},
                         format="json").status_code == 201
    assert office.post(review, {"decision": "accepted"}, format="json").status_code == 200
    task.refresh_from_db()
    assert task.status == "done" and task.percent == 100
    actions = list(AuditEntry.objects.filter(action__startswith="supervision.report").values_list("action", flat=True))
    assert actions.count("supervision.report_submitted") == 2 and "supervision.report_returned" in actions


def test_the_api_keeps_the_pages_scope_and_rules(cycle, people, maerkang):
    task, rnd = cycle
    other = Task.objects.get(parent__number="1.2", lead__unit__name="党坝乡")
    township = api(people["songgang"])
    # another township's task, or a task the county department only sees: 404, nothing written
    assert township.post(REPORTS, {"task": other.pk, "round": rnd.pk, "text": "x", "percent": 1},
                         format="json").status_code == 404
    assert api(people["minzheng"]).post(REPORTS, {"task": task.pk, "round": rnd.pk, "text": "x", "percent": 1},
                                        format="json").status_code == 404
    # the office files nothing (its role does not report)
    assert api(people["office"]).post(REPORTS, {"task": task.pk, "round": rnd.pk, "text": "x", "percent": 1},
                                      format="json").status_code == 403
    bad = township.post(REPORTS, {"task": task.pk, "round": rnd.pk, "body": other.lead_id, "text": " ", "percent": 101},
                        format="json")
    assert bad.status_code == 400 and "percent" in bad.json()["errors"]
    bad = township.post(REPORTS, {"task": task.pk, "round": rnd.pk, "body": other.lead_id, "text": "进展", "percent": 10},
                        format="json")
    assert bad.status_code == 400 and "body" in bad.json()["errors"]
    assert not Report.objects.exists()
    # a report outside the jurisdiction is a 404 to review
    report = township.post(REPORTS, {"task": task.pk, "round": rnd.pk, "text": "进展", "percent": 10}, format="json").json()
    assert api(people["dangba"]).get(f"{REPORTS}{report['id']}/").status_code == 404
