"""Benchmark of the convenience-services module on PostgreSQL: queue pages and the measures page over
many cases, and concurrent API clients advancing cases (no lost or double transitions).

    .venv/bin/python benchmarks/services.py [--cases 1000000] [--clients 50] [--out FILE] [--reuse]

It uses its own PostgreSQL database (xiangcun_bench_services). --reuse keeps a database loaded by an
earlier run (migrating it) instead of rebuilding it; --out writes the section to FILE instead of
docs/benchmarks.md; --clients 0 skips the concurrency run.

Builds a synthetic province (20 counties × 15 townships × 10 villages), bulk-loads cases with the
demo's mix of states, times the pages through the Django test client (median of 5), then runs a
threaded WSGI server on loopback and N API clients that race on the same cases.
"""
import argparse
import datetime as dt
import json
import random
import statistics
import sys
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _django  # noqa: E402

DB = "xiangcun_bench_services"


def setup(reuse: bool) -> bool:
    """Start Django on this benchmark's own database; True when a loaded database was kept."""
    import os
    import tempfile

    data = Path(tempfile.gettempdir()) / DB  # kept between runs: it holds the key the cases were encrypted with
    data.mkdir(exist_ok=True)
    os.environ["XIANGCUN_DATA_DIR"] = str(data)
    kept = _django.fresh_database(DB, reuse)
    _django.start_django()
    if kept:
        from xiangcun.services.models import Case

        kept = Case.objects.exists()
    return kept


def build_tree():
    from xiangcun.divisions.models import Division, Kind, Level

    def bulk(objs, parents):
        Division.objects.bulk_create(objs, batch_size=2000)
        for o in objs:
            o.path = (parents[o.parent_id].path if o.parent_id else "/") + f"{o.pk}/"
        Division.objects.bulk_update(objs, ["path"], batch_size=2000)
        return objs

    prov = bulk([Division(name="测试省", level=Level.PROVINCE, kind=Kind.PROVINCE, code="990000000000",
                          subtree_complete=True)], {})[0]
    rng = random.Random(1)
    counties = bulk([Division(name=f"县{c}", level=Level.COUNTY, kind=Kind.COUNTY, parent=prov, code=f"99{c:02d}00000000")
                     for c in range(20)], {prov.pk: prov})
    cmap = {c.pk: c for c in counties}
    towns = bulk([Division(name=f"县{ci}镇{t}", level=Level.TOWNSHIP, kind=Kind.TOWN, parent=c, lon=102 + rng.random(),
                           lat=31 + rng.random()) for ci, c in enumerate(counties) for t in range(15)], cmap)
    tmap = {t.pk: t for t in towns}
    villages = bulk([Division(name=f"{t.name}村{v}", level=Level.VILLAGE, kind=Kind.VILLAGE, parent=t,
                              lon=t.lon + rng.random() / 10, lat=t.lat + rng.random() / 10)
                     for t in towns for v in range(10)], tmap)
    return prov, counties, towns, villages


def load_cases(n, villages, items):
    from django.db import connection

    from xiangcun.core.crypto import encrypt
    from xiangcun.services.models import Status

    rng = random.Random(2)
    # Encrypting a million names is what production pays at intake, spread over a year; the load
    # here reuses a small pool of real Fernet tokens so it measures the queries, not key derivation.
    pool = [(encrypt(f"居民{i}"), encrypt("11010519491231002X"), encrypt("13912345678")) for i in range(200)]
    today = dt.date.today()
    start = today - dt.timedelta(days=365)
    cols = ("number", "village_id", "unit_path", "item_id", "resident_name", "resident_id_number", "resident_phone",
            "materials_received", "status", "handler_level", "handler_unit_id", "handler_department", "intake_at",
            "intake_date", "due_date", "completed_at", "closed_at", "delivery_method", "missing_materials", "reason",
            "returned_count", "trips", "working_days", "on_time", "version", "result")
    statuses = [Status.ARCHIVED] * 55 + [Status.DELIVERED] * 15 + [Status.COMPLETED] * 8 + [Status.PROCESSING] * 8 + \
        [Status.FORWARDED] * 6 + [Status.RECEIVED] * 3 + [Status.RETURNED] * 2 + [Status.REJECTED] * 3
    t0 = time.perf_counter()
    with connection.cursor() as cur:
        with cur.copy(f"COPY services_case ({', '.join(cols)}) FROM STDIN") as copy:
            for i in range(n):
                v = villages[i % len(villages)]
                item = items[rng.randrange(len(items))]
                day = start + dt.timedelta(days=rng.randrange(366))
                st = rng.choice(statuses)
                done = st in (Status.ARCHIVED, Status.DELIVERED, Status.COMPLETED)
                county_item = item.level == "county"
                at = dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC)
                wd = rng.randint(0, item.time_limit + 4) if done else None
                name, idn, phone = pool[i % len(pool)]
                copy.write_row((f"B{i:09d}", v.pk, v.path, item.pk, name, idn, phone, "[]", st,
                                "" if st == Status.RECEIVED else ("county" if county_item else "township"),
                                None if st == Status.RECEIVED or county_item else v.parent_id,
                                item.department if county_item and st != Status.RECEIVED else "", at, day,
                                day + dt.timedelta(days=item.time_limit + 2), at if done else None, at if done else None,
                                "home" if st in (Status.ARCHIVED, Status.DELIVERED) else "", "", "",
                                1 if st == Status.RETURNED or rng.random() < 0.05 else 0, 1 + (rng.random() < 0.2),
                                wd, (wd <= item.time_limit) if done else None, 1, "办结" if done else ""))
    loaded = time.perf_counter() - t0
    # COPY bypasses take_case/transition, which keep the monthly rollups: sum them once
    from xiangcun.services import rollup

    t1 = time.perf_counter()
    rollup.rebuild()
    summed = time.perf_counter() - t1
    # what autovacuum does after a bulk load (insert-triggered since PostgreSQL 13): statistics and
    # the visibility map that index-only scans rely on
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE services_case")
        cur.execute("VACUUM ANALYZE services_villagemonth")
        cur.execute("VACUUM ANALYZE services_itemmonth")
    return loaded, summed


