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


# --------------------------------------------------------------------------- snapping to segments
KM_PER_DEG = np.pi / 180 * 6371.0088


def long_road(**props):
    """One straight 10 km road north from (110, 30), drawn as a single segment."""
    a, b = [110.0, 30.0], [110.0, 30.0 + 10 / KM_PER_DEG]
    return a, b, RoadNetwork.from_geojson({"type": "FeatureCollection", "features": [line([a, b], speed=60, **props)]})


def test_point_beside_a_long_segment_enters_the_road_beside_it():
    a, b, net = long_road()
    mid = [110.0 + 0.1 / (KM_PER_DEG * np.cos(np.radians(30.045))), (a[1] + b[1]) / 2]  # 100 m east
    snap = net.snap([mid])
    assert snap.km[0] == pytest.approx(0.1, rel=1e-3)
    assert snap.fraction[0] == pytest.approx(0.5, abs=1e-6)
    tm = net.travel_matrix([mid], [a, b], access_speed_kmh=5)
    # 100 m walked at 5 km/h (1.2 min) + 5 km driven at 60 km/h (5 min): half the road, not all of it
    assert tm.costs[0].tolist() == pytest.approx([6.2, 6.2], rel=1e-3)
    assert tm.demand_snap_km[0] == pytest.approx(0.1, rel=1e-3) and tm.site_snap_km.max() < 1e-5  # nodes are kept to ~1 cm
    # both on the road: straight along it
    quarter = [110.0, a[1] + 2.5 / KM_PER_DEG]
    assert net.travel_matrix([quarter], [mid]).costs[0, 0] == pytest.approx(2.5 + 1.2, rel=1e-3)


def test_one_way_segment_is_entered_and_left_forwards_only():
    a, b, net = long_road(oneway="yes")
    mid = [110.0, (a[1] + b[1]) / 2]
    tm = net.travel_matrix([mid, a, b], [a, b, mid])
    assert tm.costs[0, 1] == pytest.approx(5.0, rel=1e-3)  # forwards to the far end
    assert np.isinf(tm.costs[0, 0])  # not back against the traffic
    assert tm.costs[1, 2] == pytest.approx(5.0, rel=1e-3) and np.isinf(tm.costs[2, 2])
    assert tm.costs[1, 0] == pytest.approx(0, abs=1e-3) and tm.costs[2, 1] == pytest.approx(0, abs=1e-3)  # at a road end


def brute_snap(net, pts):
    """Every segment, nearest point in a projection centred on each point (one point at a time)."""
    out = []
    for lon, lat in pts:
        k = np.array([np.cos(np.radians(lat)) * KM_PER_DEG, KM_PER_DEG])
        A = (net.nodes[net.seg_u] - [lon, lat]) * k
        AB = (net.nodes[net.seg_v] - [lon, lat]) * k - A
        den = (AB * AB).sum(1)
        t = np.clip(-(A * AB).sum(1) / np.where(den > 0, den, 1), 0, 1) * (den > 0)
        d = np.hypot(*(A + t[:, None] * AB).T)
        best = int(np.argmin(d))
        out.append((float(d[best]), best, float(t[best])))
    return out


