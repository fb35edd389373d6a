"""Reader for OR-Library p-median instances (Beasley 1985, files ``pmed1.txt`` ... ``pmed40.txt``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import shortest_path

from .errors import InputError


@dataclass
class OrlibInstance:
    name: str
    n: int
    p: int
    costs: np.ndarray  # n x n shortest-path distances (every vertex is demand point and candidate)


def read_pmed(path) -> OrlibInstance:
    """Parse ``n m p`` followed by ``m`` lines ``i j cost`` (1-based, undirected).

    Where the same edge is listed more than once the later line holds (as in Beasley's own code);
    distances are all-pairs shortest paths over the graph.
    """
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as exc:
        raise InputError(f"无法读取 OR-Library 文件 {path}：{exc.strerror or exc}") from None
    tokens = text.split()
    try:
        nums = np.array([int(float(t)) for t in tokens], dtype=np.int64)
    except ValueError:
        raise InputError(f"OR-Library 文件 {path} 含有非数值内容") from None
    if len(nums) < 3:
        raise InputError(f"OR-Library 文件 {path} 缺少首行 “n m p”")
    n, m, p = (int(v) for v in nums[:3])
    if n <= 0 or p <= 0 or m < 0:
        raise InputError(f"OR-Library 文件 {path} 首行 n={n} m={m} p={p} 不合法")
    body = nums[3:]
    if len(body) < 3 * m:
        raise InputError(f"OR-Library 文件 {path} 声明 {m} 条边，但只有 {len(body) // 3} 条")
    e = body[: 3 * m].reshape(m, 3)
    i, j, c = e[:, 0] - 1, e[:, 1] - 1, e[:, 2].astype(np.float64)
    bad = (i < 0) | (i >= n) | (j < 0) | (j >= n)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise InputError(f"OR-Library 文件 {path} 第 {k + 1} 条边的顶点编号超出 1–{n}")
    if (c < 0).any():
        k = int(np.flatnonzero(c < 0)[0])
        raise InputError(f"OR-Library 文件 {path} 第 {k + 1} 条边的长度为负数")
    # the later line holds: keep the last occurrence of each undirected edge
    a, b = np.minimum(i, j), np.maximum(i, j)
    key = a * n + b
    _, last_rev = np.unique(key[::-1], return_index=True)
    keep = len(key) - 1 - last_rev
    a, b, c = a[keep], b[keep], c[keep]
    loops = a == b
    a, b, c = a[~loops], b[~loops], c[~loops]
    # explicit zero-length edges must survive the sparse representation
    eps_zero = c == 0
    c = np.where(eps_zero, 1e-300, c)
    G = sp.coo_matrix((c, (a, b)), shape=(n, n)).tocsr()
    D = shortest_path(G, method="D", directed=False)
    D[D < 1e-200] = 0.0
    D = np.round(D)  # integer edge lengths: remove the tiny stand-ins for zero-length edges
    if not np.isfinite(D).all():
        raise InputError(f"OR-Library 文件 {path} 的图不连通")
    return OrlibInstance(name=path.stem, n=n, p=p, costs=D)


def read_optima(path) -> dict[str, float]:
    """Parse ``pmedopt.txt`` (lines ``pmedN value``)."""
    out = {}
    for line in Path(path).read_text().splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0].startswith("pmed"):
            try:
                out[parts[0]] = float(parts[1])
            except ValueError:
                continue
    return out
