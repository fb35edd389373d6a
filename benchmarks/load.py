"""Load test: a province's role mix against two web servers and two job workers on this machine.

    .venv/bin/python benchmarks/load.py [--reuse] [--steps 25,50,100,200] [--seconds 60] [--think 3,10]
    .venv/bin/python benchmarks/load.py --smoke        (SQLite, a few users for a few seconds; CI runs it)

Full run: PostgreSQL database xiangcun_bench_load with a province built by the assets and services
benchmarks' generators (183 counties, 3,000 townships, 35,000 villages; 200,000 assets; 1,000,000
proxy-service cases), Redis for cache, sessions and lock-outs, two `xiangcun serve` instances
(3 processes × 4 threads each) and two `xiangcun worker`s. Locust (benchmarks/locustfile.py) steps
through the user counts; users think 3–10 s between clicks (a civil servant reading a page). Every
step prints throughput and p50/p95/p99 per page; afterwards the database is compared with what the
clients were told: every case a client saw created exists once, every transition it saw applied is
recorded once. Results go to docs/benchmarks.md ("Load test").
"""
import argparse
import csv
import glob
import importlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import _django  # noqa: E402

ROOT = _django.ROOT
BIN = ROOT / ".venv" / "bin"
DB = "xiangcun_bench_load"
REDIS = "redis://127.0.0.1:6379/13"
PASSWORD = "load-test-pass-2026"


def setup_django(smoke: bool, reuse: bool) -> bool:
    import psycopg  # noqa: F401

    data = Path(tempfile.gettempdir()) / (DB + ("_smoke" if smoke else ""))
    if smoke and data.exists():
        import shutil

        shutil.rmtree(data)
    data.mkdir(exist_ok=True)  # kept between full runs: it holds the key the cases were encrypted with
    os.environ["XIANGCUN_DATA_DIR"] = str(data)
    os.environ["REDIS_URL"] = REDIS
    kept = False
    if smoke:
        os.environ.pop("DATABASE_URL", None)
    else:
        kept = _django.fresh_database(DB, reuse)
    _django.start_django()
    if kept:
        from xiangcun.services.models import Case

        kept = Case.objects.exists()
    return kept


def build_data(smoke: bool):
    """The province (or, for the smoke run, a small one) with assets and cases; returns its units."""
    from xiangcun.services.models import ItemLevel, ServiceItem

    bench_services = importlib.import_module("services")
    if smoke:
        import datetime as dt

        from xiangcun.accounts.models import Role, User
        from xiangcun.assets.models import Asset
        from xiangcun.divisions.models import Division
        from xiangcun.services import casework

        prov, counties, towns, villages = bench_services.build_tree()
        Division.objects.update(valid_from=dt.date(2019, 10, 31))  # as the real registry's units carry
        add_versions()
        items = make_items(ServiceItem, ItemLevel)
        agent = User.objects.create_user("seed_agent", password=PASSWORD, role=Role.VILLAGE_AGENT, jurisdiction=villages[0])
        for i in range(30):
            case = casework.take_case(agent, villages[0], items[1], f"居民{i}", "11010519491231002X")
            casework.transition(case, "forward", agent)
        Asset.objects.bulk_create([Asset(ledger_no=f"S{i:05d}", name=f"资产{i}", category="office", holder=towns[i % 10],
                                         custodian=towns[i % 10], holder_path=towns[i % 10].path,
                                         custodian_path=towns[i % 10].path) for i in range(200)])
        return prov, counties, towns, villages, items
    bench_assets = importlib.import_module("assets")
    t0 = time.perf_counter()
    prov, counties, towns, villages = bench_assets.build_registry()
    add_versions()
    bench_assets.build_ledger(200_000, towns, villages)
    items = make_items(ServiceItem, ItemLevel)
    bench_services.load_cases(1_000_000, villages, items)
    # forwarded cases of the sampled townships for the township staff to start under load
    print(f"province built in {time.perf_counter() - t0:.0f} s", flush=True)
    return prov, counties, towns, villages, items


