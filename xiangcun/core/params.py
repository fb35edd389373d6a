"""Query parameters, parsed in one place: ids, numbers, dates, years, choices and page numbers.

A view or API reads `params.get_id(request.GET, "unit")`, `params.get_float(request.GET, "km", 5, lo=0.5, hi=100)`, `params.get_date(request.GET, "from", default)`,
`params.get_year(request.GET, "year", default)` … A value that is missing or blank gives the default; a
value that is present but malformed or absurd (an id beyond what the database holds, 0001-01-01, the
year 1900, a 5,000-character string) raises `BadParameter` with a Chinese message naming the parameter
and the value. BadParameter answers 400: the Chinese 400 page for pages (core.middleware.
BadParameterMiddleware) and the API's JSON error under /api/ (core.api.exception_handler) — never a 500.
"""
from __future__ import annotations

import datetime as dt

# Ids: positive, and within a 32-bit integer column so that every database (SQLite's int64, PostgreSQL's
# integer and bigint) can compare them; a province holds millions of rows, far below this.
MAX_ID = 2**31 - 1
# Dates the platform can mean: from the founding of the registry's era to the end of the century.
MIN_DATE = dt.date(1949, 10, 1)
MAX_DATE = dt.date(2100, 12, 31)
MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_PAGE = 100_000
MAX_LENGTH = 200  # longest value a parameter may carry (search boxes, codes)


class BadParameter(ValueError):
    """A query parameter with a malformed or absurd value; its message is Chinese and says which."""

    def __init__(self, name: str, value, reason: str):
        self.name, self.value, self.reason = name, value, reason
        shown = str(value)
        shown = shown if len(shown) <= 30 else shown[:30] + "…"
        super().__init__(f"参数 {name} 的值“{shown}”无效:{reason}")


def _raw(params, name: str) -> str | None:
    value = params.get(name)
    if value is None:
        return None
    value = str(value).strip()
    if len(value) > MAX_LENGTH:
        raise BadParameter(name, value, f"过长(最多 {MAX_LENGTH} 个字符)")
    return value or None


def get_text(params, name: str, default: str = "", max_length: int = MAX_LENGTH) -> str:
    """A free text (search box): stripped, at most `max_length` characters."""
    value = params.get(name)
    if value is None:
        return default
    value = str(value).strip()
    if len(value) > max_length:
        raise BadParameter(name, value, f"过长(最多 {max_length} 个字符)")
    return value or default


def get_int(params, name: str, default: int | None = None, *, lo: int = 0, hi: int = MAX_ID) -> int | None:
    raw = _raw(params, name)
    if raw is None:
        return default
    if not (raw.isascii() and (raw.isdigit() or (raw[0] == "-" and raw[1:].isdigit()))):
        raise BadParameter(name, raw, "应为整数")
    value = int(raw)
    if not lo <= value <= hi:
        raise BadParameter(name, raw, f"应在 {lo}–{hi} 之间")
    return value


def get_float(params, name: str, default: float | None = None, *, lo: float, hi: float) -> float | None:
    """A decimal number within [lo, hi] (a distance, a factor): "nan", "inf" and 1e30 are refused, not clamped."""
    raw = _raw(params, name)
    if raw is None:
        return default
    import re

    if not re.fullmatch(r"-?\d+(\.\d+)?", raw):
        raise BadParameter(name, raw, "应为数字")
    value = float(raw)
    if not lo <= value <= hi:
        raise BadParameter(name, raw, f"应在 {lo:g}–{hi:g} 之间")
    return value


def get_id(params, name: str, default: int | None = None) -> int | None:
    """The id of a record (a positive integer the database can hold)."""
    raw = _raw(params, name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit()):
        raise BadParameter(name, raw, "应为记录编号(正整数)")
    value = int(raw)
    if not 1 <= value <= MAX_ID:
        raise BadParameter(name, raw, "记录编号超出范围")
    return value


def get_ids(params, name: str) -> list[int]:
    """Several ids: repeated (?ids=1&ids=2) or comma-separated (?ids=1,2)."""
    values = params.getlist(name) if hasattr(params, "getlist") else [params.get(name)]
    out = []
    for value in values:
        for part in str(value or "").split(","):
            if part.strip():
                out.append(get_id({name: part}, name))
    return out


def get_date(params, name: str, default: dt.date | None = None) -> dt.date | None:
    """A date written YYYY-MM-DD, between 1949-10-01 and 2100-12-31."""
    raw = _raw(params, name)
    if raw is None:
        return default
    try:
        value = dt.date.fromisoformat(raw)
    except ValueError:
        raise BadParameter(name, raw, "不是有效日期,应写作 YYYY-MM-DD(如 2024-01-31)") from None
    if not MIN_DATE <= value <= MAX_DATE:
        raise BadParameter(name, raw, f"日期应在 {MIN_DATE:%Y-%m-%d} 至 {MAX_DATE:%Y-%m-%d} 之间")
    return value


def get_year(params, name: str, default: int | None = None, *, lo: int = MIN_YEAR, hi: int = MAX_YEAR) -> int | None:
    raw = _raw(params, name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit() and len(raw) == 4):
        raise BadParameter(name, raw, "应为四位年份")
    value = int(raw)
    if not lo <= value <= hi:
        raise BadParameter(name, raw, f"年份应在 {lo}–{hi} 之间")
    return value


def get_choice(params, name: str, choices, default=None):
    """One of `choices` (values, or (value, label) pairs)."""
    raw = _raw(params, name)
    if raw is None:
        return default
    values = [c[0] if isinstance(c, (tuple, list)) else c for c in choices]
    if raw not in [str(v) for v in values]:
        raise BadParameter(name, raw, "应为 " + "、".join(str(v) for v in values) + " 之一")
    return values[[str(v) for v in values].index(raw)]


def get_page(params, name: str = "page") -> int:
    """A page number (1 if missing; "last" is the paginator's own word and passes through as -1)."""
    raw = _raw(params, name)
    if raw is None:
        return 1
    if raw == "last":
        return -1
    return get_int(params, name, 1, lo=1, hi=MAX_PAGE)
