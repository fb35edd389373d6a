"""Demo data of the facilities module for the demo county: schools, clinics and elderly-care facilities
whose loads show the real contrast (an overcrowded town school with 大班额 classes, half-empty village
schools), village cohorts for 2021–2023, a generated road network that follows the valleys (county seat
→ township seats → villages), candidate sites (an idle village office, idle premises at the seats of
townships without elderly care), mutual-aid elderly points in every third village, and three scenarios
solved on the spot.

Idempotent: nothing is added when the county already has facilities.
"""
from __future__ import annotations

import math
import random

from django.db import transaction

from xiangcun.accounts.models import User
from xiangcun.divisions.models import Division, Level
from xiangcun.divisions.scoping import subtree_q

from . import planning
from .models import CandidateSite, Cohort, Facility, RunStatus, SchoolGrade, TravelMode, TravelSetting

YEARS = (2021, 2022, 2023)


def load_module(county: Division, log=print) -> None:
    if Facility.objects.filter(subtree_q(county, "unit__path")).exists():
        return
    with transaction.atomic():
        n = _generate(county)
    owner = User.objects.filter(username="gaigeban").first()
    solved = _scenarios(county, owner)
    log(f"生成设施布局演示数据:设施 {n} 处、分龄人口 {Cohort.objects.filter(subtree_q(county, 'unit__path')).count()} 条、"
        f"道路网络 1 套、布局方案 {solved} 个(已求解)")


def _townships(county):
    return list(Division.objects.filter(parent=county, level=Level.TOWNSHIP, valid_to__isnull=True, lon__isnull=False)
                .order_by("code"))


def _villages(township):
    return list(Division.objects.filter(parent=township, level=Level.VILLAGE, valid_to__isnull=True, lon__isnull=False)
                .order_by("code"))


def _km(a, b):
    dx = (a[0] - b[0]) * 111.3 * math.cos(math.radians(a[1]))
    dy = (a[1] - b[1]) * 111.3
    return math.hypot(dx, dy)


