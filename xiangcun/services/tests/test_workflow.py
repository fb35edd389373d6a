"""The case workflow: 受理 → 转办 → 办理中 → 办结 → 送达 → 归档, with 退回补正 and 不予受理."""
import pytest

from xiangcun.core.audit import AuditEntry
from xiangcun.services import casework
from xiangcun.services.errors import CaseError
from xiangcun.services.models import Case, Status


def test_a_case_goes_all_the_way_and_each_step_is_a_named_audit_event(take, cast, unit):
    case = take()
    assert case.status == Status.RECEIVED and case.trips == 1
    case = casework.transition(case, "forward", cast["agent"])
    assert case.handler_unit == unit("松岗镇") and case.forwarded_at
    case = casework.transition(case, "start", cast["songgang"])
    case = casework.transition(case, "complete", cast["songgang"], result="已批准,每月发放高龄津贴 100 元")
    assert case.working_days == 0 and case.on_time is True
    case = casework.transition(case, "deliver", cast["agent"], delivery="home")
    case = casework.transition(case, "archive", cast["agent"])
    assert case.status == Status.ARCHIVED and case.trips == 1 and case.one_trip_kept
    assert [s.to_status for s in case.steps.all()] == ["received", "forwarded", "processing", "completed",
                                                      "delivered", "archived"]
    actions = list(AuditEntry.objects.for_object(case).order_by("seq").values_list("action", flat=True))
    assert [a for a in actions if a.startswith("case.")] == ["case.take", "case.forward", "case.start",
                                                             "case.complete", "case.deliver", "case.archive"]


def test_a_county_item_goes_to_its_department_and_only_that_department_handles_it(take, cast):
    case = casework.transition(take(item="county"), "forward", cast["agent"])
    assert case.handler_department == "民政" and case.handler_unit is None
    with pytest.raises(CaseError, match="不能对该件执行"):
        casework.transition(case, "start", cast["caizheng"])
    with pytest.raises(CaseError, match="不能对该件执行"):
        casework.transition(case, "start", cast["songgang"])
    assert casework.transition(case, "start", cast["minzheng"]).status == Status.PROCESSING


def test_steps_not_allowed_from_the_current_state_change_nothing(take, cast):
    case = take()
    for action, user in (("complete", cast["songgang"]), ("deliver", cast["agent"]), ("archive", cast["agent"])):
        with pytest.raises(CaseError, match="不适用于状态为“已受理”"):
            casework.transition(case, action, user)
    case.refresh_from_db()
    assert case.status == Status.RECEIVED and case.version == 1 and case.steps.count() == 1


def test_the_agent_cannot_process_and_the_township_cannot_deliver(take, cast):
    case = casework.transition(take(), "forward", cast["agent"])
    with pytest.raises(CaseError):
        casework.transition(case, "start", cast["agent"])
    case = casework.transition(case, "start", cast["songgang"])
    case = casework.transition(case, "complete", cast["songgang"], result="办结")
    with pytest.raises(CaseError):
        casework.transition(case, "deliver", cast["songgang"], delivery="home")
    with pytest.raises(CaseError):  # another township's staff
        casework.transition(case, "deliver", cast["dangba"], delivery="home")


def test_a_result_needs_text_and_delivery_needs_a_method(take, cast):
    case = casework.transition(casework.transition(take(), "forward", cast["agent"]), "start", cast["songgang"])
    with pytest.raises(CaseError, match="办结须填写办理结果"):
        casework.transition(case, "complete", cast["songgang"], result="  ")
    case = casework.transition(case, "complete", cast["songgang"], result="办结")
    with pytest.raises(CaseError, match="送达须选择送达方式"):
        casework.transition(case, "deliver", cast["agent"])
    with pytest.raises(CaseError, match="不适用"):  # a result without a delivery record is not archived
        casework.transition(case, "archive", cast["agent"])


def test_return_for_materials_and_resubmission_count_a_trip_and_restart_the_clock(take, cast):
    case = casework.transition(take(), "forward", cast["agent"])
    with pytest.raises(CaseError, match="缺少的材料和原因"):
        casework.transition(case, "return", cast["songgang"], missing="户口簿")
    case = casework.transition(case, "return", cast["songgang"], missing="户口簿", reason="需核实年龄")
    assert case.status == Status.RETURNED and case.returned_count == 1
    case = casework.transition(case, "resubmit", cast["agent"], in_person=True)
    assert case.status == Status.FORWARDED and case.trips == 2 and not case.one_trip_kept
    case = casework.transition(case, "start", cast["songgang"])
    case = casework.transition(case, "complete", cast["songgang"], result="办结")
    case = casework.transition(case, "deliver", cast["agent"], delivery="window")
    assert case.trips == 3


def test_rejection_needs_a_reason(take, cast):
    case = take()
    with pytest.raises(CaseError, match="不予受理须写明原因"):
        casework.transition(case, "reject", cast["agent"])
    case = casework.transition(case, "reject", cast["agent"], reason="不符合高龄津贴年龄条件")
    assert case.status == Status.REJECTED and case.closed_at


def test_intake_refuses_bad_input(cast, unit, items):
    agent = cast["agent"]
    with pytest.raises(CaseError, match="身份证号"):
        casework.take_case(agent, unit("松岗村"), items["township"], "张三", "110105194912310021")
    with pytest.raises(CaseError, match="不可代办"):
        casework.take_case(agent, unit("松岗村"), items["no_proxy"], "张三", "11010519491231002X")
    with pytest.raises(CaseError, match="不在您的管辖范围内"):
        casework.take_case(agent, unit("党坝村"), items["township"], "张三", "11010519491231002X")
    with pytest.raises(CaseError, match="只有村代办员"):
        casework.take_case(cast["songgang"], unit("松岗村"), items["township"], "张三", "11010519491231002X")
    with pytest.raises(CaseError, match="不是该事项的申请材料"):
        casework.take_case(agent, unit("松岗村"), items["township"], "张三", "11010519491231002X", materials=["房产证"])
    assert not Case.objects.exists()


def test_the_case_page_walks_the_flow(client, take, cast):
    case = take()
    client.force_login(cast["agent"])
    r = client.post(f"/services/cases/{case.pk}/transition/", {"action": "forward", "version": 1}, follow=True)
    assert "已转办" in r.content.decode()
    client.force_login(cast["songgang"])
    assert case.number in client.get("/services/").content.decode()  # the township's queue
    client.post(f"/services/cases/{case.pk}/transition/", {"action": "start", "version": 2})
    r = client.post(f"/services/cases/{case.pk}/transition/", {"action": "complete", "version": 2, "result": "x"},
                    follow=True)
    assert "该件已被他人处理" in r.content.decode()  # a stale form: nothing applied
    case.refresh_from_db()
    assert case.status == Status.PROCESSING and case.version == 3
