"""Reconciliation on real editions (马尔康市) and on small synthetic ones."""
import pytest

from xiangcun.divisions.nbs import Entry, name_key, open_text, parse_edition
from xiangcun.divisions.reconcile import reconcile


@pytest.fixture(scope="module")
def mk(nbs_subset):
    return {y: parse_edition(open_text(nbs_subset / f"{y}.csv.gz"), "513201") for y in (2019, 2020, 2021)}


def find(result, typ, pred=None, succ=None):
    hits = [p for p in result.proposals if p["type"] == typ
            and (pred is None or pred in [x["name"] for x in p["predecessors"]])
            and (succ is None or succ in [x["name"] for x in p["successors"]])]
    return hits


def test_zhuokeji_is_absorbed_into_maerkang_town_and_its_villages_transferred(mk):
    result = reconcile(mk[2019], mk[2020])
    (merge,) = find(result, "merge", pred="卓克基镇")
    assert [s["name"] for s in merge["successors"]] == ["马尔康镇"]
    assert merge["successors"][0]["from_code"] == "513201100000"  # the continuing town
    assert merge["confidence"] >= 0.9
    for village, new_code in (("纳足村", "513201100210"), ("西索村", "513201100211"), ("查米村", "513201100212")):
        (t,) = find(result, "transfer", pred=village)
        assert t["successors"][0]["code"] == new_code
        assert t["successors"][0]["parent_code"] == "513201100000"
        assert t["predecessors"][0]["parent_code"] == "513201101000"


def test_village_mergers_of_2020_are_all_traced(mk):
    result = reconcile(mk[2019], mk[2020])
    merged_away = {x["name"] for p in result.proposals if p["type"] == "merge" for x in p["predecessors"]
                   if x["level"] == 5}
    assert merged_away == {"菜农一村", "菜农二村", "七里村", "呷博村", "砍竹村", "剑北村", "阿拉伯村", "沙市村",
                           "卡尔古村", "泽湾村", "周车村", "柯桠村"}
    (combined,) = find(result, "merge", succ="党坝村")
    assert {x["name"] for x in combined["predecessors"]} == {"剑北村", "阿拉伯村"}
    assert "from_code" not in combined["successors"][0]  # 党坝村 is new
    assert not find(result, "establish") and not find(result, "rename")
    assert result.counts()["unchanged"] == 125 - 3 - 12 - 1  # 2019 units (with 四川省, 阿坝州) minus transferred, merged, 卓克基镇


def test_a_reused_code_is_not_a_rename(mk, db):
    history = {(e.parent_code, name_key(e.name)) for e in mk[2019] if e.level >= 4}
    result = reconcile(mk[2020], mk[2021], history)
    assert not find(result, "rename", pred="尼市口村")
    touching = [p for p in result.proposals if "尼市口村" in [x["name"] for x in p["predecessors"]]]
    assert len(touching) == 1 and touching[0]["type"] in ("merge", "abolish")
    assert "重新使用" in touching[0]["evidence"]
    # 呷博村 is a unit the code now names, not 尼市口村 continued
    assert all(s.get("from_code") != "513201103203" for p in result.proposals for s in p["successors"])


def E(code, name, parent=""):
    from xiangcun.divisions.nbs import code_level

    return Entry(code, name, code_level(code), parent)


BASE = [E("510000000000", "四川省"), E("511100000000", "某市", "510000000000"),
        E("511101000000", "某县", "511100000000")]


def test_suffix_drift_is_unchanged_and_a_township_to_town_is_named():
    old = BASE + [E("511101200000", "甲乡", "511101000000"), E("511101200201", "一村村委会", "511101200000")]
    new = BASE + [E("511101200000", "甲镇", "511101000000"), E("511101200201", "一村村民委员会", "511101200000")]
    result = reconcile(old, new)
    assert [p["type"] for p in result.proposals] == ["township_to_town"]
    assert result.counts()["unchanged"] == 4


def test_a_township_split_between_two_neighbours():
    t = "511101000000"
    old = BASE + [E("511101100000", "东镇", t), E("511101101000", "西镇", t), E("511101200000", "中乡", t),
                  E("511101200201", "甲村", "511101200000"), E("511101200202", "乙村", "511101200000"),
                  E("511101200203", "丙村", "511101200000"), E("511101200204", "丁村", "511101200000")]
    new = BASE + [E("511101100000", "东镇", t), E("511101101000", "西镇", t),
                  E("511101100201", "甲村", "511101100000"), E("511101100202", "乙村", "511101100000"),
                  E("511101101201", "丙村", "511101101000"), E("511101101202", "丁村", "511101101000")]
    result = reconcile(old, new)
    (split,) = find(result, "split", pred="中乡")
    assert {s["name"] for s in split["successors"]} == {"东镇", "西镇"}
    assert len(find(result, "transfer")) == 4


def test_a_new_village_with_no_predecessor_is_established():
    v = "511101200000"
    old = BASE + [E(v, "甲乡", "511101000000"), E("511101200201", "一村", v)]
    new = old + [E("511101200202", "新村", v)]
    result = reconcile(old, new)
    (p,) = result.proposals
    assert p["type"] == "establish" and p["successors"][0]["name"] == "新村"


def test_a_township_becoming_a_town_with_a_new_code_is_named_so():
    old = BASE + [E("511101200000", "甲乡", "511101000000"), E("511101200201", "一村", "511101200000")]
    new = BASE + [E("511101105000", "甲镇", "511101000000"), E("511101105201", "一村", "511101105000")]
    result = reconcile(old, new)
    types = {p["type"]: p for p in result.proposals}
    assert set(types) == {"township_to_town", "recode"}
    assert types["township_to_town"]["successors"][0]["code"] == "511101105000"
