"""Benchmark of task supervision (督查督办) on PostgreSQL: the task list and the ranking pages over a province.

    .venv/bin/python benchmarks/supervision.py [--tasks 20000] [--reports 200000] [--runs 7] [--out FILE] [--reuse]

It uses its own PostgreSQL database (xiangcun_bench_supervision). --reuse keeps a database loaded by an earlier run
instead of rebuilding it; --out writes the section to FILE instead of docs/benchmarks.md.

Builds a synthetic province (20 counties × 15 townships × 10 villages), each county with ten departments and each
township its 人民政府; spreads the tasks over the counties (key tasks, measures, one assignment per township under
a third of the measures), and the reports over twelve monthly rounds per county (most accepted, some returned or late),
with 督办单 on a tenth of the tasks. Times each page through the Django test client: median and worst of --runs
(after one warm-up request, which is reported on its own: the list recomputes the statuses not computed today).
"""
import argparse
import datetime as dt
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _django  # noqa: E402

DB = "xiangcun_bench_supervision"
DEPARTMENTS = ("改革办", "教育", "交通运输", "财政", "民政", "卫健", "自然资源", "农业农村", "政务服务管理", "司法")


def setup(reuse: bool) -> bool:
    import os
    import tempfile

    data = Path(tempfile.gettempdir()) / DB
    data.mkdir(exist_ok=True)
    os.environ["XIANGCUN_DATA_DIR"] = str(data)
    kept = _django.fresh_database(DB, reuse)
    _django.start_django()
    if kept:
        from xiangcun.supervision.models import Task

        kept = Task.objects.exists()
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
    counties = bulk([Division(name=f"县{c}", level=Level.COUNTY, kind=Kind.COUNTY, parent=prov, code=f"99{c:02d}00000000")
                     for c in range(20)], {prov.pk: prov})
    cmap = {c.pk: c for c in counties}
    towns = bulk([Division(name=f"县{ci}镇{t}", level=Level.TOWNSHIP, kind=Kind.TOWN, parent=c)
                  for ci, c in enumerate(counties) for t in range(15)], cmap)
    tmap = {t.pk: t for t in towns}
    bulk([Division(name=f"{t.name}村{v}", level=Level.VILLAGE, kind=Kind.VILLAGE, parent=t)
          for t in towns for v in range(10)], tmap)
    return prov, counties, towns


