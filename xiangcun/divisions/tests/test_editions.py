"""Importing NBS editions, the baseline and confirming reconciliation in the registry (real data)."""
import datetime as dt

import pytest

from conftest import REF
from xiangcun.divisions import nbs, services
from xiangcun.divisions.models import Division, EditionEntry, Kind, Proposal


def test_reimporting_the_same_edition_changes_nothing(editions, nbs_subset):
    before = EditionEntry.objects.count()
    result = services.import_edition(nbs_subset / "2020.csv.gz", 2020, REF[2020])
    assert result.added == 0 and "无变化" in result.message
    assert EditionEntry.objects.count() == before


def test_a_malformed_file_writes_nothing(db, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name,level,parent_code\n510000000000,四川省,1,\n513201000000,马尔康市,3,513200000000\n",
                   encoding="utf-8")
    with pytest.raises(nbs.EditionFileError, match="第 3 行"):
        services.import_edition(bad, 2030, dt.date(2030, 1, 1))
    assert not EditionEntry.objects.exists()
    from xiangcun.divisions.models import Edition

    assert not Edition.objects.exists()


def test_an_edition_with_another_reference_date_is_refused(editions, nbs_subset):
    with pytest.raises(services.DivisionError, match="截止日期"):
        services.import_edition(nbs_subset / "2020.csv.gz", 2020, dt.date(2020, 10, 31))


def test_the_confirmed_registry_matches_each_edition(maerkang, editions):
    for year in (2019, 2020, 2021):
        registry = {(v.code, v.name) for v in services.versions_on(REF[year], maerkang) if v.level <= 5}
        snapshot = {(e.code, nbs.display_name(e.name)) for e in services.edition_entries(editions[year], "513201")
                    if e.code.startswith("513201")}
        assert registry == snapshot, year


def test_zhuokeji_rolls_forward_to_maerkang_town(maerkang, unit):
    zhuokeji = unit("卓克基镇")
    assert zhuokeji.valid_to == REF[2020]
    assert services.successors_on(zhuokeji, dt.date(2022, 1, 1)) == [unit("马尔康镇")]
    nazu = unit("纳足村")
    assert [v.code for v in nazu.versions.order_by("valid_from")] == ["513201101200", "513201100210"]
    assert nazu.code == "513201100210" and nazu.parent == unit("马尔康镇")
    # its villager group moved with it
    (group,) = nazu.children.all()
    assert group.path.startswith(unit("马尔康镇").path)
    assert services.version_on(group, REF[2019]).path.startswith(zhuokeji.path)


def test_the_reused_code_names_a_new_village_not_a_renamed_one(maerkang, unit):
    nishikou = unit("尼市口村")
    assert nishikou.valid_to == REF[2021]
    gabo_2021 = services.lookup("513201103203", REF[2021])
    assert gabo_2021.name == "呷博村" and gabo_2021.pk != nishikou.pk
    assert gabo_2021.valid_from == REF[2021]


def test_confirming_twice_is_refused(maerkang):
    p = Proposal.objects.filter(status="confirmed").first()
    with pytest.raises(services.DivisionError, match="不能重复"):
        services.confirm_proposal(p)


def test_baseline_is_idempotent(maerkang, editions):
    assert services.adopt_baseline(editions[2019], "513201") == 0
    assert Division.objects.filter(kind=Kind.COUNTY).count() == 1