def timed(client, url, runs=5):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        r = client.get(url)
        assert r.status_code == 200, (url, r.status_code)
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=1_000_000)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--out", help="write the section to this file instead of docs/benchmarks.md")
    ap.add_argument("--reuse", action="store_true", help="keep the cases loaded by an earlier run")
    args = ap.parse_args()
    kept = setup(args.reuse)
    from django.test import Client

    from xiangcun.accounts import tokens
    from xiangcun.accounts.models import Role, User
    from xiangcun.services import casework
    from xiangcun.services.models import Case, CaseStep, ItemLevel, ServiceItem, Status

    if kept:
        from xiangcun.divisions.models import Division, Level

        tree = Division.objects.order_by("pk")
        prov = tree.get(level=Level.PROVINCE)
        counties, towns, villages = (list(tree.filter(level=lv)) for lv in (Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE))
        items = list(ServiceItem.objects.filter(code__startswith="B-").order_by("code"))
        load_s = sum_s = None
    else:
        prov, counties, towns, villages = build_tree()
        items = [ServiceItem.objects.create(code=f"B-{i:03d}", name=f"事项{i}", category="民政" if i % 2 else "社会保障",
                                            level=ItemLevel.COUNTY if i % 3 == 0 else ItemLevel.TOWNSHIP,
                                            department="民政", time_limit=[1, 5, 10, 20][i % 4],
                                            materials="身份证\n户口簿")
                 for i in range(30)]
        load_s, sum_s = load_cases(args.cases, villages, items)

    def mk(name, role, unit, **kw):
        user = User.objects.filter(username=name).first()
        return user or User.objects.create_user(name, password="x", role=role, jurisdiction=unit, **kw)

    users = {"村代办员(一个村)": mk("b_agent", Role.VILLAGE_AGENT, villages[0]),
             "乡镇工作人员(转办队列)": mk("b_town", Role.TOWNSHIP, towns[0]),
             "县级部门(民政)": mk("b_dept", Role.DEPARTMENT, counties[0], department="民政"),
             "县改革办": mk("b_office", Role.REFORM_OFFICE, counties[0]),
             "省级分析员": mk("b_prov", Role.ANALYST, prov)}
    rows = []
    c = Client()
    for label, user in users.items():
        c.force_login(user)
        rows.append((f"待办队列 · {label}", timed(c, "/services/")))
        rows.append((f"全部代办件第 1 页 · {label}", timed(c, "/services/?tab=all")))
    c.force_login(users["省级分析员"])
    rows.append(("全部代办件第 100 页 · 省级分析员", timed(c, "/services/?tab=all&page=100")))
    y0 = dt.date.today() - dt.timedelta(days=365)
    for label, user in (("县改革办(一县)", users["县改革办"]), ("省级分析员(全省)", users["省级分析员"])):
        c.force_login(user)
        rows.append((f"办件统计页 · {label}", timed(c, f"/services/measures/?from={y0}", runs=3)))
    c.force_login(users["省级分析员"])
    rows.append(("办件统计页 · 省级分析员(全省,今年以来,默认期间)", timed(c, "/services/measures/", runs=3)))
    m1, m2 = dt.date.today() - dt.timedelta(days=250), dt.date.today() - dt.timedelta(days=140)
    mid = (m1.replace(day=15), m2.replace(day=9))  # an arbitrary period: its two edge months are partial
    rows.append((f"办件统计页 · 省级分析员(全省,{mid[0]:%-m月%-d日}至{mid[1]:%-m月%-d日})",
                 timed(c, f"/services/measures/?from={mid[0]}&to={mid[1]}", runs=3)))

    concurrency = "Concurrency: not run (--clients 0)."
    if args.clients:
        # concurrent API clients on loopback
        from django.core.handlers.wsgi import WSGIHandler
        from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler

        class Quiet(WSGIRequestHandler):
            def log_message(self, *a):
                pass

        server = ThreadedWSGIServer(("127.0.0.1", 0), Quiet)
        server.set_app(WSGIHandler())
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        agent = users["村代办员(一个村)"]
        town = users["乡镇工作人员(转办队列)"]
        township_item = next(i for i in items if i.level == ItemLevel.TOWNSHIP)
        targets = [casework.take_case(agent, villages[0], township_item, "张三", "11010519491231002X")
                   for _ in range(args.clients * 4)]
        for t in targets:
            casework.transition(t, "forward", agent)
        token = tokens.issue(town)[1]
        latencies, outcomes, lock = [], {"ok": 0, "conflict": 0, "other": 0}, threading.Lock()

        def client(k):
            # two clients share each case: both try every step, with the version they last saw
            mine = [t.pk for j, t in enumerate(targets) if j % (args.clients // 2 or 1) == k % (args.clients // 2 or 1)]
            for pk in mine:
                for action, extra in (("start", {}), ("complete", {"result": "办结"})):
                    for _ in range(3):
                        req = urllib.request.Request(f"{base}/api/v1/service-cases/{pk}/", headers={"Authorization": f"Token {token}"})
                        t = time.perf_counter()
                        with urllib.request.urlopen(req) as r:
                            version = json.load(r)["version"]
                        body = json.dumps({"action": action, "version": version, **extra}).encode()
                        req = urllib.request.Request(f"{base}/api/v1/service-cases/{pk}/transition/", data=body, method="POST",
                                                     headers={"Authorization": f"Token {token}", "Content-Type": "application/json"})
                        try:
                            with urllib.request.urlopen(req) as r:
                                kind = "ok"
                        except urllib.error.HTTPError as e:
                            kind = "conflict" if e.code in (400, 409) else "other"
                        with lock:
                            latencies.append((time.perf_counter() - t) * 1000)
                            outcomes[kind] += 1
                        if kind != "other":
                            break

        t0 = time.perf_counter()
        threads = [threading.Thread(target=client, args=(k,)) for k in range(args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - t0
        server.shutdown()
        pks = [t.pk for t in targets]
        completed = Case.objects.filter(pk__in=pks, status=Status.COMPLETED, version=4).count()
        doubles = sum(1 for pk in pks for a in ("start", "complete") if CaseStep.objects.filter(case_id=pk, action=a).count() != 1)
        lat = sorted(latencies)
        p50, p95 = lat[len(lat) // 2], lat[int(len(lat) * 0.95)]
        concurrency = (
            f"Concurrency: {args.clients} API clients on a threaded WSGI server, two clients racing on each of "
            f"{len(pks)} cases (GET the version, POST start then complete): {outcomes['ok']} transitions applied, "
            f"{outcomes['conflict']} refused as already done (409/400), {outcomes['other']} other errors; "
            f"{completed}/{len(pks)} cases completed exactly once (version 4), {doubles} lost or double steps. "
            f"Request latency (GET + POST) p50 {p50:.0f} ms, p95 {p95:.0f} ms; {len(lat) / wall:.0f} requests/s.")

    n = Case.objects.count()
    body = ["## 便民服务 (services)", "",
            f"`benchmarks/services.py --cases {args.cases} --clients {args.clients}` on PostgreSQL (loopback, 2 shared cores), "
            f"{dt.date.today()}. Synthetic province: 20 counties, 300 townships, 3,000 villages; {n:,} cases loaded by COPY "
            f"{'in an earlier run' if load_s is None else f'in {load_s:.0f} s (monthly rollups summed in {sum_s:.0f} s)'}. Page times are medians of 5 (measures: 3) through the Django test client, rendering included.", "",
            "| page | ms |", "|---|---:|"] + [f"| {label} | {ms:.0f} |" for label, ms in rows] + [
            "", concurrency, ""]
    text = "\n".join(body)
    print(text)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    else:
        _django.write_section("便民服务 (services)", text)


if __name__ == "__main__":
    main()
