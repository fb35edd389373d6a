import json

import numpy as np
import pytest

from xiangcun.locate import InputError, NetworkError, RoadNetwork, coordinate_costs, solve_instance
from xiangcun.locate.cli import main
from xiangcun.locate.costs import great_circle_km


def line(coords, **props):
    return {"type": "Feature", "properties": props, "geometry": {"type": "LineString", "coordinates": coords}}


def test_great_circle_known_distance():
    # one degree of latitude ~ 111.19 km
    d = great_circle_km(np.array([[116.0, 39.0]]), np.array([[116.0, 40.0]]))
    assert d[0, 0] == pytest.approx(111.195, rel=1e-3)
    c = coordinate_costs([[116.0, 39.0]], [[116.0, 40.0]], detour=1.3, speed_kmh=60)
    assert c[0, 0] == pytest.approx(111.195 * 1.3, rel=1e-3)  # minutes at 60 km/h
    with pytest.raises(InputError, match="超出经纬度范围"):
        coordinate_costs([[200, 0]], [[0, 0]])


def test_road_network_matches_scipy_free_reasoning():
    # a path a-b-c (60 km/h) plus a slow shortcut a-c (10 km/h) and a separate island
    a, b, c = [0.0, 0.0], [0.1, 0.0], [0.2, 0.0]
    gj = {"type": "FeatureCollection", "features": [
        line([a, b, c], speed=60),
        line([a, [0.1, 0.05], c], highway="path"),
        line([[5.0, 5.0], [5.1, 5.0]], 县道=1, highway="县道"),
    ]}
    net = RoadNetwork.from_geojson(gj)
    assert net.n_components == 2
    tm = net.travel_matrix([a, [5.0, 5.0]], [c, [5.1, 5.0]])
    ab = great_circle_km(np.array([a]), np.array([b]))[0, 0]
    assert tm.costs[0, 0] == pytest.approx(2 * ab, rel=1e-4)  # minutes at 60 km/h
    assert np.isinf(tm.costs[0, 1]) and np.isinf(tm.costs[1, 0])
    assert tm.unreachable_pairs == 2
    assert tm.unreachable_demand.size == 0
    # snapping adds the access leg
    tm2 = net.travel_matrix([[0.0, 0.01]], [c], access_speed_kmh=5)
    assert tm2.costs[0, 0] > tm.costs[0, 0] + 10


def test_road_network_errors():
    with pytest.raises(NetworkError, match="没有任何要素"):
        RoadNetwork.from_geojson({"type": "FeatureCollection", "features": []})
    with pytest.raises(NetworkError, match="第 1 条道路要素没有可用的速度"):
        RoadNetwork.from_geojson({"type": "FeatureCollection", "features": [line([[0, 0], [1, 1]])]})


def test_instance_all_models(tmp_path):
    demand = [{"id": f"v{i}", "weight": w, "x": x, "y": y}
              for i, (w, x, y) in enumerate([(3, 0, 0), (2, 1, 0), (4, 5, 5), (1, 6, 5), (2, 9, 9)])]
    sites = [{"id": f"s{j}", "x": x, "y": y, "capacity": 6, "existing": j < 2, "open_cost": 1,
              "close_cost": 0.5, "expand_capacity": 3, "expand_cost": 2}
             for j, (x, y) in enumerate([(0, 0), (5, 5), (9, 9), (3, 3)])]
    base = {"demand": demand, "sites": sites, "costs": {"type": "euclidean"}}
    for model, params in [("p-median", {"p": 2}), ("capacitated", {"p": 2}), ("mclp", {"p": 2, "threshold": 2}),
                          ("lscp", {"threshold": 2}), ("p-center", {"p": 2}),
                          ("consolidation", {"max_cost": 10})]:
        out = solve_instance({**base, "model": model, "params": params})
        assert out["status"] == "optimal", model
        assert len(out["assignment"]) == 5
        json.dumps(out)
    out = solve_instance({**base, "model": "p-median", "params": {"p": 2}})
    assert set(out["sites"]) <= {"s0", "s1", "s2", "s3"}
    assert out["objective"] == pytest.approx(0 + 2 * 1 + 0 + 1 * 1 + 2 * np.hypot(4, 4))


def test_cli_solve_and_errors(tmp_path, capsys):
    inst = {"model": "p-median", "params": {"p": 1},
            "costs": {"matrix": [[1, 2], [3, None]]}}
    f = tmp_path / "i.json"
    f.write_text(json.dumps(inst))
    out = tmp_path / "o.json"
    assert main(["solve", str(f), "--output", str(out)]) == 0
    res = json.loads(out.read_text())
    assert res["sites"] == [0] and res["objective"] == 4
    bad = tmp_path / "b.json"
    bad.write_text(json.dumps({"model": "p-median", "params": {"p": 1}, "costs": {"matrix": [[1, "x"]]}}))
    assert main(["solve", str(bad)]) == 2
    assert "费用矩阵" in capsys.readouterr().err
    bad.write_text(json.dumps({"model": "p-median", "params": {"p": 3}, "costs": [[1, 2]]}))
    assert main(["solve", str(bad)]) == 2
    assert "大于候选点总数" in capsys.readouterr().err
    bad.write_text("{not json")
    assert main(["solve", str(bad)]) == 2
    assert "不是合法的 JSON" in capsys.readouterr().err


def test_cli_orlib(orlib_dir, capsys):
    assert main(["orlib", str(orlib_dir / "pmed1.txt"), str(orlib_dir / "pmed4.txt")]) == 0
    rows = [json.loads(x) for x in capsys.readouterr().out.strip().splitlines()]
    assert [r["instance"] for r in rows] == ["pmed1", "pmed4"]
    assert rows[0]["objective"] == rows[0]["lower_bound"] == 5819
    assert rows[1]["objective"] == rows[1]["lower_bound"] == 3034
    assert len(rows[0]["medians"]) == 5 and set(rows[0]) >= {"n", "p", "gap", "seconds"}
