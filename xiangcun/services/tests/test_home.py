"""The workbench shows each user the proxy-service cases waiting for them."""
import datetime as dt

from django.urls import reverse

from xiangcun.services import casework
from xiangcun.services.models import Case


def counts(client, user):
    client.force_login(user)
    page = client.get(reverse("workbench:home"))
    return {c.label: (c.value, c.url) for card in page.context["cards"] if card.title == "代办件" for c in card.counts}, page


def test_the_agent_and_the_township_see_what_waits_for_them(client, cast, take):
    case = take()
    got, page = counts(client, cast["agent"])
    assert got["待我处理"][0] == 1 and "tab=todo" in got["待我处理"][1]
    assert "受理代办" in page.content.decode()
    assert counts(client, cast["songgang"])[0]["待我处理"][0] == 0
    casework.transition(case, "forward", cast["agent"])
    assert counts(client, cast["songgang"])[0]["待我处理"][0] == 1
    assert counts(client, cast["dangba"])[0]["待我处理"][0] == 0  # another township's desk stays empty
    assert counts(client, cast["agent"])[0]["待我处理"][0] == 0
    Case.objects.filter(pk=case.pk).update(due_date=dt.date.today() - dt.timedelta(days=1))
    overdue = counts(client, cast["songgang"])[0]["已逾期"]
    assert overdue[0] == 1
    listed = client.get(overdue[1]).content.decode()
    assert case.number in listed
