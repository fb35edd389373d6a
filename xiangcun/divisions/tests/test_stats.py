"""Reform statistics, as the reform office reads them."""
import json

import pytest
from django.core.management import call_command

from conftest import NBS_DIR, REF, require_nbs
from xiangcun.divisions import services, stats

# Official style: the township total with its breakdown in brackets, then 建制村, 村民小组, 社区 (issue 15)
MAERKANG_TEXT_START = ("全市乡镇从14个减为13个,减少1个,减幅7.14%(其中:镇从4个减为3个,乡10个);"
                       "建制村从105个减为94个,减少11个,减幅10.48%;")


def rows(data):
    return {r["category"]: (r["before"], r["after"], r["change"], r["pct"]) for r in data["rows"]}


def test_maerkang_from_the_registry(maerkang):
    data = stats.reform_stats("513201", REF[2019], REF[2020])
    r = rows(data)
    assert r["township_level"] == (14, 13, -1, -7.14)
    assert r["town"] == (4, 3, -1, -25.0)
    assert r["township"] == (10, 10, 0, 0.0)
    assert r["village"] == (105, 94, -11, -10.48)
    assert r["community"] == (3, 3, 0, 0.0)
    assert r["villager_group"] == (1, 1, 0, 0.0)
    assert data["text"].startswith(MAERKANG_TEXT_START)
    assert data["text"].endswith("减幅10.48%;村民小组1个,保持不变;社区3个,保持不变。")  # the registry counts groups
    assert data["sources"]["from"] == "区划台账"


def test_the_same_numbers_come_from_the_editions_without_a_registry(editions):
    data = stats.reform_stats("513201000000", REF[2019], REF[2020])
    assert rows(data)["township_level"][:2] == (14, 13)
    assert rows(data)["village"][:2] == (105, 94)
    assert "2019年版" in data["sources"]["from"] and "2020年版" in data["sources"]["to"]
    assert data["text"].startswith(MAERKANG_TEXT_START)


def test_a_scope_with_no_data_is_a_clear_error(editions):
    with pytest.raises(stats.StatsError, match="没有代码为 520000000000"):
        stats.reform_stats("52", REF[2019], REF[2020])
    with pytest.raises(stats.StatsError, match="早于"):
        stats.reform_stats("513201", REF[2020], REF[2019])


@pytest.mark.parametrize("name,level,word", [("四川省", 1, "全省"), ("阿坝藏族羌族自治州", 2, "全州"), ("马尔康市", 3, "全市"),
                                             ("宝兴县", 3, "全县"), ("武侯区", 3, "全区"), ("重庆市", 1, "全市")])
def test_scope_word(name, level, word):
    assert stats.scope_word(name, level) == word


@pytest.mark.django_db
def test_sichuan_2018_to_2021_from_the_full_editions(capsys):
    """Checked by hand against the files: level-4 and level-5 rows under 51, by name suffix."""
    require_nbs()
    services.import_edition(NBS_DIR / "2018.csv.gz", 2018, REF[2018], scope="51")
    services.import_edition(NBS_DIR / "2021.csv.gz", 2021, REF[2021], scope="51")
    call_command("divisions", "stats", "--scope", "51", "--from", "2018-10-31", "--to", "2021-10-31", "--format", "json")
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"scope", "from", "to", "rows", "text"}
    r = {row["category"]: (row["before"], row["after"]) for row in data["rows"]}
    assert r["township_level"] == (4642, 3111)
    assert r["town"] == (2214, 2016)
    assert r["township"] == (2040, 626)       # 1943 乡 + 97 民族乡 → 544 + 82
    assert r["subdistrict"] == (347, 459)
    assert r["township_other"] == (41, 10)
    assert sum(r[k][0] for k in ("village", "community", "village_other")) == 53578
    assert sum(r[k][1] for k in ("village", "community", "village_other")) == 34403
    # 街道 exist, so the total reads 乡镇(街道), with the kinds in brackets
    assert data["text"].startswith("全省乡镇(街道)从4642个减为3111个,减少1531个,减幅32.98%(其中:镇从2214个减为2016个,"
                                   "乡从2040个减为626个,街道从347个增为459个,其他乡级单位从41个减为10个);建制村从")
    assert data["text"].index("建制村") < data["text"].index("社区")


def test_the_command_writes_text_and_xlsx(maerkang, capsys, tmp_path):
    call_command("divisions", "stats", "--scope", "513201", "--from", "2019-10-31", "--to", "2020-06-30")
    out = capsys.readouterr().out
    assert MAERKANG_TEXT_START in out and "乡级单位合计" in out
    target = tmp_path / "s.xlsx"
    call_command("divisions", "stats", "--scope", "513201", "--from", "2019-10-31", "--to", "2020-06-30",
                 "--format", "xlsx", "--output", str(target))
    from openpyxl import load_workbook

    ws = load_workbook(target).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert ["乡级单位合计", 14, 13, -1, -7.14] in values
    assert any(row[0] and str(row[0]).startswith(MAERKANG_TEXT_START) for row in values)


def test_the_paragraph_follows_the_official_order_and_wording():
    def row(key, word, b, a):
        return {"category": key, "word": word, "before": b, "after": a, "change": a - b,
                "pct": round((a - b) / b * 100, 2) if b else None}

    rows_ = [row("township_level", "乡镇", 20, 15), row("town", "镇", 8, 10), row("township", "乡", 10, 3),
             row("subdistrict", "街道", 2, 2), row("township_other", "其他乡级单位", 0, 0), row("village", "建制村", 300, 200),
             row("community", "社区", 10, 12), row("village_other", "其他村级单位", 0, 0),
             row("villager_group", "村民小组", 2000, 1400)]
    text = stats._paragraph("全县", rows_)
    assert text == ("全县乡镇(街道)从20个减为15个,减少5个,减幅25.00%(其中:镇从8个增为10个,乡从10个减为3个,街道2个);"
                    "建制村从300个减为200个,减少100个,减幅33.33%;村民小组从2000个减为1400个,减少600个,减幅30.00%;"
                    "社区从10个增为12个,增加2个,增幅20.00%。")