def add_versions():
    """The generators bulk-create units only; the registry keeps a version per unit (name, code, parent
    over time) that the dashboard and statistics read."""
    from xiangcun.divisions.models import Division, DivisionVersion

    DivisionVersion.objects.bulk_create(
        [DivisionVersion(division_id=d.pk, code=d.code, name=d.name, level=d.level, kind=d.kind, parent_id=d.parent_id,
                         path=d.path, valid_from=d.valid_from, valid_to=d.valid_to)
         for d in Division.objects.filter(versions__isnull=True).iterator(chunk_size=5000)], batch_size=5000)


def make_items(ServiceItem, ItemLevel):
    return [ServiceItem.objects.get_or_create(code=f"B-{i:03d}", defaults=dict(
        name=f"事项{i}", category="民政" if i % 2 else "社会保障", level=ItemLevel.COUNTY if i % 3 == 0 else ItemLevel.TOWNSHIP,
        department="民政", time_limit=[1, 5, 10, 20][i % 4], materials="身份证\n户口簿"))[0] for i in range(30)]


def units_again():
    from xiangcun.divisions.models import Division, Level
    from xiangcun.services.models import ServiceItem

    tree = Division.objects.order_by("pk")
    return (tree.get(level=Level.PROVINCE), list(tree.filter(level=Level.COUNTY)),
            list(tree.filter(level=Level.TOWNSHIP, valid_to__isnull=True)), list(tree.filter(level=Level.VILLAGE)),
            list(ServiceItem.objects.filter(code__startswith="B-").order_by("code")))


def issue_token(user) -> str:
    from xiangcun.accounts import tokens

    return tokens.issue(user)[1]


def make_accounts(prov, counties, towns, villages, items, smoke: bool) -> dict:
    from django.contrib.auth.hashers import make_password

    from xiangcun.accounts.models import Role, User
    from xiangcun.services.models import Case, ItemLevel, Status

    hashed = make_password(PASSWORD)
    n = {"township": 4, "agent": 4, "county": 3, "api": 3} if smoke else {"township": 60, "agent": 100, "county": 15, "api": 20}
    busy_towns = list(dict.fromkeys(Case.objects.filter(status=Status.FORWARDED, handler_level="township")
                                    .values_list("handler_unit_id", flat=True)[:5000]))
    towns_by_pk = {t.pk: t for t in towns}
    town_pool = [towns_by_pk[pk] for pk in busy_towns if pk in towns_by_pk] or towns
    township_items = [i.pk for i in items if i.level == ItemLevel.TOWNSHIP]

    def user(name, role, unit, **kw):
        u = User.objects.filter(username=name).first()
        if u is None:
            u = User(username=name, role=role, jurisdiction=unit, password=hashed, **kw)
            u.save()
        return u

    accounts = {"township": [], "agent": [], "county": [], "api": []}
    for i in range(n["township"]):
        u = user(f"load_town{i}", Role.TOWNSHIP, town_pool[i % len(town_pool)])
        accounts["township"].append({"username": u.username, "password": PASSWORD, "token": issue_token(u)})
    for i in range(n["agent"]):
        v = villages[(i * 97) % len(villages)]
        u = user(f"load_agent{i}", Role.VILLAGE_AGENT, v)
        accounts["agent"].append({"username": u.username, "password": PASSWORD, "token": issue_token(u),
                                  "village": v.pk, "items": township_items})
    for i in range(n["county"]):
        if i % 3 == 2:
            u = user(f"load_prov{i}", Role.ANALYST, prov)
        else:
            u = user(f"load_county{i}", Role.REFORM_OFFICE, counties[i % len(counties)])
        accounts["county"].append({"username": u.username, "password": PASSWORD})
    for i in range(n["api"]):
        u = user(f"load_api{i}", Role.ANALYST if i % 2 else Role.REFORM_OFFICE, prov if i % 2 else counties[i % len(counties)])
        accounts["api"].append({"username": u.username, "password": PASSWORD, "token": issue_token(u)})
    return accounts


