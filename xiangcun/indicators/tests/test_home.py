"""The workbench tells a township how many village forms of the year are still open and which targets lag."""
from django.urls import reverse

from xiangcun.accounts.models import Role
from xiangcun.divisions.models import Level


def test_the_township_sees_its_open_forms(client, make_user, unit):
    user = make_user("sg", Role.TOWNSHIP, unit("松岗镇"))
    client.force_login(user)
    page = client.get(reverse("workbench:home"))
    card = next(c for c in page.context["cards"] if c.title == "指标与考核")
    got = {c.label.split("年")[-1]: c for c in card.counts}
    villages = unit("松岗镇").children.filter(valid_to__isnull=True, level=Level.VILLAGE).count()
    assert got["已填完的村"].value == 0 and got["未填完"].value == villages > 0
    listed = client.get(got["未填完"].url).content.decode()
    assert "松岗村" in listed
    assert "填报指标" in page.content.decode()


def test_a_village_agent_gets_no_indicators_card(client, make_user, unit):
    client.force_login(make_user("ag", Role.VILLAGE_AGENT, unit("松岗村")))
    assert not [c for c in client.get(reverse("workbench:home")).context["cards"] if c.title == "指标与考核"]