def load(counties, towns, n_tasks: int, n_reports: int):
    """Bodies, tasks, rounds, reports and notices by bulk inserts (what the import and the cycle would write)."""
    from django.db import connection

    from xiangcun.bodies.models import Body, BodyKind
    from xiangcun.supervision.models import (
        Notice,
        ReportStatus,
        Round,
        Section,
        Status,
        Task,
        TaskLevel,
    )

    rng = random.Random(3)
    today = dt.date.today()
    year = today.year
    depts = {c.pk: Body.objects.bulk_create([Body(name=f"{c.name}{d}局", short_name=d, kind=BodyKind.COUNTY_DEPARTMENT, unit=c)
                                             for d in DEPARTMENTS]) for c in counties}
    govs = {}
    for t in towns:
        govs.setdefault(t.parent_id, []).append(t)
    govs = {cid: Body.objects.bulk_create([Body(name=f"{t.name}人民政府", short_name="政府",
                                                kind=BodyKind.TOWNSHIP_GOVERNMENT, unit=t) for t in ts])
            for cid, ts in govs.items()}
    sections = list(Section.values)
    per_county = n_tasks // len(counties)
    statuses = [Status.ON_TRACK] * 5 + [Status.AT_RISK] * 2 + [Status.OVERDUE] * 1 + [Status.DONE] * 1 + [Status.CLOSED] * 1
    t0 = time.perf_counter()
    tasks = []
    for c in counties:
        made, k = 0, 0
        while made < per_county:
            k += 1
            key = Task(county=c, number=str(k), level=TaskLevel.KEY, title=f"重点任务{k}", section=sections[k % 6],
                       lead=depts[c.pk][0], deadline=dt.date(year, 12, 31), status_on=today)
            key.save()
            made += 1
            for m in range(1, 9):
                if made >= per_county:
                    break
                st = rng.choice(statuses)
                measure = Task(county=c, number=f"{k}.{m}", level=TaskLevel.MEASURE, parent=key,
                               title=f"具体措施{k}.{m}", content="措施内容" * 10, section=key.section,
                               lead=rng.choice(depts[c.pk][1:]), leader="副县长",
                               start=dt.date(year, 1, 1), deadline=dt.date(year, rng.randint(3, 12), 28),
                               status=st, status_on=today, percent=rng.choice([0, 20, 40, 60, 80, 100]),
                               closed_on=today if st == Status.CLOSED else None)
                tasks.append(measure)
                made += 1
                if m % 3 == 0:  # broken down to every township
                    Task.objects.bulk_create([measure])
                    subs = [Task(county=c, number=f"{k}.{m}.{i}", level=TaskLevel.ASSIGNMENT, parent=measure,
                                 title=measure.title, section=key.section, lead=g, start=measure.start,
                                 deadline=measure.deadline, status=rng.choice(statuses), status_on=today,
                                 percent=rng.choice([0, 50, 100]))
                            for i, g in enumerate(govs[c.pk], start=1) if made + i <= per_county]
                    tasks += subs
                    made += len(subs)
                    Task.objects.bulk_create(subs)
        Task.objects.bulk_create([t for t in tasks if t.pk is None])
    leaves = list(Task.objects.filter(children__isnull=True).exclude(level=TaskLevel.KEY)
                  .values_list("pk", "county_id", "lead_id"))
    rounds = {c.pk: Round.objects.bulk_create([Round(county=c, title=f"{year}年{m}月", period_start=dt.date(year, m, 1),
                                                     period_end=dt.date(year, m, 28), due=dt.date(year, m, 25))
                                               for m in range(1, 13)]) for c in counties}
    now = dt.datetime.now(dt.UTC)
    written = 0
    with connection.cursor() as cur:
        cols = ("task_id", "round_id", "body_id", "text", "percent", "status", "submitted_at", "late", "reason",
                "reviewed_at", "returns")
        with cur.copy(f"COPY supervision_report ({', '.join(cols)}) FROM STDIN") as copy:
            for r in range(12):
                for pk, county_id, lead_id in leaves:
                    if written >= n_reports:
                        break
                    st = rng.choice([ReportStatus.ACCEPTED] * 7 + [ReportStatus.RETURNED, ReportStatus.SUBMITTED])
                    copy.write_row((pk, rounds[county_id][r].pk, lead_id, "本月进展", min(100, 9 * (r + 1)), st, now,
                                    rng.random() < 0.15, "补材料" if st == ReportStatus.RETURNED else "", now,
                                    1 if st == ReportStatus.RETURNED else 0))
                    written += 1
    notices = [Notice(task_id=pk, county_id=county_id, body_id=lead_id, year=year, seq=i + 1, issued=today,
                      reply_due=today + dt.timedelta(days=7), matter="请加快推进")
               for i, (pk, county_id, lead_id) in enumerate(leaves[::10])]
    Notice.objects.bulk_create(notices, batch_size=2000)
    with connection.cursor() as cur:
        for table in ("supervision_task", "supervision_report", "supervision_notice", "supervision_round", "bodies_body"):
            cur.execute(f"VACUUM ANALYZE {table}")
    return Task.objects.count(), written, time.perf_counter() - t0


