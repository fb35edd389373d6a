"""Validators for the national codes and dates people type into forms and Excel sheets.

Each is a plain function: it takes what a person (or a spreadsheet) gave, returns the normalised
value, or raises `ValidationError` with a Chinese message that names what is wrong and what was
expected. Full-width digits, letters and spaces (typed with a Chinese input method) are accepted.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError

# Full-width ASCII (U+FF01..U+FF5E) to ASCII, and the ideographic space to a space.
_HALFWIDTH = {**{cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}, 0x3000: 0x20}

# First two digits of a 身份证号 / 区划代码: the provinces of GB/T 2260, plus 71 台湾, 81 香港, 82 澳门,
# and 83 (residence permits of people from 台湾).
PROVINCES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82 83".split()
)


def halfwidth(text: str) -> str:
    """Full-width digits, letters, punctuation and spaces turned into their ASCII forms."""
    return text.translate(_HALFWIDTH)


def as_text(value) -> str:
    """A cell or form value as trimmed half-width text; whole numbers lose Excel's ".0"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return halfwidth(str(value)).strip()


# --- 身份证号 (GB 11643-1999) ------------------------------------------------------------------------

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_check_digit(first17: str) -> str:
    """The 18th character of a 身份证号: ISO 7064 MOD 11-2 over the first 17 digits."""
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS)) % 11]


def id_number(value) -> str:
    """A citizen identity number: 18 characters, a real birth date, the right check digit."""
    text = re.sub(r"\s", "", as_text(value)).upper()
    if re.fullmatch(r"\d{15}", text):
        raise ValidationError(f"身份证号“{text}”是已停用的 15 位旧号码,请填写 18 位号码")
    if not re.fullmatch(r"\d{17}[\dX]", text):
        raise ValidationError(f"身份证号“{text}”应为 18 位:17 位数字加 1 位数字或 X")
    if text[:2] not in PROVINCES:
        raise ValidationError(f"身份证号“{text}”的前两位 {text[:2]} 不是有效的省级代码")
    try:
        born = dt.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        raise ValidationError(f"身份证号“{text}”中的出生日期 {text[6:14]} 不存在") from None
    if born.year < 1890 or born > dt.date.today():
        raise ValidationError(f"身份证号“{text}”中的出生日期 {born:%Y-%m-%d} 不合理")
    expected = id_check_digit(text[:17])
    if text[17] != expected:
        raise ValidationError(f"身份证号校验码应为 {expected},实际为 {text[17]}")
    return text


def birth_date_of(id_no: str) -> dt.date:
    """The birth date inside a valid 18-digit 身份证号."""
    return dt.date(int(id_no[6:10]), int(id_no[10:12]), int(id_no[12:14]))


# --- 统一社会信用代码 (GB 32100-2015) ---------------------------------------------------------------

_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check(first17: str) -> str:
    """The 18th character of a 统一社会信用代码 (modulus 31 over the first 17)."""
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS))
    return _USCC_CHARS[(31 - total % 31) % 31]


def credit_code(value) -> str:
    """A unified social credit code: 18 characters from the standard's alphabet, right check character."""
    text = re.sub(r"\s", "", as_text(value)).upper()
    if len(text) != 18:
        raise ValidationError(f"统一社会信用代码“{text}”应为 18 位,实际为 {len(text)} 位")
    wrong = [c for c in text if c not in _USCC_CHARS]
    if wrong:
        raise ValidationError(f"统一社会信用代码“{text}”含有不允许的字符“{wrong[0]}”(不使用 I、O、S、V、Z)")
    if not text[2:8].isdigit():
        raise ValidationError(f"统一社会信用代码“{text}”第 3–8 位应为登记管理机关行政区划码(数字)")
    expected = credit_code_check(text[:17])
    if text[17] != expected:
        raise ValidationError(f"统一社会信用代码校验码应为 {expected},实际为 {text[17]}")
    return text


# --- 统计用区划代码 --------------------------------------------------------------------------------

_SCIENTIFIC = re.compile(r"\d(\.\d+)?E\+\d+", re.IGNORECASE)


def division_code(value) -> str:
    """A 12-digit statistical division code (省2 市2 县2 乡3 村3), consistent from the top down."""
    text = re.sub(r"[\s-]", "", as_text(value))
    if _SCIENTIFIC.fullmatch(text):
        raise ValidationError(f"区划代码“{text}”被 Excel 显示成了科学计数法,请把该列设为“文本”后重新填写")
    if not re.fullmatch(r"\d{12}", text):
        raise ValidationError(f"区划代码“{text}”应为 12 位数字")
    if text[:2] not in PROVINCES:
        raise ValidationError(f"区划代码“{text}”的前两位 {text[:2]} 不是有效的省级代码")
    parts = (text[2:4], text[4:6], text[6:9], text[9:12])
    for upper, lower in zip(parts, parts[1:]):
        if int(upper) == 0 and int(lower) != 0:
            raise ValidationError(f"区划代码“{text}”的层级不连贯:上级段为 0 而下级段不为 0")
    return text


