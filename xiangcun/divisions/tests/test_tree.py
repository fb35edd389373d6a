"""The 区划单位 page as a tree: county → township → village → group, opening and closing node by node, with
counts, groups in number order, abolished units on demand, and search still listing matches."""
import datetime as dt

import pytest

from xiangcun.accounts.models import Role
from xiangcun.divisions import services
from xiangcun.divisions.models import Kind
from xiangcun.divisions.tests.test_browser import page, sign_in  # noqa: F401  (the shared browser fixture)

pytestmark = [pytest.mark.browser]


def visible_names(page, selector):  # noqa: F811
    return [t for t in page.eval_on_selector_all(
        selector, "els => els.filter(e => e.offsetParent !== null).map(e => e.textContent.trim())")]


@pytest.mark.django_db(transaction=True)
def test_the_division_tree_opens_and_closes_with_counts(page, maerkang, unit, make_user, tmp_path):  # noqa: F811
    for name in ("三组", "十二组", "一组", "七组", "二组", "十组"):
        services.create_unit(name, Kind.VILLAGER_GROUP, unit("松岗村"), dt.date(2020, 1, 1))
    make_user("office", Role.REFORM_OFFICE, maerkang)
    sign_in(page, "office")
    page.click(".sidebar >> text=区划单位")
    page.wait_for_selector("#division-tree")
    county = page.locator(".tree-node", has_text="马尔康市").first
    assert county.get_attribute("aria-expanded") == "true"  # the county is open: its townships show
    townships = visible_names(page, "#division-tree > ul > li > .tree-children > ul > li > .tree-row .tree-name")
    assert len(townships) == 13 and "松岗镇" in townships and "卓克基镇" not in townships
    songgang = page.locator(f'.tree-node[data-pk="{unit("松岗镇").pk}"]')
    assert "下辖" in songgang.locator(".tree-counts").first.inner_text()
    assert "上级" not in page.inner_text("main")  # no flat table with a parent column

    songgang.locator(".tree-toggle").first.click()
    village = page.locator(f'.tree-node[data-pk="{unit("松岗村").pk}"]')
    village.wait_for()
    assert "6 个村民小组" in village.locator(".tree-counts").inner_text()
    village.locator(".tree-toggle").click()
    page.wait_for_selector(f'.tree-node[data-pk="{unit("松岗村").pk}"] .tree-children .tree-name')
    groups = visible_names(page, f'.tree-node[data-pk="{unit("松岗村").pk}"] .tree-children .tree-name')
    assert groups == ["一组", "二组", "三组", "七组", "十组", "十二组"]
    page.screenshot(path=str(tmp_path / "tree.png"), full_page=True)

    songgang.locator(".tree-toggle").first.click()  # closing the township hides its villages
    assert not village.is_visible()
    songgang.locator(".tree-toggle").first.click()  # and opening it again shows them without reloading
    assert village.is_visible()

    page.click("#toggle-abolished")
    page.wait_for_selector(".tree-node >> text=卓克基镇")
    assert "撤销" in page.locator(".tree-node", has_text="卓克基镇").last.inner_text()

    page.fill("input[name=q]", "纳足")  # search lists the matching units
    page.click("button:has-text('查询')")
    page.wait_for_selector("table >> text=纳足村")
    assert page.query_selector("#division-tree") is None


@pytest.mark.django_db(transaction=True)
def test_a_township_user_sees_its_own_branch_only(page, maerkang, unit, make_user):  # noqa: F811
    make_user("songgang", Role.TOWNSHIP, unit("松岗镇"))
    sign_in(page, "songgang")
    page.goto(page.base + "/divisions/")
    names = visible_names(page, "#division-tree .tree-name")
    assert names[0] == "松岗镇" and "松岗村" in names and "党坝乡" not in names
    assert page.goto(page.base + f"/divisions/{unit('党坝乡').pk}/children/").status == 404
