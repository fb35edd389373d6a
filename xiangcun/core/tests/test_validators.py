"""The national-code validators, checked against check digits computed here from the standards."""
import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from xiangcun.core import validators as v


def gb11643_check(first17: str) -> str:
    """ISO 7064 MOD 11-2 as GB 11643 states it: weight of position i (from the right, 1-based) is
    2^(i-1) mod 11; the check value is (12 - sum mod 11) mod 11, with 10 written X."""
    total = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(first17))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def gb32100_check(first17: str) -> str:
    """GB 32100: weights 3^i mod 31, check = 31 - (sum mod 31), 31 written 0, over its 31-character alphabet."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    total = sum(alphabet.index(c) * pow(3, i, 31) for i, c in enumerate(first17))
    return alphabet[(31 - total % 31) % 31]


def message(fn, value) -> str:
    with pytest.raises(ValidationError) as exc:
        fn(value)
    return exc.value.messages[0]


@pytest.mark.parametrize("first17", ["11010519491231002", "51320119800101123", "44030420001229456", "65010219700707000"])
def test_id_numbers_with_the_standard_check_digit_pass(first17):
    number = first17 + gb11643_check(first17)
    assert v.id_number(number) == number


def test_the_published_sample_id_number_passes_with_a_lower_case_x_and_full_width_digits():
    assert gb11643_check("11010519491231002") == "X"
    assert v.id_number(" 11010519491231002x ") == "11010519491231002X"
    assert v.id_number("１１０１０５１９４９１２３１００２Ｘ") == "11010519491231002X"
    assert v.birth_date_of("11010519491231002X") == dt.date(1949, 12, 31)


def test_a_wrong_check_digit_names_the_right_one():
    assert message(v.id_number, "110105194912310025") == "身份证号校验码应为 X,实际为 5"


@pytest.mark.parametrize("value, words", [
    ("11010519490231002X", "出生日期 19490231 不存在"),
    ("110105194912310", "15 位旧号码"),
    ("1101051949123100", "应为 18 位"),
    ("00010519491231002X", "不是有效的省级代码"),
    ("11010530001231002X", "不合理"),
])
def test_id_numbers_that_cannot_exist_are_refused(value, words):
    assert words in message(v.id_number, value)


def test_the_published_sample_credit_code_passes():
    assert gb32100_check("91350100M000100Y4") == "3"
    assert v.credit_code("91350100m000100y43") == "91350100M000100Y43"
    first17 = "12513201MB1234567"
    assert v.credit_code(first17 + gb32100_check(first17)) == first17 + gb32100_check(first17)


def test_credit_codes_with_a_wrong_check_or_a_forbidden_letter_are_refused():
    assert message(v.credit_code, "91350100M000100Y44") == "统一社会信用代码校验码应为 3,实际为 4"
    assert "不允许的字符“I”" in message(v.credit_code, "91350100I000100Y43")
    assert "应为 18 位" in message(v.credit_code, "91350100M000100Y4")


def test_division_codes():
    assert v.division_code(513201100200) == "513201100200"
    assert v.division_code("５１３２０１１００２００") == "513201100200"
    assert v.division_code(513201100200.0) == "513201100200"
    assert "12 位数字" in message(v.division_code, "51320110020")
    assert "科学计数法" in message(v.division_code, "5.13201E+11")
    assert "省级代码" in message(v.division_code, "013201100200")
    assert "层级不连贯" in message(v.division_code, "513200100200")


def test_mobile_numbers():
    for typed in ("138 0013 8000", "+86 138-0013-8000", 13800138000, "１３８００１３８０００"):
        assert v.mobile(typed) == "13800138000"
    assert "11 位数字" in message(v.mobile, "12345")


@pytest.mark.parametrize("typed", [
    "2021-03-05", "2021/3/5", "2021.3.5", "2021年3月5日", "2021 年 3 月 5 日", "２０２１年３月５日", "20210305",
    "2021-03-05 00:00:00", 44260, 44260.0, "44260", 20210305, 20210305.0, dt.date(2021, 3, 5), dt.datetime(2021, 3, 5, 8, 30),
])
def test_dates_in_the_forms_people_write_them(typed):
    assert v.parse_date(typed) == dt.date(2021, 3, 5)


def test_excel_serials_around_the_1900_leap_year_bug():
    assert v.parse_date(1) == dt.date(1900, 1, 1)
    assert v.parse_date(59) == dt.date(1900, 2, 28)
    assert v.parse_date(61) == dt.date(1900, 3, 1)


@pytest.mark.parametrize("typed, words", [("2021年2月30日", "不存在"), ("三月五日", "不是日期"), (0, "Excel 日期序号"),
                                          (True, "不是日期"), (20210230, "不存在")])
def test_impossible_dates_are_refused(typed, words):
    assert words in message(v.parse_date, typed)
