"""Reading NBS 统计用区划代码 edition files, and what their codes and names say.

Django-free: parsing, validation, classification and name normalisation work on plain tuples,
so the importer, reconciliation and statistics share one reading of the data.
"""
from __future__ import annotations

import csv
import gzip
import io
import re
from dataclasses import dataclass
from pathlib import Path

HEADER = ["code", "name", "level", "parent_code"]
# NBS has no county level for these three cities: their townships hang from level 2.
CITIES_WITHOUT_COUNTIES = {"441900000000", "442000000000", "460400000000"}
MAX_ERRORS = 200
_LEVELS = {"1": 1, "2": 2, "3": 3, "4": 4, "5": 5}


@dataclass(frozen=True, slots=True)
class Entry:
    code: str
    name: str
    level: int
    parent_code: str


class EditionFileError(Exception):
    """The file is refused; `errors` lists every problem found, each with its line number."""

    def __init__(self, errors: list[str], total: int | None = None):
        self.errors = errors
        self.total = total if total is not None else len(errors)
        more = f"(仅列出前 {len(errors)} 条)" if self.total > len(errors) else ""
        super().__init__(f"文件有 {self.total} 处错误{more}:\n" + "\n".join(errors))


def open_text(path: Path | str, data: bytes | None = None) -> str:
    """Read a gzip or plain CSV file as UTF-8 text; broken encoding names its line."""
    raw = data if data is not None else Path(path).read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise EditionFileError([f"gzip 压缩文件已损坏:{exc}"]) from None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise EditionFileError([f"第 {line} 行:不是有效的 UTF-8 编码(第 {exc.start} 字节),请以 UTF-8 保存"]) from None


def parse_edition(text: str, scope: str = "") -> list[Entry]:
    """Parse and validate an edition; return the entries within `scope` (a code prefix) and their ancestors.

    The whole file is validated, and every error is reported by line, before anything is returned.
    """
    found: list[tuple[int, str]] = []

    def error(line: int, msg: str):
        found.append((line, msg))

    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise EditionFileError(["文件为空"]) from None
    if [h.strip().lower() for h in header] != HEADER:
        raise EditionFileError([f"第 1 行:表头应为 {','.join(HEADER)},实际为 {','.join(header)}"])

    entries: dict[str, tuple[str, int, str, int]] = {}  # code -> (name, level, parent code, line)
    levels = _LEVELS
    for lineno, row in enumerate(reader, start=2):
        if len(row) != 4:
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            error(lineno, f"第 {lineno} 行:应有 4 列,实际 {len(row)} 列")
            continue
        code, name, level_text, parent = map(str.strip, row)
        if not (len(code) == 12 and code.isdigit() and code.isascii()):
            error(lineno, f"第 {lineno} 行:区划代码“{code}”不是 12 位数字")
            continue
        if not name:
            error(lineno, f"第 {lineno} 行:代码 {code} 的名称为空")
        level = levels.get(level_text)
        if level is None:
            error(lineno, f"第 {lineno} 行:层级“{level_text}”应为 1–5")
            continue
        if code in entries:
            error(lineno, f"第 {lineno} 行:区划代码 {code} 重复(首次出现在第 {entries[code][3]} 行)")
            continue
        # code_level(code), inline: this loop runs for every row of a ~700,000-row file
        if code[9:] != "000":
            expected = 5
        elif code[6:9] != "000":
            expected = 4
        else:
            expected = code_level(code)
        if level != expected:
            error(lineno, f"第 {lineno} 行:代码 {code} 的层级应为 {expected},文件中为 {level}")
            continue
        entries[code] = (name, level, parent, lineno)

    for code, (_name, level, parent_code, lineno) in entries.items():
        if level == 1:
            if parent_code:
                error(lineno, f"第 {lineno} 行:省级单位 {code} 不应有上级代码")
            continue
        parent = entries.get(parent_code)
        if parent is None:
            error(lineno, f"第 {lineno} 行:上级代码“{parent_code}”在文件中不存在")
            continue
        parent_level = parent[1]
        if parent_level != level - 1 and not (level == 4 and parent_code in CITIES_WITHOUT_COUNTIES):
            error(lineno, f"第 {lineno} 行:上级 {parent_code} 是第 {parent_level} 级,而 {code} 是第 {level} 级")
        elif not code.startswith(parent_code[: _SEGMENT_END[parent_level]]):
            error(lineno, f"第 {lineno} 行:代码 {code} 与上级代码 {parent_code} 的前缀不一致")

    if found:
        found.sort(key=lambda item: item[0])
        raise EditionFileError([msg for _, msg in found[:MAX_ERRORS]], len(found))
    if not scope:
        return [Entry(code, name, level, parent) for code, (name, level, parent, _) in entries.items()]
    keep: dict[str, tuple] = {}
    for code, row in entries.items():
        if code.startswith(scope):
            keep[code] = row
            parent_code = row[2]
            parent = entries.get(parent_code)
            while parent is not None and parent_code not in keep:
                keep[parent_code] = parent
                parent_code = parent[2]
                parent = entries.get(parent_code)
    if not keep:
        raise EditionFileError([f"文件中没有代码以 {scope} 开头的单位"])
    return [Entry(code, name, level, parent) for code, (name, level, parent, _) in sorted(keep.items())]


