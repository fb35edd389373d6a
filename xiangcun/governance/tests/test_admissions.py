"""事项准入: a county department files, the reform office approves (the item enters the townships' 属地事项
drafts) or refuses with a reason; nothing reaches a township's 属地事项 list without an approval."""
import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse

from xiangcun.accounts.models import Role
from xiangcun.bodies.services import department_body
from xiangcun.governance import services
from xiangcun.governance.errors import GovernanceError
from xiangcun.governance.models import Admission, AdmissionStatus, ListKind, ListStatus, LocalItem, ResponsibilityList


@pytest.fixture
def department(offices, maerkang, make_user):
    return make_user("yj", Role.DEPARTMENT, maerkang, department="应急")


def _file(client, maerkang, townships=(), name="汛期地质灾害隐患点巡查"):
    data = {"department": department_body(maerkang, "应急").pk, "name": name, "cooperation": "发现报告、协助配合",
            "legal_basis": "《地质灾害防治条例》", "reason": "汛期隐患点多", "townships": [t.pk for t in townships]}
    return client.post(reverse("governance:admission_new"), data)


def test_an_approved_request_enters_the_chosen_townships_lists_and_only_those(department, office_user, maerkang, unit, client):
    sg, db = unit("松岗镇"), unit("党坝乡")
    client.force_login(department)
    response = _file(client, maerkang, [sg])
    assert response.status_code == 302
    admission = Admission.objects.get(name="汛期地质灾害隐患点巡查")
    assert admission.status == AdmissionStatus.PENDING and admission.filed_by == department
    # pending: nothing on any list yet
    assert not LocalItem.objects.exists()
    # a department cannot decide its own request
    assert client.post(reverse("governance:admission_decide", args=[admission.pk]), {"decision": "approve"}).status_code == 403
    client.force_login(office_user)
    ok = client.post(reverse("governance:admission_decide", args=[admission.pk]), {"decision": "approve", "note": "同意"})
    assert ok.status_code == 302
    draft = ResponsibilityList.objects.get(unit=sg, kind=ListKind.LOCAL)
    assert draft.status == ListStatus.DRAFT
    item = draft.local_items.get()
    assert item.name == "汛期地质灾害隐患点巡查" and item.department.name == "马尔康市应急管理局" and item.admission == admission
    assert not ResponsibilityList.objects.filter(unit=db, kind=ListKind.LOCAL).exists()
    page = client.get(reverse("governance:admission_detail", args=[admission.pk])).content.decode()
    assert "已准入" in page and "松岗镇属地管理事项责任清单" in page
    # decided once: a second decision is refused
    again = client.post(reverse("governance:admission_decide", args=[admission.pk]), {"decision": "refuse", "note": "x"})
    assert again.status_code == 400 and "该申请已审批(已准入),不能再次审批" in again.content.decode()


def test_approval_goes_into_a_new_version_of_the_list_in_force(department, office_user, maerkang, unit):
    sg = unit("松岗镇")
    first = services.file_admission(department, Admission(department=department_body(maerkang, "应急"), name="甲事项",
                                                           cooperation="发现报告", reason="r"), [sg])
    services.approve(office_user, first)
    services.publish(None, ResponsibilityList.objects.get(unit=sg, kind=ListKind.LOCAL), "松府发〔2025〕1号", dt.date(2025, 1, 1))
    second = services.file_admission(department, Admission(department=department_body(maerkang, "住建"), name="乙事项",
                                                            cooperation="信息收集", reason="r"), [sg])
    services.approve(office_user, second)
    draft = ResponsibilityList.objects.get(unit=sg, kind=ListKind.LOCAL, status=ListStatus.DRAFT)
    assert draft.version == 2 and set(draft.local_items.values_list("name", flat=True)) == {"甲事项", "乙事项"}
    assert services.in_force(sg, ListKind.LOCAL).local_items.count() == 1  # in force until the new version is published


def test_a_refusal_needs_a_reason_and_puts_nothing_on_a_list(department, office_user, maerkang, unit, client):
    client.force_login(department)
    _file(client, maerkang)
    admission = Admission.objects.get()
    client.force_login(office_user)
    refused = client.post(reverse("governance:admission_decide", args=[admission.pk]), {"decision": "refuse", "note": ""})
    assert refused.status_code == 400 and "请写明不予准入的理由" in refused.content.decode()
    assert client.post(reverse("governance:admission_decide", args=[admission.pk]),
                       {"decision": "refuse", "note": "属于部门自身职责"}).status_code == 302
    admission.refresh_from_db()
    assert admission.status == AdmissionStatus.REFUSED and admission.decision_note == "属于部门自身职责"
    assert not LocalItem.objects.exists()


def test_the_services_refuse_an_item_without_an_approved_request(department, maerkang, unit):
    sg = unit("松岗镇")
    pending = services.file_admission(department, Admission(department=department_body(maerkang, "应急"), name="未审批事项",
                                                             cooperation="发现报告", reason="r"), [sg])
    draft = services.create_list(None, sg, ListKind.LOCAL)
    with pytest.raises(GovernanceError, match="未经事项准入审批通过"):
        services.add_local_item(draft, pending)
    elsewhere = services.file_admission(department, Admission(department=department_body(maerkang, "应急"), name="他乡事项",
                                                               cooperation="发现报告", reason="r"), [unit("党坝乡")])
    services.approve(None, elsewhere)
    elsewhere.refresh_from_db()
    with pytest.raises(GovernanceError, match="准入范围不含松岗镇"):
        services.add_local_item(draft, elsewhere)
    # and no form adds one either: a local item is only edited
    with pytest.raises(GovernanceError, match="须经事项准入审批"):
        services.save_local_item(None, LocalItem(list=draft, name="x", department=department_body(maerkang, "应急"),
                                                 cooperation="x", admission=pending))
    assert not draft.local_items.exists()


def test_an_import_of_unadmitted_items_is_refused_row_by_row(department, office_user, maerkang, unit, client):
    sg = unit("松岗镇")
    admitted = services.file_admission(department, Admission(department=department_body(maerkang, "应急"), name="已准入事项",
                                                              cooperation="发现报告", reason="r"))
    services.approve(office_user, admitted)
    draft = ResponsibilityList.objects.get(unit=sg, kind=ListKind.LOCAL)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["事项名称", "主体责任部门", "乡镇配合责任", "设定依据"])
    ws.append(["已准入事项", "应急", "发现报告、协助配合", "依据"])
    ws.append(["偷偷加的事项", "应急", "发现报告", ""])
    ws.append(["部门写错的事项", "不存在局", "发现报告", ""])
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "local.xlsx"
    client.force_login(office_user)
    preview = client.post(reverse("governance:list_import", args=[draft.pk]), {"file": buf})
    text = preview.content.decode()
    assert preview.status_code == 400
    assert "事项“偷偷加的事项”未经事项准入审批通过" in text and "主体责任部门“不存在局”不是马尔康市已登记的县级部门" in text
    assert draft.local_items.get().cooperation == "发现报告"  # unchanged


def test_a_township_does_not_see_the_requests(department, unit, make_user, client):
    client.force_login(make_user("sg", Role.TOWNSHIP, unit("松岗镇")))
    assert client.get(reverse("governance:admissions")).status_code == 403
