"""Input validation with clear Chinese error messages (row/column numbers are 1-based)."""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable

import numpy as np

from .errors import InputError


def _first(mask: np.ndarray) -> tuple[int, ...]:
    idx = np.argwhere(mask)[0]
    return tuple(int(v) for v in idx)


def cost_matrix(
    costs, *, name: str = "费用矩阵", allow_inf: bool = False, dtype=None
) -> np.ndarray:
    """Return ``costs`` as a 2-D float array after checking for emptiness, NaN, inf and negatives.

    With ``allow_inf=True``, ``+inf`` marks an unreachable pair (e.g. different road components).
    """
    if costs is None:
        raise InputError(f"{name}为空")
    try:
        arr = np.asarray(costs, dtype=dtype) if dtype is not None else np.asarray(costs)
        if arr.dtype == object:
            arr = np.array(
                [[math.nan if v is None else v for v in row] for row in costs], dtype=np.float64
            )
        if arr.dtype.kind not in "fiub":
            arr = arr.astype(np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{name}无法解析为数值矩阵：{exc}") from None
    if arr.dtype.kind != "f":
        arr = arr.astype(np.float64)
    if arr.ndim != 2:
        raise InputError(f"{name}应为二维矩阵（需求点 × 候选点），实际维数为 {arr.ndim}")
    if arr.shape[0] == 0:
        raise InputError(f"{name}没有任何需求点（行数为 0）")
    if arr.shape[1] == 0:
        raise InputError(f"{name}没有任何候选点（列数为 0）")
    nan = np.isnan(arr)
    if nan.any():
        r, c = _first(nan)
        raise InputError(f"{name}第 {r + 1} 行第 {c + 1} 列为 NaN（共 {int(nan.sum())} 处）")
    neg = arr < 0
    if neg.any():
        r, c = _first(neg)
        raise InputError(f"{name}第 {r + 1} 行第 {c + 1} 列为负数 {arr[r, c]!r}，费用不能为负")
    inf = np.isinf(arr)
    if inf.any():
        if not allow_inf:
            r, c = _first(inf)
            raise InputError(
                f"{name}第 {r + 1} 行第 {c + 1} 列为无穷大（共 {int(inf.sum())} 处）；"
                "若表示不可达，请显式允许不可达（allow_unreachable）或剔除该点"
            )
        dead = inf.all(axis=1)
        if dead.any():
            rows = np.flatnonzero(dead)
            raise InputError(
                f"需求点 {_list(rows + 1)} 无法到达任何候选点（{name}整行为无穷大），"
                "请剔除这些需求点或补充可达的候选点"
            )
    return arr


def _list(values, limit: int = 10) -> str:
    vals = [str(int(v)) for v in values]
    if len(vals) > limit:
        return "、".join(vals[:limit]) + f" 等 {len(vals)} 个"
    return "、".join(vals)


def weights(w, n: int, *, name: str = "需求权重") -> np.ndarray:
    if w is None:
        return np.ones(n, dtype=np.float64)
    try:
        arr = np.asarray(w, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        raise InputError(f"{name}无法解析为数值数组") from None
    if arr.shape[0] != n:
        raise InputError(f"{name}长度为 {arr.shape[0]}，与需求点数 {n} 不一致")
    bad = ~np.isfinite(arr)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(f"{name}第 {i + 1} 个值为 {arr[i]!r}（NaN 或无穷大）")
    neg = arr < 0
    if neg.any():
        i = int(np.flatnonzero(neg)[0])
        raise InputError(f"{name}第 {i + 1} 个值为负数 {arr[i]!r}")
    return arr


def site_values(v, m: int, *, name: str, default: float | None = None, allow_inf: bool = False):
    """Per-site numeric array (capacities, costs) of length m; None → default (or None)."""
    if v is None:
        return None if default is None else np.full(m, float(default))
    if isinstance(v, numbers.Real):
        v = [float(v)] * m
    try:
        arr = np.asarray(v, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        raise InputError(f"{name}无法解析为数值数组") from None
    if arr.shape[0] != m:
        raise InputError(f"{name}长度为 {arr.shape[0]}，与候选点数 {m} 不一致")
    if np.isnan(arr).any():
        i = int(np.flatnonzero(np.isnan(arr))[0])
        raise InputError(f"{name}第 {i + 1} 个值为 NaN")
    if not allow_inf and np.isinf(arr).any():
        i = int(np.flatnonzero(np.isinf(arr))[0])
        raise InputError(f"{name}第 {i + 1} 个值为无穷大")
    if (arr < 0).any():
        i = int(np.flatnonzero(arr < 0)[0])
        raise InputError(f"{name}第 {i + 1} 个值为负数 {arr[i]!r}")
    return arr


def index_set(values: Iterable[int] | None, m: int, *, name: str) -> np.ndarray:
    if values is None:
        return np.zeros(0, dtype=np.int64)
    out = []
    for v in values:
        if isinstance(v, bool) or not isinstance(v, numbers.Integral):
            try:
                fv = float(v)
            except (TypeError, ValueError):
                raise InputError(f"{name}中的 {v!r} 不是候选点编号") from None
            if not fv.is_integer():
                raise InputError(f"{name}中的 {v!r} 不是整数编号")
            v = int(fv)
        v = int(v)
        if v < 0 or v >= m:
            raise InputError(f"{name}中的候选点编号 {v} 超出范围 0–{m - 1}")
        out.append(v)
    return np.unique(np.asarray(out, dtype=np.int64))


def facility_count(
    p, m: int, required: np.ndarray, forbidden: np.ndarray, *, name: str = "设施数 p"
) -> int:
    if isinstance(p, bool) or p is None:
        raise InputError(f"{name}必须是正整数，实际为 {p!r}")
    try:
        fp = float(p)
    except (TypeError, ValueError):
        raise InputError(f"{name}必须是正整数，实际为 {p!r}") from None
    if not fp.is_integer() or fp < 1:
        raise InputError(f"{name}必须是正整数，实际为 {p!r}")
    p = int(fp)
    both = np.intersect1d(required, forbidden)
    if both.size:
        raise InputError(f"候选点 {_list(both)} 同时被指定为必须保留和禁止使用")
    usable = m - len(forbidden)
    if p > m:
        raise InputError(f"{name}={p} 大于候选点总数 {m}")
    if p > usable:
        raise InputError(f"{name}={p} 大于可用候选点数 {usable}（共 {m} 个，其中 {len(forbidden)} 个被禁止）")
    if len(required) > p:
        raise InputError(f"必须保留的设施有 {len(required)} 个，多于{name}={p}")
    return p


def positive_number(v, *, name: str, allow_zero: bool = False) -> float:
    try:
        f = float(v)
    except (TypeError, ValueError):
        raise InputError(f"{name}必须是数值，实际为 {v!r}") from None
    if not math.isfinite(f) or f < 0 or (f == 0 and not allow_zero):
        raise InputError(f"{name}必须是{'非负' if allow_zero else '正'}的有限数值，实际为 {v!r}")
    return f
