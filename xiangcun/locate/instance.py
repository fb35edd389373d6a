"""JSON instance format for every model (documented in ``docs/locate.md``)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from .costs import RoadNetwork, coordinate_costs, euclidean_costs
from .errors import InputError
from .formulations import solve_capacitated, solve_consolidation, solve_lscp, solve_mclp, solve_pcenter
from .pmedian import solve_pmedian

MODELS = ("p-median", "capacitated", "mclp", "lscp", "p-center", "consolidation")


def load_instance(path) -> dict:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"无法读取实例文件 {path}：{exc.strerror or exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"实例文件 {path} 不是合法的 JSON：第 {exc.lineno} 行第 {exc.colno} 列，{exc.msg}") from None
    if not isinstance(data, dict):
        raise InputError("实例文件的顶层应为 JSON 对象")
    data.setdefault("_base", str(path.parent))
    return data


def _items(data, key, label):
    v = data.get(key)
    if v is None:
        return None
    if not isinstance(v, list) or not v:
        raise InputError(f"实例中的 {key}（{label}）应为非空数组")
    return v


def _col(items, field, default=None):
    out = []
    for it in items:
        out.append(it.get(field, default) if isinstance(it, dict) else default)
    return out


def _costs(data, demand, sites, n, m, time_limit):
    spec = data.get("costs")
    report = None
    if spec is None:
        raise InputError("实例缺少 costs（费用矩阵或计算方式）")
    if isinstance(spec, list):
        spec = {"matrix": spec}
    if "matrix" in spec:
        mat = spec["matrix"]
        try:
            arr = np.array([[math.inf if v is None else v for v in row] for row in mat], dtype=np.float64)
        except (TypeError, ValueError):
            raise InputError("费用矩阵含有非数值内容（不可达请用 null 表示）") from None
        if arr.ndim != 2:
            raise InputError("费用矩阵应为二维数组（每个需求点一行）")
        if arr.shape != (n, m):
            raise InputError(f"费用矩阵为 {arr.shape[0]} × {arr.shape[1]}，而需求点 {n} 个、候选点 {m} 个")
        return arr, bool(np.isinf(arr).any()), report

    def coords(items, label):
        if items is None:
            raise InputError(f"按坐标计算费用时需要{label}列表及其 lon/lat")
        xy = []
        for k, it in enumerate(items):
            if not isinstance(it, dict) or it.get("lon") is None or it.get("lat") is None:
                if isinstance(it, dict) and it.get("x") is not None and it.get("y") is not None:
                    xy.append((it["x"], it["y"]))
                    continue
                raise InputError(f"{label}第 {k + 1} 项缺少坐标 lon/lat")
            xy.append((it["lon"], it["lat"]))
        return np.asarray(xy, dtype=np.float64)

    kind = spec.get("type", "great_circle")
    if kind == "euclidean":
        return euclidean_costs(coords(demand, "需求点"), coords(sites, "候选点")), False, report
    if kind == "great_circle":
        c = coordinate_costs(coords(demand, "需求点"), coords(sites, "候选点"),
                             detour=spec.get("detour", 1.0), speed_kmh=spec.get("speed_kmh"))
        return c, False, report
    if kind == "road_network":
        g = spec.get("geojson")
        if g is None:
            raise InputError("road_network 费用需要 geojson（文件路径或 GeoJSON 对象）")
        if isinstance(g, str) and not g.lstrip().startswith("{"):
            g = Path(data.get("_base", ".")) / g
        net = RoadNetwork.from_geojson(
            g, speed_field=spec.get("speed_field", "speed"), class_field=spec.get("class_field", "highway"),
            class_speeds=spec.get("class_speeds"), default_speed=spec.get("default_speed"),
        )
        tm = net.travel_matrix(coords(demand, "需求点"), coords(sites, "候选点"),
                               access_speed_kmh=spec.get("access_speed_kmh", 5.0),
                               max_snap_km=spec.get("max_snap_km"), dtype=np.float64)
        if len(tm.unreachable_demand):
            ids = [_id(demand, i) for i in tm.unreachable_demand[:10]]
            raise InputError(
                f"{len(tm.unreachable_demand)} 个需求点无法通过道路到达任何候选点（如 {ids}），请检查道路连通性"
            )
        return tm.costs, True, tm.report()
    raise InputError(f"未知的费用类型 {kind!r}（可选 matrix、euclidean、great_circle、road_network）")


def _id(items, i):
    if items is None:
        return int(i)
    it = items[int(i)]
    return it.get("id", int(i)) if isinstance(it, dict) else int(i)


def solve_instance(data: dict, *, time_limit: float | None = None) -> dict[str, Any]:
    """Solve a parsed JSON instance and return the JSON result."""
    model = data.get("model")
    if model not in MODELS:
        raise InputError(f"未知或缺失的模型 {model!r}（可选：{'、'.join(MODELS)}）")
    demand = _items(data, "demand", "需求点")
    sites = _items(data, "sites", "候选点")
    params = dict(data.get("params") or {})
    if time_limit is not None:
        params["time_limit"] = time_limit
    spec = data.get("costs")
    if isinstance(spec, dict) and "matrix" in spec or isinstance(spec, list):
        mat = spec["matrix"] if isinstance(spec, dict) else spec
        n = len(demand) if demand else len(mat)
        m = len(sites) if sites else (len(mat[0]) if mat and isinstance(mat[0], list) else 0)
    else:
        n = len(demand or [])
        m = len(sites or [])
    if n == 0:
        raise InputError("实例没有任何需求点")
    if m == 0:
        raise InputError("实例没有任何候选点")
    C, has_inf, travel_report = _costs(data, demand, sites, n, m, params.get("time_limit"))
    w = _col(demand, "weight", 1.0) if demand else params.get("weights")
    sites = sites or [{} for _ in range(m)]
    required = [j for j, s in enumerate(sites) if isinstance(s, dict) and s.get("required")]
    forbidden = [j for j, s in enumerate(sites) if isinstance(s, dict) and s.get("forbidden")]
    tl = params.get("time_limit")
    common = dict(required=required, forbidden=forbidden)
    if model == "p-median":
        r = solve_pmedian(C, _need(params, "p"), w, method=params.get("method", "auto"), time_limit=tl,
                          seed=int(params.get("seed", 0)), allow_unreachable=has_inf, **common)
    elif model == "capacitated":
        caps = _col(sites, "capacity")
        if any(c is None for c in caps):
            raise InputError(f"候选点 {_col(sites, 'id')[caps.index(None)]!r} 缺少容量 capacity")
        fc = _col(sites, "open_cost", 0.0) if any(isinstance(s, dict) and "open_cost" in s for s in sites) else None
        r = solve_capacitated(C, caps, w, p=params.get("p"), fixed_costs=fc,
                              single_source=bool(params.get("single_source", False)),
                              max_cost=params.get("max_cost"), time_limit=tl, **common)
    elif model == "mclp":
        r = solve_mclp(C, _need(params, "threshold"), _need(params, "p"), w, time_limit=tl, **common)
    elif model == "lscp":
        sc = _col(sites, "open_cost", 1.0) if any(isinstance(s, dict) and "open_cost" in s for s in sites) else None
        r = solve_lscp(C, _need(params, "threshold"), w, site_costs=sc, time_limit=tl, **common)
    elif model == "p-center":
        r = solve_pcenter(C, _need(params, "p"), w, time_limit=tl, **common)
    else:
        caps = _col(sites, "capacity")
        if any(c is None for c in caps):
            raise InputError(f"候选点 {_col(sites, 'id')[caps.index(None)]!r} 缺少容量 capacity")
        r = solve_consolidation(
            C, w, capacities=caps, existing=[bool(s.get("existing", False)) for s in sites],
            current_loads=_col(sites, "load", 0.0), open_costs=_col(sites, "open_cost", 0.0),
            close_costs=_col(sites, "close_cost", 0.0), expand_capacity=_col(sites, "expand_capacity", 0.0),
            expand_costs=_col(sites, "expand_cost", 0.0), max_cost=params.get("max_cost"),
            travel_weight=params.get("travel_weight", 1.0), max_sites=params.get("max_sites"),
            single_source=bool(params.get("single_source", False)), time_limit=tl, **common,
        )
    demand_ids = [_id(demand, i) for i in range(n)] if demand else None
    site_ids = [_id(sites, j) for j in range(m)]
    out = r.to_dict(demand_ids=demand_ids, site_ids=site_ids)
    _relabel(out, demand_ids, site_ids)
    if travel_report is not None:
        out["travel_report"] = travel_report
    return out


def _relabel(out, demand_ids, site_ids):
    """Map index lists in model-specific extras to ids."""
    for key in ("uncovered", "uncoverable"):
        if key in out and demand_ids is not None:
            out[key] = [demand_ids[i] for i in out[key]]
    if "covered" in out and demand_ids is not None:
        out["covered"] = [demand_ids[i] for i, c in enumerate(out["covered"]) if c]
    for key in ("kept", "expanded", "closed", "new"):
        if key in out:
            out[key] = [site_ids[j] for j in out[key]]
    if "site_status" in out:
        for row in out["site_status"]:
            row["site"] = site_ids[row["site"]]


def _need(params, key):
    if key not in params or params[key] is None:
        raise InputError(f"实例参数 params 缺少 {key}")
    return params[key]