# --- 手机号 --------------------------------------------------------------------------------------


def mobile(value) -> str:
    """A mainland mobile number, 11 digits starting with 1 (spaces, dashes and +86 allowed)."""
    text = re.sub(r"[\s-]", "", halfwidth(as_text(value)))
    if text.startswith("+86"):
        text = text[3:]
    if not re.fullmatch(r"1[3-9]\d{9}", text):
        raise ValidationError(f"手机号“{value}”应为 11 位数字,以 1 开头")
    return text


# --- 日期 ---------------------------------------------------------------------------------------

_DATE_TEXT = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?(?:[ T]\d{1,2}:\d{2}(:\d{2})?)?")
EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 = 1900-01-01, counting Excel's fictitious 1900-02-29


def parse_date(value) -> dt.date:
    """A date as people and Excel write it.

    Accepts date/datetime objects, Excel serial numbers (44260 = 2021-03-05), and text such as
    2021-03-05, 2021/3/5, 2021.3.5, 2021年3月5日 or 20210305, with full-width digits.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise ValidationError(f"“{value}”不是日期")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and 10000101 <= value <= 99991231:
        value = str(value)  # 20210305 typed into a number cell: a date written without separators
    elif isinstance(value, (int, float)):
        return _from_serial(value)
    text = as_text(value)
    if re.fullmatch(r"\d{1,5}(\.\d+)?", text):
        return _from_serial(float(text))
    match = _DATE_TEXT.fullmatch(text) or re.fullmatch(r"(\d{4})(\d{2})(\d{2})", text)
    if not match:
        raise ValidationError(f"“{text}”不是日期,请写成 2021-03-05 或 2021年3月5日")
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise ValidationError(f"日期“{text}”不存在") from None


def _from_serial(serial: float) -> dt.date:
    if not 1 <= serial < 2958466:  # 9999-12-31
        raise ValidationError(f"“{serial:g}”不是有效的 Excel 日期序号")
    if serial < 61:  # before Excel's phantom 1900-02-29
        serial += 1
    return EXCEL_EPOCH + dt.timedelta(days=int(serial))


# --- ranges: dates people type, numbers that fit their column -------------------------------------

DATE_MIN = dt.date(1949, 1, 1)
FUTURE_YEARS = 50


def date_max() -> dt.date:
    """The latest date a person may type: today plus 50 years (plans and terms reach that far)."""
    today = dt.date.today()
    try:
        return today.replace(year=today.year + FUTURE_YEARS)
    except ValueError:  # 29 February
        return today.replace(year=today.year + FUTURE_YEARS, day=28)


def date_in_range(value: dt.date, low: dt.date | None = None, high: dt.date | None = None) -> dt.date:
    """`value` if it lies in [low, high] (default 1949-01-01 … today + 50 years), else a Chinese error."""
    low = DATE_MIN if low is None else low
    high = date_max() if high is None else high
    if value < low:
        raise ValidationError(f"日期 {value:%Y-%m-%d} 早于 {low:%Y-%m-%d},不合理,请检查年份")
    if value > high:
        raise ValidationError(f"日期 {value:%Y-%m-%d} 晚于 {high:%Y-%m-%d},不合理,请检查年份")
    return value


def sensible_date(value):
    """Form/serializer validator: a date between 1949-01-01 and today + 50 years."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        date_in_range(value)


# The ranges the database's integer columns hold (PostgreSQL's, the stricter of the two backends).
INTEGER_RANGES = {
    "SmallIntegerField": (-32768, 32767),
    "PositiveSmallIntegerField": (0, 32767),
    "IntegerField": (-2147483648, 2147483647),
    "PositiveIntegerField": (0, 2147483647),
    "BigIntegerField": (-9223372036854775808, 9223372036854775807),
    "PositiveBigIntegerField": (0, 9223372036854775807),
}
FLOAT_LIMIT = 10 ** 15  # a float column holding more than this is a typing error, not a measurement
# Sensible domains for fields of these names, wherever they occur (narrower than the column).
DOMAINS = {"lon": (-180, 180), "lat": (-90, 90), "year": (1900, 2100), "built_year": (1900, 2100),
           "detour": (1, 5), "speed_kmh": (1, 150), "access_speed_kmh": (1, 30),
           **{name: (0, None) for name in (  # areas, values, prices and totals are never negative
               "floor_area", "land_area", "found_floor_area", "book_value", "valuation", "annual_rent",
               "sale_price", "transfer_value", "total_income", "business_income", "contract_income",
               "investment_income", "assets", "liabilities", "threshold")}}


