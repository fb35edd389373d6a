import gzip

import pytest

from xiangcun.divisions import nbs

GOOD = """code,name,level,parent_code
510000000000,四川省,1,
513200000000,阿坝藏族羌族自治州,2,510000000000
513201000000,马尔康市,3,513200000000
513201100000,马尔康镇,4,513201000000
513201100200,阿底村村民委员会,5,513201100000
513201200000,梭磨乡,4,513201000000
"""


def test_it_parses_a_valid_edition_and_keeps_names_as_published():
    entries = nbs.parse_edition(GOOD)
    assert len(entries) == 6
    village = next(e for e in entries if e.level == 5)
    assert village.name == "阿底村村民委员会"
    assert village.parent_code == "513201100000"


def test_it_reports_every_error_with_its_line_number():
    bad = GOOD + "\n".join([
        "51320110020X,坏代码,5,513201100000",          # line 8: not 12 digits
        "513201100201,无上级村,5,513201999000",        # line 9: unknown parent
        "513201100200,重复村,5,513201100000",          # line 10: duplicate code
        "513201300000,层级错,5,513201000000",          # line 11: level disagrees with the code
        "513201100202,缺列,5",                         # line 12: 3 columns
    ]) + "\n"
    with pytest.raises(nbs.EditionFileError) as exc:
        nbs.parse_edition(bad)
    text = "\n".join(exc.value.errors)
    assert exc.value.total == 5
    for line, words in ((8, "不是 12 位数字"), (9, "不存在"), (10, "重复"), (11, "层级"), (12, "4 列")):
        assert f"第 {line} 行" in text and words in text, (line, text)


def test_it_refuses_a_wrong_header_and_broken_encoding():
    with pytest.raises(nbs.EditionFileError, match="表头"):
        nbs.parse_edition("编码,名称,级别,上级\n")
    data = GOOD.encode("utf-8") + b"513201200201," + "测试".encode("gbk") + b",5,513201200000\n"
    with pytest.raises(nbs.EditionFileError, match="第 8 行.*UTF-8"):
        nbs.open_text(None, data=data)


def test_it_reads_gzip_and_keeps_ancestors_of_a_scope():
    entries = nbs.parse_edition(nbs.open_text(None, data=gzip.compress(GOOD.encode())), scope="513201100")
    assert [e.code for e in entries] == ["510000000000", "513200000000", "513201000000", "513201100000", "513201100200"]


def test_a_scope_with_no_units_is_an_error():
    with pytest.raises(nbs.EditionFileError, match="没有代码以 52 开头"):
        nbs.parse_edition(GOOD, scope="52")


@pytest.mark.parametrize("code,name,level,kind", [
    ("513201100000", "马尔康镇", 4, "town"),
    ("513201200000", "梭磨乡", 4, "township"),
    ("511827202000", "硗碛藏族乡", 4, "ethnic_township"),
    ("510104020000", "春熙路街道办事处", 4, "subdistrict"),
    ("510104400000", "某某农场", 4, "township_other"),
    ("513201100002", "马江社区居委会", 5, "community"),
    ("513201100200", "阿底村村民委员会", 5, "village"),
    ("510112201201", "幸福社区居民委员会", 5, "community"),  # a rural 社区 with a 2xx code
    ("510112100500", "某某生活区", 5, "village_other"),
])
def test_it_classifies_units_by_name_before_code_range(code, name, level, kind):
    assert nbs.classify(code, name, level) == kind


@pytest.mark.parametrize("a,b", [
    ("纳足村村民委员会", "纳足村委会"),
    ("春熙路街道办事处", "春熙路街道"),
    ("金像寺社区居委会会", "金像寺社区居民委员会"),
])
def test_suffix_drift_does_not_change_the_name(a, b):
    assert nbs.display_name(a) == nbs.display_name(b)
    assert nbs.name_key(a) == nbs.name_key(b)


def test_name_key_strips_the_kind_so_a_township_becoming_a_town_still_matches():
    assert nbs.name_key("硗碛藏族乡") == nbs.name_key("硗碛乡") == nbs.name_key("硗碛镇") == "硗碛"