def code_level(code: str) -> int:
    """The level a 12-digit code denotes by its non-zero segments."""
    if code[9:] != "000":
        return 5
    if code[6:9] != "000":
        return 4
    if code[4:6] != "00":
        return 3
    if code[2:4] != "00":
        return 2
    return 1


_SEGMENT_END = {1: 2, 2: 4, 3: 6, 4: 9, 5: 12}


def prefix_of(code: str) -> str:
    """The significant prefix of a code: '513201000000' → '513201'."""
    return code[: _SEGMENT_END[code_level(code)]]


def normalise_prefix(scope: str) -> str:
    """Accept a scope as a prefix or as a full 12-digit code ('513201000000' → '513201')."""
    scope = (scope or "").strip()
    if not scope.isdigit() and scope:
        raise ValueError(f"范围“{scope}”应为区划代码或其前缀(数字)")
    if len(scope) == 12:
        return prefix_of(scope)
    return scope


# --- kinds -------------------------------------------------------------------------------------------

def classify(code: str, name: str, level: int) -> str:
    """The kind of a unit (divisions.models.Kind value) from its level, name and NBS code range.

    Names win over code ranges: many rural 社区 carry 2xx codes, and 乡 names decide 乡 vs 民族乡.
    """
    if level == 1:
        return "province"
    if level == 2:
        return "city"
    if level == 3:
        return "county"
    if level == 4:
        if name.endswith(("街道", "街道办事处", "办事处")):
            return "subdistrict"
        if re.search(r"族乡$|民族苏木$", name):
            return "ethnic_township"
        if name.endswith(("乡", "苏木")):
            return "township"
        if name.endswith("镇"):
            return "town"
        return "township_other"
    if level == 5:
        if "社区" in name or name.endswith(("居委会", "居民委员会", "居委会会")):
            return "community"
        if name.endswith(("村委会", "村民委员会", "村")):
            return "village"
        segment = int(code[9:12]) if code else 0
        if segment < 200 or 400 <= segment < 500:
            return "community"
        if segment < 400:
            return "village"
        return "village_other"
    return "villager_group"


# --- names -------------------------------------------------------------------------------------------

_COMMITTEE = [
    ("村民委员会", "村"),
    ("村委会", "村"),
    ("社区居民委员会", "社区"),
    ("社区居委会", "社区"),
    ("居民委员会", ""),
    ("居委会", ""),
    ("街道办事处", "街道"),
    ("办事处", "街道"),
]
ETHNIC_GROUPS = (
    "蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 东乡 纳西 景颇 "
    "柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 "
    "塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺"
).split()
_ETHNIC = "|".join(sorted(ETHNIC_GROUPS, key=len, reverse=True))
_GENERIC_TAIL = re.compile(rf"((?:(?:{_ETHNIC})族)+(?:乡|镇|苏木)|民族乡|民族苏木|苏木|街道|社区|镇|乡|村)$")


def display_name(name: str) -> str:
    """The unit's name without the committee suffix NBS adds: '纳足村村民委员会' → '纳足村'.

    Suffix drift between editions (村委会 ↔ 村民委员会, 街道办事处 → 街道) disappears here.
    """
    name = name.strip()
    while name.endswith("会会"):  # e.g. 2019: 金像寺社区居委会会
        name = name[:-1]
    for suffix, replacement in _COMMITTEE:
        if name.endswith(suffix):
            base = name[: -len(suffix)]
            if replacement and not base.endswith(replacement):
                base += replacement
            return base or name
    return name


def name_key(name: str) -> str:
    """The proper part of a name, for matching: '纳足村村民委员会' → '纳足', '硗碛藏族乡' → '硗碛'."""
    base = display_name(name)
    stripped = _GENERIC_TAIL.sub("", base)
    return stripped or base


def shared_chars(a: str, b: str) -> int:
    return len(set(name_key(a)) & set(name_key(b)))