@dataclass(frozen=True)
class NumberBounds:
    """What a number must be to fit its column: [low, high], at most `places` decimals."""

    low: Decimal | int | float | None = None
    high: Decimal | int | float | None = None
    places: int | None = None       # decimals kept (DecimalField.decimal_places); 0 for integers
    integer: bool = False

    def narrowed(self, low=None, high=None) -> NumberBounds:
        """These bounds with a narrower declared range (a column's or form's own min/max)."""
        lo = self.low if low is None else (low if self.low is None else max(low, self.low))
        hi = self.high if high is None else (high if self.high is None else min(high, self.high))
        return NumberBounds(lo, hi, self.places, self.integer)

    def text(self) -> str:
        """The range in words, for templates and notes."""
        parts = []
        if self.low is not None:
            parts.append(f"不小于 {plain_number(self.low)}")
        if self.high is not None:
            parts.append(f"不大于 {plain_number(self.high)}")
        if self.places and not self.integer:
            parts.append(f"最多 {self.places} 位小数")
        return ",".join(parts)

    def check(self, number, shown=None):
        """`number` if it fits, else ValidationError naming the value and the allowed range."""
        shown = plain_number(number) if shown is None else shown
        if isinstance(number, float) and not math.isfinite(number):
            raise ValidationError(f"“{shown}”不是有效的数字")
        if isinstance(number, Decimal) and not number.is_finite():
            raise ValidationError(f"“{shown}”不是有效的数字")
        if self.low is not None and number < self.low:
            raise ValidationError(f"“{shown}”超出范围:不能小于 {plain_number(self.low)}")
        if self.high is not None and number > self.high:
            raise ValidationError(f"“{shown}”超出范围:不能大于 {plain_number(self.high)}")
        if self.places is not None and not self.integer and isinstance(number, Decimal):
            exponent = number.as_tuple().exponent
            if isinstance(exponent, int) and -exponent > self.places:
                raise ValidationError(f"“{shown}”小数位太多:最多保留 {self.places} 位小数")
        return number


def plain_number(value) -> str:
    if isinstance(value, Decimal):
        text = format(value, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return str(value)


def field_bounds(model_field) -> NumberBounds | None:
    """The bounds of a model's numeric column: its database type, max_digits/decimal_places, the
    validators it declares, and the sensible domain of its name (lon, lat, year …); None if not numeric."""
    from django.core.validators import MaxValueValidator, MinValueValidator
    from django.db import models

    if isinstance(model_field, (models.AutoField, models.BigAutoField, models.SmallAutoField)):
        return None
    if isinstance(model_field, models.DecimalField):
        top = Decimal(10) ** (model_field.max_digits - model_field.decimal_places) - Decimal(1).scaleb(
            -model_field.decimal_places)
        bounds = NumberBounds(-top, top, model_field.decimal_places)
    elif isinstance(model_field, models.IntegerField):
        low, high = INTEGER_RANGES.get(model_field.get_internal_type(), INTEGER_RANGES["BigIntegerField"])
        bounds = NumberBounds(low, high, 0, integer=True)
    elif isinstance(model_field, models.FloatField):
        bounds = NumberBounds(-FLOAT_LIMIT, FLOAT_LIMIT)
    else:
        return None
    for v in getattr(model_field, "_validators", ()):
        if isinstance(v, MinValueValidator) and not callable(v.limit_value):
            bounds = bounds.narrowed(low=v.limit_value)
        elif isinstance(v, MaxValueValidator) and not callable(v.limit_value):
            bounds = bounds.narrowed(high=v.limit_value)
    domain = DOMAINS.get(model_field.name)
    if domain:
        bounds = bounds.narrowed(*domain)
    return bounds


def form_errors_text(form) -> str:
    """A form's errors in one Chinese sentence that names each field and the value typed, for pages that
    can only answer with a message (e.g. a row's inline form): 实测面积“abc”:请输入一个数字。"""
    parts = []
    for name, errors in form.errors.items():
        if name == "__all__":
            parts.extend(errors)
            continue
        field = form.fields.get(name)
        label = field.label if field is not None and field.label else name
        value = form.data.get(form.add_prefix(name), "") if hasattr(form.data, "get") else ""
        shown = f"“{value}”" if value not in ("", None) else "(未填)"
        parts.append(f"{label}{shown}:{';'.join(errors)}")
    return ";".join(parts)
