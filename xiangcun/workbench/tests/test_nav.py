"""The navigation keeps its order now that its entries come from core, accounts' pages and the workbench."""
import pytest
from django.urls import reverse

from xiangcun.accounts.models import Role


@pytest.mark.django_db
def test_the_overview_and_system_sections_read_as_before(client, make_user):
    client.force_login(make_user("boss", role=Role.ADMIN))
    sections = dict(client.get(reverse("workbench:home")).context["navigation"])
    assert list(sections)[0] == "总览" and list(sections)[-1] == "系统"
    assert [label for _, label in sections["总览"]] == ["工作台", "改革驾驶舱"]
    assert [label for _, label in sections["系统"]] == ["后台任务", "审计日志", "用户管理", "动态口令", "我的接口令牌", "接口文档"]


@pytest.mark.django_db
def test_a_township_user_sees_no_audit_log_and_no_user_management(client, make_user):
    client.force_login(make_user("zhen"))
    system = dict(client.get(reverse("workbench:home")).context["navigation"])["系统"]
    assert [label for _, label in system] == ["后台任务", "我的接口令牌", "接口文档"]