def reference_matrix(net, demand, sites, acc=5.0):
    """Insert every snapped point into its segment as a node of its own, then Dijkstra on that graph."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import dijkstra

    pts = np.vstack([demand, sites])
    snaps = brute_snap(net, pts)
    V = len(net.nodes)
    rows, cols, vals = [], [], []

    def edge(a, b, w, both):
        rows.append(a), cols.append(b), vals.append(max(w, 1e-12))
        if both:
            rows.append(b), cols.append(a), vals.append(max(w, 1e-12))

    on = {}
    for p, (_, k, t) in enumerate(snaps):
        on.setdefault(k, []).append((t, V + p))
    for k, (u, v, w, ow) in enumerate(zip(net.seg_u, net.seg_v, net.seg_minutes, net.seg_oneway)):
        chain = [(0.0, u)] + sorted(on.get(k, [])) + [(1.0, v)]
        km = float(great_circle_km(net.nodes[[u]], net.nodes[[v]])[0, 0])
        for (t1, a), (t2, b) in zip(chain, chain[1:]):
            edge(a, b, (t2 - t1) * w, not ow or (t2 - t1) * km <= 1e-6)
    G = csr_matrix((vals, (rows, cols)), shape=(V + len(pts), V + len(pts)))
    n = len(demand)
    D = dijkstra(G, directed=True, indices=V + np.arange(n))[:, V + n + np.arange(len(sites))]
    walk = np.array([s[0] for s in snaps]) / acc * 60
    return D + walk[:n, None] + walk[None, n:], np.array([s[0] for s in snaps])


@pytest.mark.parametrize("seed", range(5))
def test_travel_matrix_matches_points_inserted_into_the_roads(seed):
    rng = np.random.default_rng(seed)
    # a 5x5 lattice of junctions ~5.5 km apart: some streets one-way, some drawn as long single
    # segments, others with many short vertices, plus a few long diagonals across the lattice
    xs = 112.0 + 0.05 * np.arange(5)
    ys = 28.0 + 0.05 * np.arange(5)
    feats = []
    for r in range(5):
        for horizontal in (True, False):
            pts = [[x, ys[r]] for x in xs] if horizontal else [[xs[r], y] for y in ys]
            if rng.random() < 0.5:  # densify: many short segments
                pts = np.vstack([np.linspace(pts[i], pts[i + 1], 7)[:-1] for i in range(4)] + [pts[-1:]])
                pts = (pts + rng.normal(0, 0.0005, pts.shape)).tolist()
            else:
                pts = [pts[0], pts[-1]] if rng.random() < 0.5 else pts
            props = {"speed": float(rng.choice([20, 40, 60]))}
            if rng.random() < 0.3:
                props["oneway"] = "yes"
            feats.append(line(pts, **props))
    for _ in range(3):
        i, j = rng.integers(0, 5, 2)
        feats.append(line([[xs[i], ys[0]], [xs[j], ys[-1]]], speed=30))
    net = RoadNetwork.from_geojson({"type": "FeatureCollection", "features": feats})
    demand = np.column_stack([rng.uniform(111.99, 112.21, 25), rng.uniform(27.99, 28.21, 25)])
    sites = np.column_stack([rng.uniform(111.99, 112.21, 8), rng.uniform(27.99, 28.21, 8)])
    sites[0] = demand[0] + [0.001, 0.0]  # likely the same segment as demand 0
    tm = net.travel_matrix(demand, sites, dtype=np.float64)
    ref, snap_km = reference_matrix(net, demand, sites)
    assert np.allclose(np.concatenate([tm.demand_snap_km, tm.site_snap_km]), snap_km, rtol=1e-9, atol=1e-9)
    assert np.array_equal(np.isinf(tm.costs), np.isinf(ref))
    fin = np.isfinite(ref)
    assert np.allclose(tm.costs[fin], ref[fin], rtol=1e-9, atol=1e-7)


@pytest.mark.parametrize("neighbours", [8, 1])
def test_snap_candidates_find_the_nearest_segment_among_long_and_short_ones(monkeypatch, neighbours):
    # with one neighbour most points need the second look (every piece that could be nearer)
    monkeypatch.setattr(RoadNetwork, "snap_neighbours", neighbours)
    rng = np.random.default_rng(3)
    feats = [line([[110 + 0.3 * rng.random(), 30 + 0.3 * rng.random()], [110 + 0.3 * rng.random(), 30 + 0.3 * rng.random()]],
                  speed=30) for _ in range(15)]  # long, crossing
    for k in range(300):  # short, half of them crowded into a village of ~2 km
        box = 0.3 if k % 2 else 0.02
        x, y = 110 + box * rng.random(), 30 + box * rng.random()
        feats.append(line([[x, y], [x + rng.normal(0, 0.002), y + rng.normal(0, 0.002)]], speed=30))
    net = RoadNetwork.from_geojson({"type": "FeatureCollection", "features": feats})
    pts = np.vstack([np.column_stack([rng.uniform(109.6, 110.7, 300), rng.uniform(29.6, 30.7, 300)]),  # some far off
                     np.column_stack([rng.uniform(110, 110.02, 100), rng.uniform(30, 30.02, 100)])])
    snap = net.snap(pts)
    ref = brute_snap(net, pts)
    assert np.allclose(snap.km, [r[0] for r in ref], rtol=1e-12, atol=1e-12)
    # the snap point lies on its segment at that distance
    back = great_circle_km(pts, snap.lonlat).diagonal()
    assert np.allclose(back, snap.km, rtol=2e-3, atol=1e-9)