def start(cmd, env, log):
    return subprocess.Popen(cmd, env=env, stdout=open(log, "w"), stderr=subprocess.STDOUT)


def wait_up(port, timeout=60):
    import urllib.request

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            if urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).status == 200:
                return True
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"web server on port {port} did not start")


def run_step(users, seconds, hosts, think, out, accounts_file, env) -> dict:
    prefix = str(out / f"step{users}")
    for _f in glob.glob(str(out / "ledger.*.json")):
        pass
    cmd = [str(BIN / "locust"), "-f", str(HERE / "locustfile.py"), "--headless", "-u", str(users),
           "-r", str(max(2, users // 10)), "-t", f"{seconds}s", "--csv", prefix, "--only-summary",
           "--host", hosts[0], "--stop-timeout", "15"]
    lenv = {**env, "LOAD_USERS": accounts_file, "LOAD_HOSTS": ",".join(hosts), "LOAD_THINK": think,
            "LOAD_OUT": str(out / "ledger")}
    subprocess.run(cmd, env=lenv, stdout=subprocess.DEVNULL, stderr=open(out / f"locust{users}.log", "w"))
    rows = list(csv.DictReader(open(prefix + "_stats.csv", encoding="utf-8")))
    failures = list(csv.DictReader(open(prefix + "_failures.csv", encoding="utf-8")))
    return {"users": users, "rows": rows, "failures": failures}


def pct(row, key):
    value = row.get(key) or "0"
    return float(value) if value not in ("N/A", "") else 0.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--reuse", action="store_true")
    ap.add_argument("--steps", default="25,50,100,200")
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--think", default="3,10", help="seconds between a user's clicks: min,max")
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    if args.smoke:
        args.steps, args.seconds, args.think = "6", 8, "0.5,1.5"
    kept = setup_django(args.smoke, args.reuse)
    units = units_again() if kept else build_data(args.smoke)
    accounts = make_accounts(*units, smoke=args.smoke)
    out = Path(tempfile.mkdtemp(prefix="xiangcun-load-"))
    accounts_file = str(out / "accounts.json")
    json.dump(accounts, open(accounts_file, "w", encoding="utf-8"))

    from xiangcun.services.models import Case, CaseStep

    before_cases = Case.objects.count()
    env = {**os.environ}
    procs, ports = [], [8811, 8812]
    workers_per_server = "2" if args.smoke else "3"
    try:
        for port in ports:
            procs.append(start([str(BIN / "xiangcun"), "serve", "--bind", f"127.0.0.1:{port}", "--workers",
                                workers_per_server, "--threads", "4"], {**env, "XIANGCUN_ACCESS_LOG": ""},
                               out / f"web{port}.log"))
        for k in range(1 if args.smoke else 2):
            procs.append(start([str(BIN / "xiangcun"), "worker", "--interval", "1", "--no-reload"], env,
                               out / f"worker{k}.log"))
        for port in ports:
            wait_up(port)
        hosts = [f"http://127.0.0.1:{p}" for p in ports]
        steps = []
        for users in [int(x) for x in args.steps.split(",")]:
            load0 = os.getloadavg()[0]
            step = run_step(users, args.seconds, hosts, args.think, out, accounts_file, env)
            step["load"] = os.getloadavg()[0]
            total = next(r for r in step["rows"] if r["Name"] == "Aggregated")
            print(f"{users:>4} users: {pct(total, 'Requests/s'):6.1f} req/s, p50 {pct(total, '50%'):.0f} ms, "
                  f"p95 {pct(total, '95%'):.0f} ms, p99 {pct(total, '99%'):.0f} ms, "
                  f"failures {int(pct(total, 'Failure Count'))} of {int(pct(total, 'Request Count'))} "
                  f"(load {load0:.1f}→{step['load']:.1f})", flush=True)
            steps.append(step)
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(60)
            except subprocess.TimeoutExpired:
                p.kill()

    ledgers = [json.load(open(f)) for f in glob.glob(str(out / "ledger.*.json"))]
    created = [pk for led in ledgers for pk in led["created"]]
    applied = [pk for led in ledgers for pk in led["applied"]]
    conflicts = sum(led["conflicts"] for led in ledgers)
    new_cases = Case.objects.count() - before_cases
    exist = Case.objects.filter(pk__in=created).count()
    starts = CaseStep.objects.filter(case_id__in=applied, action="start").values_list("case_id", flat=True)
    doubled = len(starts) - len(set(starts))
    ok_writes = new_cases == len(created) == exist == len(set(created)) and len(set(starts)) == len(set(applied)) \
        and doubled == 0 and len(applied) == len(set(applied))
    verdict = (f"cases the clients were told were created: {len(created):,}; new cases in the database: {new_cases:,}; "
               f"of those ids present: {exist:,}; transitions told applied: {len(applied):,}, recorded once: "
               f"{len(set(starts)):,}, doubled: {doubled}; refused as already taken (409): {conflicts:,} → "
               + ("no write lost or doubled" if ok_writes else "MISMATCH"))
    print(verdict)
    errors = sum(int(pct(next(r for r in s["rows"] if r["Name"] == "Aggregated"), "Failure Count")) for s in steps)
    if not args.no_write and not args.smoke:
        write_doc(steps, verdict, args)
    if errors or not ok_writes:
        for s in steps:
            for f in s["failures"][:10]:
                print("failure:", f.get("Method"), f.get("Name"), f.get("Error"), f.get("Occurrences"))
        sys.exit(1)


def write_doc(steps, verdict, args):
    lines = ["## Load test (Locust, PostgreSQL)\n",
             f"`benchmarks/load.py --steps {args.steps} --seconds {args.seconds} --think {args.think}` on "
             f"{time.strftime('%Y-%m-%d')}: a province (183 counties, 3,000 townships, 35,000 villages, 200,000 assets, "
             "1,000,000 cases) on PostgreSQL, Redis, two `xiangcun serve` instances (3 processes × 4 threads) and two "
             "job workers, Locust on the same 2-core machine. Role mix by weight: township staff 40 (queues, ledger, "
             "starting forwarded cases through the API), village agents 25 (queue, taking cases through the API), "
             "API clients 20, county office and province analysts 15 (dashboard, statistics).\n",
             "| users | req/s | p50 ms | p95 ms | p99 ms | failures | load avg |", "|---|---|---|---|---|---|---|"]
    for s in steps:
        t = next(r for r in s["rows"] if r["Name"] == "Aggregated")
        lines.append(f"| {s['users']} | {pct(t, 'Requests/s'):.1f} | {pct(t, '50%'):.0f} | {pct(t, '95%'):.0f} | "
                     f"{pct(t, '99%'):.0f} | {int(pct(t, 'Failure Count'))} / {int(pct(t, 'Request Count'))} | {s['load']:.1f} |")
    last = steps[-1]
    lines += ["", f"Per page at {last['users']} users:", "", "| page | requests | p50 ms | p95 ms | p99 ms |", "|---|---|---|---|---|"]
    for r in sorted(last["rows"], key=lambda r: -pct(r, "95%")):
        if r["Name"] == "Aggregated":
            continue
        lines.append(f"| {r['Type']} {r['Name']} | {int(pct(r, 'Request Count'))} | {pct(r, '50%'):.0f} | "
                     f"{pct(r, '95%'):.0f} | {pct(r, '99%'):.0f} |")
    lines += ["", f"Writes: {verdict}."]
    _django.write_section("Load test (Locust, PostgreSQL)", "\n".join(lines))


if __name__ == "__main__":
    main()