def _generate(county) -> int:
    rng = random.Random(513201)
    prng = random.Random(513202)  # its own stream, so the rest of the demo stays as it was
    townships = _townships(county)
    seat = townships[0] if townships else county
    n = 0
    grades_primary = range(1, 7)
    roads = []
    for t_index, t in enumerate(townships):
        villages = _villages(t)
        centre = min(villages, key=lambda v: _km((v.lon, v.lat), (t.lon, t.lat))) if villages else t
        # cohorts
        for v in villages:
            total = rng.randint(350, 1600) * (3 if t == seat else 1)
            for y in YEARS:
                drift = 1 - 0.04 * (y - YEARS[0])  # children decline, elderly grow
                Cohort.objects.create(unit=v, year=y, total=int(total * (1 - 0.01 * (y - YEARS[0]))),
                                      age_3_5=int(total * 0.035 * drift), age_6_11=int(total * 0.075 * drift),
                                      age_12_14=int(total * 0.036 * drift), age_15_17=int(total * 0.034 * drift),
                                      age_65_plus=int(total * 0.13 * (1 + 0.05 * (y - YEARS[0]))), source="演示数据")
        # schools: a central school at the township seat, small village schools elsewhere
        pupils = {v.pk: int(Cohort.objects.get(unit=v, year=2023).age_6_11) for v in villages}
        total_pupils = sum(pupils.values())
        small = [v for v in villages if v != centre][: max(1, len(villages) // 3)] if len(villages) > 2 else []
        small_pupils = {}
        for v in small:
            near = [w for w in villages if w not in small and w != centre and _km((w.lon, w.lat), (v.lon, v.lat)) < 4] + [v]
            small_pupils[v.pk] = int(sum(pupils[w.pk] for w in near) * 0.45)  # most families send children to town
        central_pupils = max(60, total_pupils - sum(small_pupils.values()))
        name = "中心小学" if t != seat else "第一小学"
        kind = "nine_year" if t_index % 4 == 2 else "primary"
        classes = max(6, round(central_pupils / (70 if t == seat else 60) / 6) * 6)
        f = Facility.objects.create(unit=centre, name=f"{t.name}{name}", type=kind, staff=classes * 2 + 4,
                                    lon=centre.lon + 0.003, lat=centre.lat + 0.002, condition="good", built_year=2008)
        _grades(f, grades_primary, classes, central_pupils, rng)
        n += 1
        for v in small:
            f = Facility.objects.create(unit=v, name=f"{v.name}{'教学点' if small_pupils[v.pk] < 60 else '小学'}",
                                        type="teaching_point" if small_pupils[v.pk] < 60 else "primary",
                                        staff=4, condition=rng.choice(["fair", "poor", "good"]), built_year=1998)
            _grades(f, grades_primary if small_pupils[v.pk] >= 60 else range(1, 4), 6 if small_pupils[v.pk] >= 60 else 3,
                    small_pupils[v.pk], rng)
            n += 1
        if t == seat or t_index % 3 == 1:
            f = Facility.objects.create(unit=centre, name=f"{t.name}{'第一' if t == seat else ''}中学", type="junior",
                                        staff=40, lon=centre.lon - 0.003, lat=centre.lat)
            junior = sum(int(Cohort.objects.get(unit=v, year=2023).age_12_14) for v in villages) * (3 if t == seat else 1)
            _grades(f, range(7, 10), max(3, junior // 55 // 3 * 3), junior, rng)
            n += 1
        # health: one 卫生院 per township (one missing to show the gap), 卫生室 in most villages
        if t_index != 3:
            beds = 20 if t != seat else 60
            Facility.objects.create(unit=centre, name=f"{t.name}{'中心' if t_index % 3 == 0 else ''}卫生院",
                                    type="central_clinic" if t_index % 3 == 0 else "township_clinic", beds=beds,
                                    occupancy=int(beds * rng.uniform(0.3, 1.25)), staff=beds // 2 + 6,
                                    lon=centre.lon + 0.002, lat=centre.lat - 0.003)
            n += 1
        for v in villages[1::2]:
            Facility.objects.create(unit=v, name=f"{v.name}卫生室", type="village_clinic", staff=1)
            n += 1
        # elderly care: a 敬老院 in some townships, a regional centre at the seat
        if t == seat or t_index % 2 == 0:
            beds = 120 if t == seat else 30
            Facility.objects.create(unit=centre, name=f"{t.name}{'区域养老服务中心' if t == seat else '敬老院'}",
                                    type="regional_centre" if t == seat else "township_home", beds=beds,
                                    occupancy=int(beds * (1.1 if t == seat else rng.uniform(0.25, 0.55))), staff=beds // 8 + 2,
                                    lon=centre.lon - 0.002, lat=centre.lat - 0.002)
            n += 1
        # village mutual-aid points (村级互助养老点) in every third village, day care with a few beds
        for v in villages[::3]:
            beds = prng.choice([6, 8, 10, 12])
            Facility.objects.create(unit=v, name=f"{v.name}互助养老点", type="village_point", beds=beds,
                                    occupancy=prng.randint(1, beds), staff=2, condition=prng.choice(["good", "fair"]))
            n += 1
        # roads along the valley: seat → township seat (县道), township seat → each village (乡道/村道), in a chain
        if t != seat:
            roads.append(_line([(seat.lon, seat.lat), ((seat.lon + centre.lon) / 2 + rng.uniform(-0.01, 0.01),
                                                       (seat.lat + centre.lat) / 2 + rng.uniform(-0.01, 0.01)),
                                (centre.lon, centre.lat)], "县道"))
        ordered = sorted(villages, key=lambda v: _km((v.lon, v.lat), (centre.lon, centre.lat)))
        for v in ordered:
            if v == centre:
                continue
            prev = min([centre] + [w for w in ordered if w != v and _km((w.lon, w.lat), (centre.lon, centre.lat))
                                   < _km((v.lon, v.lat), (centre.lon, centre.lat))],
                       key=lambda w: _km((w.lon, w.lat), (v.lon, v.lat)))
            roads.append(_line([(prev.lon, prev.lat), (v.lon, v.lat)], "村道" if _km((prev.lon, prev.lat), (v.lon, v.lat)) < 3 else "乡道"))
    TravelSetting.objects.update_or_create(county=county, defaults={
        "mode": TravelMode.ROAD, "detour": 1.5, "speed_kmh": 30, "access_speed_kmh": 5,
        "roads": {"type": "FeatureCollection", "features": roads}, "roads_name": "演示道路网络(沿河谷生成)",
        "roads_summary": f"{len(roads)} 条道路"})
    if townships:
        v = _villages(townships[0])[-1]
        CandidateSite.objects.create(unit=v, name=f"{v.name}原村委会闲置办公楼", lon=v.lon, lat=v.lat, capacity=12,
                                     note="撤并后闲置,可改作学校")
    # Townships without elderly care: idle premises at the seat could become a 区域养老服务中心.
    for t in townships:
        villages = _villages(t)
        if villages and not Facility.objects.filter(unit__parent=t, type__in=["township_home", "regional_centre"]).exists():
            centre = min(villages, key=lambda v: _km((v.lon, v.lat), (t.lon, t.lat)))
            CandidateSite.objects.create(unit=centre, name=f"{t.name}政府驻地闲置用房", lon=centre.lon, lat=centre.lat,
                                         capacity=40, note="合并后闲置,可改作区域养老服务中心(床位)")
    return n


def _line(coords, kind):
    return {"type": "Feature", "properties": {"highway": kind},
            "geometry": {"type": "LineString", "coordinates": [[round(x, 6), round(y, 6)] for x, y in coords]}}


def _grades(f, grades, classes, pupils, rng):
    grades = list(grades)
    per_grade = max(1, classes // len(grades))
    left = pupils
    for i, g in enumerate(grades):
        p = left if i == len(grades) - 1 else int(pupils / len(grades) * rng.uniform(0.9, 1.1))
        left -= p
        SchoolGrade.objects.create(facility=f, grade=g, classes=per_grade, pupils=max(0, p))
    f.classes, f.enrolment = per_grade * len(grades), pupils
    f.save()


def _scenarios(county, owner) -> int:
    specs = [
        ("小学撤并整合(45人/班,60分钟)", "primary", "consolidate", {"class_limit": 45, "max_travel": 60}),
        ("小学撤并整合(56人/班,90分钟)", "primary", "consolidate", {"class_limit": 56, "max_travel": 90, "keep_cost": 6000}),
        # 697 of the county's elderly need a place (4%) against 300 beds, 132 of them at the seat's centre built for
        # 120: covering everyone within 60 minutes *within capacity* needs up to 80 more beds where a site is full
        ("养老服务片区化(60 分钟全覆盖,利用乡镇闲置用房)", "elderly", "cover_all",
         {"max_travel": 60, "expand_units": 80, "candidates": list(CandidateSite.objects.filter(
             subtree_q(county, "unit__path"), name__endswith="政府驻地闲置用房").values_list("pk", flat=True))}),
    ]
    solved = 0
    for name, service, model, params in specs:
        s = planning.create(owner, name=name, service=service, scope=county, model=model, year=2023,
                            params={**params, "time_limit": 15})
        from .models import ScenarioRun

        run = ScenarioRun.objects.create(scenario=s, version=1, params=s.params)
        try:
            run.result = planning.solve(s, s.params)
            run.status = RunStatus.SOLVED
            solved += 1
        except Exception as exc:  # a demo scenario that cannot be solved still shows why
            run.status, run.error = RunStatus.FAILED, str(exc)
        run.save()
    return solved
