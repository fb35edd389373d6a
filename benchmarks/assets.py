"""Benchmark of the assets module at province scale, on PostgreSQL:

- a synthetic province (21 cities, 183 counties, 3,000 townships of which 600 abolished, 35,000 villages)
  and a ledger of 200,000 assets (bulk-loaded), 12,000 of them with completed revitalisation plans;
- the ledger list page with filters and the statistics page, as a province user and a county user
  (median of 5 requests after a warm-up; target under 300 ms);
- import of rows from .xlsx through the import framework (parse + one atomic write, every asset audited;
  the write runs inside core.audit.batch(), so the chain head moves once): all 50,000 rows by default.

Usage: python benchmarks/assets.py [--assets 200000] [--import-rows 50000] [--write-rows N] [--no-write | --out FILE]
Uses its own database (xiangcun_bench_assets), so it can run beside the other benchmarks. The section
goes into docs/benchmarks.md unless --no-write, or into FILE with --out.
"""
import argparse
import datetime as dt
import io
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _django  # noqa: E402

DB = "xiangcun_bench_assets"


def setup():
    os.environ["XIANGCUN_DATA_DIR"] = tempfile.mkdtemp(prefix="xiangcun-bench-assets-")
    _django.fresh_database(DB)
    _django.start_django()


def build_registry():
    """A province of bulk-created units with materialised paths (names unique, so import finds them)."""
    from xiangcun.divisions.models import Division, Kind, Level

    def bulk(rows):
        made = Division.objects.bulk_create(rows, batch_size=5000)
        for d in made:
            d.path = (d.parent.path if d.parent else "/") + f"{d.pk}/"
        Division.objects.bulk_update(made, ["path"], batch_size=5000)
        return made

    base = dt.date(2019, 10, 31)
    prov = bulk([Division(name="基准省", code="990000000000", level=Level.PROVINCE, kind=Kind.PROVINCE, valid_from=base,
                          subtree_complete=True)])[0]
    cities = bulk([Division(name=f"基准{c + 1}州", code=f"99{c + 1:02d}00000000", level=Level.CITY, kind=Kind.CITY,
                            parent=prov, valid_from=base) for c in range(21)])
    counties = bulk([Division(name=f"基准{k + 1}县", code=f"99{k // 9 + 1:02d}{k % 9 + 1:02d}000000", level=Level.COUNTY,
                              kind=Kind.COUNTY, parent=cities[k % 21], valid_from=base) for k in range(183)])
    townships = bulk([Division(name=f"基准{t + 1}镇", code="", level=Level.TOWNSHIP, kind=Kind.TOWN,
                               parent=counties[t % 183], valid_from=base,
                               valid_to=dt.date(2020, 6, 30) if t % 5 == 0 else None) for t in range(3000)])
    villages = bulk([Division(name=f"基准{v + 1}村", code="", level=Level.VILLAGE, kind=Kind.VILLAGE,
                              parent=townships[v % 3000], valid_from=base) for v in range(35000)])
    return prov, counties, townships, villages


def build_ledger(n, townships, villages):
    from xiangcun.assets.models import Asset, Category, Plan, PlanStatus, Route, Status

    rng = random.Random(1)
    successor = {t.pk: townships[i + 1] for i, t in enumerate(townships) if t.valid_to}  # merged into the next one
    cats, stats_ = Category.values, Status.values
    batch, plans = [], []
    for i in range(n):
        holder = rng.choice(townships) if i % 4 == 0 else rng.choice(villages)
        custodian = successor.get(holder.pk, holder)
        status = rng.choice(stats_)
        batch.append(Asset(ledger_no=f"B{i:07d}", name=f"资产{i}", category=rng.choice(cats), holder=holder,
                           custodian=custodian, holder_path=holder.path, custodian_path=custodian.path,
                           floor_area=Decimal(rng.randrange(50, 3000)),
                           valuation=Decimal(rng.randrange(10, 500)) * 10000, valuation_date=dt.date(2023, 1, 1),
                           status=status, status_since=dt.date(2021 + i % 4, 1 + i % 12, 1),
                           lon=102 + rng.random(), lat=30 + rng.random()))
        if len(batch) == 10000:
            Asset.objects.bulk_create(batch)
            batch = []
    Asset.objects.bulk_create(batch)
    done = Asset.objects.filter(status__in=[Status.REVITALISED, Status.DISPOSED]).values_list("pk", "status")[:12000]
    for pk, status in done:
        route = rng.choice([Route.PUBLIC_USE, Route.INDUSTRY]) if status == Status.REVITALISED else Route.SALE
        plans.append(Plan(asset_id=pk, route=route, status=PlanStatus.DONE, new_use="elderly_care", lessee="合作社",
                          annual_rent=Decimal(36000), term_start=dt.date(2022, 1, 1), term_end=dt.date(2027, 12, 31),
                          buyer="某公司", sale_price=Decimal(500000), approval_document="文号",
                          outcome_date=dt.date(2021 + pk % 4, 6, 1)))
    Plan.objects.bulk_create(plans, batch_size=5000)


def timed(client, url, repeat=5):
    client.get(url)  # warm-up
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        r = client.get(url)
        runs.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200, (url, r.status_code)
    return round(statistics.median(runs))


