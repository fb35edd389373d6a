"""Formulas of computed indicators: a small arithmetic language over element codes, evaluated safely.

    100 * ROAD_HARD / N_VILLAGES          100 * (TOILET_HH / HOUSEHOLDS)        max(0, A - B)

Numbers, element codes (and the built-ins N_VILLAGES, N_TOWNSHIPS: the units of that level in the
place), + - * /, parentheses and the functions min, max, abs, round. The text is parsed with Python's
`ast` module and every node is checked against that whitelist; nothing is ever passed to eval().
A missing value makes the result missing; division by zero gives no value rather than an error.
"""
from __future__ import annotations

import ast
import operator
from decimal import Decimal

BUILTINS = {"N_VILLAGES": "村级单位数", "N_TOWNSHIPS": "乡级单位数"}
FUNCTIONS = {"min": min, "max": max, "abs": abs, "round": round}
BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}
UNARY = {ast.USub: operator.neg, ast.UAdd: operator.pos}
MAX_LENGTH = 300
MAX_NODES = 200


class FormulaError(Exception):
    """A formula that cannot be used; the message is Chinese."""


def parse(text: str) -> ast.Expression:
    text = (text or "").strip().replace("×", "*").replace("÷", "/").replace("(", "(").replace(")", ")")
    if not text:
        raise FormulaError("公式为空")
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"公式太长(最多 {MAX_LENGTH} 个字符)")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError:
        raise FormulaError(f"公式“{text}”写法有误:只能使用数字、指标代码、+ - * /、括号和 min/max/abs/round") from None
    nodes = list(ast.walk(tree))
    if len(nodes) > MAX_NODES:
        raise FormulaError("公式过于复杂")
    for node in nodes:
        _check(node)
    return tree


def _check(node) -> None:
    if isinstance(node, (ast.Expression, ast.Load)) or type(node) in BINARY or type(node) in UNARY:
        return
    if isinstance(node, ast.BinOp):
        if type(node.op) not in BINARY:
            raise FormulaError("只能使用 + - * / 四则运算")
        return
    if isinstance(node, ast.UnaryOp):
        if type(node.op) not in UNARY:
            raise FormulaError("只能使用正负号")
        return
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise FormulaError(f"“{node.value!r}”不是数字")
        return
    if isinstance(node, ast.Name):
        return
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS or node.keywords or not node.args:
            raise FormulaError("只能调用 min、max、abs、round 函数")
        return
    raise FormulaError("公式中含有不允许的写法:只能使用数字、指标代码、+ - * /、括号和 min/max/abs/round")


def names(text: str) -> set[str]:
    """Element codes a formula refers to (built-ins and function names excluded)."""
    tree = parse(text)
    funcs = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and id(n) not in funcs and n.id not in BUILTINS}


def validate(text: str, known: set[str], own_code: str = "", computed: dict[str, str] | None = None) -> set[str]:
    """Check a formula against the catalogue: every code known, no reference to itself, directly or
    through other computed elements (`computed`: code -> formula). Returns the codes it uses."""
    used = names(text)
    unknown = sorted(used - known)
    if unknown:
        raise FormulaError("公式引用了不存在的指标代码:" + "、".join(unknown))
    computed = computed or {}
    seen, stack = set(), list(used)
    while stack:
        code = stack.pop()
        if code == own_code and own_code:
            raise FormulaError(f"公式直接或间接引用了指标自身({own_code}),形成循环")
        if code in seen:
            continue
        seen.add(code)
        if code in computed:
            stack.extend(names(computed[code]))
    return used


def evaluate(text: str, values: dict) -> float | None:
    """The value of a formula given `values` (code -> number or None); None if any input is missing."""
    tree = parse(text)
    try:
        result = _eval(tree.body, values)
    except _Missing:
        return None
    except ZeroDivisionError:
        return None
    except OverflowError:
        return None
    return None if result is None else float(result)


class _Missing(Exception):
    pass


def _eval(node, values):
    if isinstance(node, ast.Constant):
        return float(node.value)
    if isinstance(node, ast.Name):
        if node.id not in values:
            raise FormulaError(f"公式引用了不存在的指标代码:{node.id}")
        v = values[node.id]
        if v is None:
            raise _Missing
        return float(v) if isinstance(v, (Decimal, int, float)) else float(v)
    if isinstance(node, ast.BinOp):
        return BINARY[type(node.op)](_eval(node.left, values), _eval(node.right, values))
    if isinstance(node, ast.UnaryOp):
        return UNARY[type(node.op)](_eval(node.operand, values))
    if isinstance(node, ast.Call):
        args = [_eval(a, values) for a in node.args]
        fn = FUNCTIONS[node.func.id]
        if fn is round:
            if len(args) > 2:
                raise FormulaError("round 最多两个参数")
            return round(args[0], int(args[1])) if len(args) == 2 else round(args[0])
        if fn is abs:
            if len(args) != 1:
                raise FormulaError("abs 只有一个参数")
            return abs(args[0])
        return fn(args)
    raise FormulaError("公式中含有不允许的写法")
