"""The registry over time: versions, events, successor resolution, tree as of a date."""
import datetime as dt

import pytest

from xiangcun.divisions import services
from xiangcun.divisions.models import Division, DivisionVersion, EventType, Kind

D = dt.date


@pytest.fixture
def county(db):
    prov = services.create_unit("四川省", Kind.PROVINCE, None, D(2019, 1, 1), code="510000000000")
    city = services.create_unit("阿坝州", Kind.CITY, prov, D(2019, 1, 1), code="513200000000")
    county = services.create_unit("马尔康市", Kind.COUNTY, city, D(2019, 1, 1), code="513201000000", subtree_complete=True)
    a = services.create_unit("甲镇", Kind.TOWN, county, D(2019, 1, 1), code="513201100000")
    b = services.create_unit("乙乡", Kind.TOWNSHIP, county, D(2019, 1, 1), code="513201200000")
    for i, parent in enumerate((a, a, b, b)):
        v = services.create_unit(f"村{i}", Kind.VILLAGE, parent, D(2019, 1, 1), code=parent.code[:9] + f"{200 + i:03d}")
        services.create_unit("一组", Kind.VILLAGER_GROUP, v, D(2019, 1, 1))
    return county


def names_on(root, when, level=None):
    qs = services.versions_on(when, root)
    if level:
        qs = qs.filter(level=level)
    return sorted(v.name for v in qs)


def test_a_merge_moves_the_villages_and_the_tree_answers_for_both_dates(county):
    a, b = Division.objects.get(name="甲镇"), Division.objects.get(name="乙乡")
    services.merge([b], D(2020, 6, 30), into=a, document="川府民政〔2020〕1号")
    assert names_on(county, D(2020, 6, 29), level=4) == ["乙乡", "甲镇"]
    assert names_on(county, D(2020, 6, 30), level=4) == ["甲镇"]
    # 乙乡's villages (and their groups) are under 甲镇 from the merger date, and before it under 乙乡.
    v2 = Division.objects.get(name="村2")
    assert services.version_on(v2, D(2020, 1, 1)).parent == b
    assert services.version_on(v2, D(2020, 7, 1)).parent == a
    group = v2.children.get()
    assert group.path.startswith(a.path)
    assert services.versions_on(D(2020, 7, 1), a).filter(level=6).count() == 4
    assert services.versions_on(D(2020, 1, 1), a).filter(level=6).count() == 2
    b.refresh_from_db()
    assert b.valid_to == D(2020, 6, 30)


def test_successors_follow_chains_of_mergers(county):
    a, b = Division.objects.get(name="甲镇"), Division.objects.get(name="乙乡")
    v0, v1 = Division.objects.get(name="村0"), Division.objects.get(name="村1")
    services.merge([v1], D(2020, 6, 30), into=v0)
    assert services.successors_on(v1, D(2020, 7, 1)) == [v0]
    assert services.successors_on(v1, D(2020, 6, 1)) == [v1]
    # later 村0 and 村2 combine into a new village
    v2 = Division.objects.get(name="村2")
    services.merge([b], D(2021, 1, 1), into=a)
    services.merge([v0, v2], D(2021, 6, 1), new={"name": "新村", "kind": Kind.VILLAGE, "parent": a})
    new = Division.objects.get(name="新村")
    assert services.successors_on(v1, D(2021, 7, 1)) == [new]
    lineage = services.lineage(v1)
    names = {n["name"] for n in lineage["nodes"]}
    assert {"村1", "村0", "新村"} <= names


def test_rename_keeps_history_and_refuses_a_date_before_the_current_state(county):
    a = Division.objects.get(name="甲镇")
    services.rename(a, D(2020, 1, 1), name="甲街道", kind=Kind.SUBDISTRICT, type_=EventType.TO_SUBDISTRICT)
    assert [v.name for v in a.versions.order_by("valid_from")] == ["甲镇", "甲街道"]
    with pytest.raises(services.DivisionError, match="早于"):
        services.rename(a, D(2019, 6, 1), name="别名")
    assert Division.objects.get(pk=a.pk).name == "甲街道"


def test_abolishing_a_unit_that_still_has_villages_is_refused_and_changes_nothing(county):
    b = Division.objects.get(name="乙乡")
    before = DivisionVersion.objects.count()
    with pytest.raises(services.DivisionError, match="仍有 2 个下级单位"):
        services.abolish(b, D(2020, 1, 1))
    b.refresh_from_db()
    assert b.valid_to is None and DivisionVersion.objects.count() == before


def test_a_transfer_cannot_move_a_unit_under_itself(county):
    a = Division.objects.get(name="甲镇")
    v0 = Division.objects.get(name="村0")
    with pytest.raises(services.DivisionError):
        services.transfer(a, v0, D(2020, 1, 1))


def test_codes_are_looked_up_by_date_because_they_are_reused(county):
    v0 = Division.objects.get(name="村0")
    services.abolish(v0.children.get(), D(2020, 1, 1))
    services.abolish(v0, D(2020, 1, 1))
    a = Division.objects.get(name="甲镇")
    reused = services.establish("新建村", Kind.VILLAGE, a, D(2021, 1, 1), code=v0.code)
    assert services.lookup(v0.code, D(2019, 6, 1)) == v0
    assert services.lookup(v0.code, D(2021, 6, 1)) == reused
    assert services.lookup(v0.code, D(2020, 6, 1)) is None


def test_a_rename_is_lineage_drawn_from_the_former_name(county):
    a = Division.objects.get(name="甲镇")
    services.rename(a, D(2020, 1, 1), name="甲街道", kind=Kind.SUBDISTRICT, type_=EventType.TO_SUBDISTRICT)
    lineage = services.lineage(a)
    former = [n for n in lineage["nodes"] if n.get("former")]
    assert [(n["name"], n["unit"]) for n in former] == [("甲镇", a.pk)]
    assert [(link["source"], link["target"], link["label"]) for link in lineage["links"]] == [
        (former[0]["id"], a.pk, "2020-01-01 撤镇(乡)设街道")]