def import_sheet(rows, villages):
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("台账")
    ws.append(["资产编号", "资产名称", "资产类别", "原权属单位", "建筑面积(㎡)", "取得日期", "房产证号", "评估价值(元)", "评估日期"])
    rng = random.Random(2)
    for i in range(rows):
        ws.append([f"IMP-{i:06d}", f"导入资产{i}", "办公用房", rng.choice(villages).name, 100 + i % 900, "2010-05-01",
                   f"川(2019)基准县不动产权第{i:07d}号" if i % 2 else "无证", 200000, "2023-05-01"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def run(n_assets, n_import, n_write):
    setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from xiangcun.accounts.models import Role, User
    from xiangcun.assets.imports import AssetImporter
    from xiangcun.assets.models import Asset
    from xiangcun.divisions.models import Division

    setup_test_environment()
    out = []
    t = time.perf_counter()
    prov, counties, townships, villages = build_registry()
    build_ledger(n_assets, townships, villages)
    with connection.cursor() as c:
        c.execute("ANALYZE")
    out.append({"bench": "load", "assets": Asset.objects.count(), "seconds": round(time.perf_counter() - t, 1)})
    province_user = User.objects.create_user("prov", password="x", role=Role.REFORM_OFFICE, jurisdiction=prov)
    county = counties[5]
    county_user = User.objects.create_user("county", password="x", role=Role.DEPARTMENT, jurisdiction=county,
                                           department="财政")
    township = Division.objects.filter(parent=county, valid_to__isnull=True).first()
    for label, user in (("province", province_user), ("county", county_user)):
        client = Client()
        client.force_login(user)
        pages = {
            "list": "/assets/",
            "list_filtered": "/assets/?status=idle&category=school&custody=moved",
            "list_search": "/assets/?q=B00123",
            "list_unit_idle_months": f"/assets/?unit={township.pk}&idle_months=12",
            "list_page_100": "/assets/?status=in_use&page=100" if label == "province" else "/assets/?page=5",
            "stats": "/assets/stats/",
            "stats_period": "/assets/stats/?from=2023-01-01&to=2023-12-31&idle_months=24",
        }
        for name, url in pages.items():
            out.append({"bench": f"{label}_{name}", "url": url, "ms": timed(client, url)})
            print(json.dumps(out[-1], ensure_ascii=False), flush=True)
    sheet = import_sheet(n_import, villages[:3000])
    t = time.perf_counter()
    importer = AssetImporter(scope=Division.objects.visible_to(province_user), user=province_user)
    result = importer.parse(sheet)
    parse_s = time.perf_counter() - t
    print(json.dumps({"bench": "import_parse", "rows": n_import, "seconds": round(parse_s, 1)}), flush=True)
    assert result.ok, result.errors[:5]
    t = time.perf_counter()
    counts = importer.import_rows(result.rows[:n_write])
    write_s = time.perf_counter() - t
    assert not counts.errors and counts.created == min(n_write, n_import), counts.errors[:5]
    out.append({"bench": "import_xlsx", "rows": n_import, "written": counts.created, "bytes": len(sheet),
                "parse_s": round(parse_s, 1),
                "write_s": round(write_s, 1), "peak_mb": round(_django.peak_mb())})
    print(json.dumps(out[-1], ensure_ascii=False), flush=True)
    return out


def markdown(results, n_assets) -> str:
    by = {r["bench"]: r for r in results}
    lines = [
        "## 公有资产 (assets)", "",
        f"Measured {dt.date.today()} on this project's machine (2 cores, CPython {platform.python_version()}), "
        "`python benchmarks/assets.py`, PostgreSQL. A synthetic province (21 cities, 183 counties, 3,000 "
        f"townships of which 600 abolished, 35,000 villages) with {n_assets:,} bulk-loaded assets "
        f"(load {by['load']['seconds']} s). Page times are the median of 5 requests through the Django test "
        "client after a warm-up (full view + template render, no network). Target: under 300 ms.", "",
        "| page | province user | county user |", "|---|---:|---:|",
    ]
    for name, text in (("list", "ledger list, no filter"), ("list_filtered", "idle schools of abolished units"),
                       ("list_search", "search by ledger number"), ("list_unit_idle_months", "one township, idle > 12 months"),
                       ("list_page_100", "a deep page"), ("stats", "statistics (2021 → today)"),
                       ("stats_period", "statistics, 2023, idle > 24 months")):
        lines.append(f"| {text} | {by['province_' + name]['ms']} ms | {by['county_' + name]['ms']} ms |")
    imp = by["import_xlsx"]
    lines += ["", f"Import of a {imp['rows']:,}-row .xlsx ({imp['bytes'] / 1e6:.1f} MB) by a province user: parse and "
              f"check every row (nothing written) {imp['parse_s']} s; one atomic audited write of "
              f"{imp['written']:,} rows (inside `core.audit.batch()`) {imp['write_s']} s; peak memory "
              f"{imp['peak_mb']} MB."]
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--assets", type=int, default=200_000)
    parser.add_argument("--import-rows", type=int, default=50_000, help="rows in the sheet (all parsed and checked)")
    parser.add_argument("--write-rows", type=int, default=None,
                        help="of which written (audited, one transaction); default all")
    parser.add_argument("--no-write", action="store_true", help="print results only, leave docs/benchmarks.md alone")
    parser.add_argument("--out", help="write the markdown section to this file instead of docs/benchmarks.md")
    args = parser.parse_args()
    write_rows = args.import_rows if args.write_rows is None else args.write_rows
    results = run(args.assets, args.import_rows, write_rows)
    if args.out:
        Path(args.out).write_text(markdown(results, args.assets), encoding="utf-8")
    elif not args.no_write:
        _django.write_section("公有资产 (assets)", markdown(results, args.assets))


if __name__ == "__main__":
    main()