def timed(client, url, runs):
    t = time.perf_counter()
    r = client.get(url)
    assert r.status_code == 200, (url, r.status_code)
    first = (time.perf_counter() - t) * 1000
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        r = client.get(url)
        assert r.status_code == 200, (url, r.status_code)
        times.append((time.perf_counter() - t) * 1000)
    return first, statistics.median(times), max(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tasks", type=int, default=20_000)
    ap.add_argument("--reports", type=int, default=200_000)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--out", help="write the section to this file instead of docs/benchmarks.md")
    ap.add_argument("--reuse", action="store_true")
    args = ap.parse_args()
    kept = setup(args.reuse)
    from django.test import Client

    from xiangcun.accounts.models import Role, User
    from xiangcun.divisions.models import Division, Level
    from xiangcun.supervision import assessment
    from xiangcun.supervision.models import Report, Task

    if kept:
        tree = Division.objects.order_by("pk")
        prov = tree.get(level=Level.PROVINCE)
        counties, towns = (list(tree.filter(level=lv)) for lv in (Level.COUNTY, Level.TOWNSHIP))
        load_s = None
    else:
        prov, counties, towns = build_tree()
        _, _, load_s = load(counties, towns, args.tasks, args.reports)
    n_tasks, n_reports = Task.objects.count(), Report.objects.count()

    def mk(name, role, unit):
        return User.objects.filter(username=name).first() or User.objects.create_user(name, password="x", role=role,
                                                                                        jurisdiction=unit)

    office = mk("b_office", Role.REFORM_OFFICE, counties[0])
    town = mk("b_town", Role.TOWNSHIP, towns[0])
    analyst = mk("b_prov", Role.ANALYST, prov)
    c = Client()
    rows = []
    year = dt.date.today().year
    county = counties[0]
    for label, user, url in (
            ("任务清单第 1 页 · 县改革办(一县)", office, "/supervision/"),
            ("任务清单 · 县改革办,逾期筛选", office, "/supervision/?status=overdue"),
            ("任务清单第 10 页 · 县改革办", office, "/supervision/?page=10"),
            ("任务清单第 1 页 · 乡镇(本乡镇的分解任务)", town, "/supervision/"),
            ("任务清单第 1 页 · 省级分析员(全省)", analyst, "/supervision/"),
            ("任务清单第 100 页 · 省级分析员(全省)", analyst, "/supervision/?page=100"),
            ("考核排名 · 县改革办(实时计算)", office, f"/supervision/ranking/?year={year}&live=1")):
        c.force_login(user)
        rows.append((label, *timed(c, url, args.runs)))
    t = time.perf_counter()
    publication = assessment.publish(office, county, year, "基准测试")
    publish_ms = (time.perf_counter() - t) * 1000
    c.force_login(office)
    rows.append(("考核排名 · 县改革办(已发布版本)", *timed(c, f"/supervision/ranking/?year={year}&version={publication.version}",
                                                 args.runs)))
    c.force_login(analyst)
    rows.append(("考核排名 · 省级分析员(选定一县,已发布版本)",
                 *timed(c, f"/supervision/ranking/?year={year}&scope={county.pk}", args.runs)))
    per_county = Task.objects.filter(county=county).count()
    body = [
        "## Task supervision (督查督办) on PostgreSQL",
        "",
        f"`benchmarks/supervision.py`, {dt.date.today():%Y-%m-%d}: a synthetic province of 20 counties × 15 townships "
        f"× 10 villages, {n_tasks:,} tasks ({per_county:,} in the county timed; key tasks, measures, and one "
        f"assignment per township under every third measure), {n_reports:,} reports over twelve monthly rounds, 督办单 on "
        f"a tenth of the tasks" + (f"; loaded in {load_s:.0f} s" if load_s else "") + ". Pages through the Django "
        f"test client; one warm-up request, then the median and worst of {args.runs}. Machine: 2 cores shared "
        "with other work.",
        "",
        "| Page | first request (ms) | median (ms) | worst (ms) |",
        "|---|---:|---:|---:|",
        *[f"| {label} | {first:.0f} | {med:.0f} | {worst:.0f} |" for label, first, med, worst in rows],
        "",
        f"Publishing the county's ranking (computing it and freezing {len(publication.result['bodies'])} bodies' and "
        f"{len(publication.result['townships'])} townships' rows with their facts): {publish_ms:.0f} ms. "
        f"Peak memory {_django.peak_mb():.0f} MB.",
    ]
    text = "\n".join(body)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    else:
        _django.write_section("Task supervision (督查督办) on PostgreSQL", text)
    print(text)


if __name__ == "__main__":
    main()
