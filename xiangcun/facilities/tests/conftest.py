"""Small hand-made data for the facilities tests: 松岗镇 and 党坝乡 villages placed on a line."""
import pytest

from xiangcun.divisions.models import Division, Level
from xiangcun.facilities.models import Cohort, Facility, SchoolGrade, TravelSetting


def place(unit, lon, lat):
    Division.objects.filter(pk=unit.pk).update(lon=lon, lat=lat)
    unit.lon, unit.lat = lon, lat
    return unit


def school(unit, name, grades, type="primary"):
    f = Facility.objects.create(unit=unit, name=name, type=type)
    for g, classes, pupils in grades:
        SchoolGrade.objects.create(facility=f, grade=g, classes=classes, pupils=pupils)
    f.classes = sum(c for _, c, _ in grades)
    f.enrolment = sum(p for _, _, p in grades)
    f.save()
    return f


@pytest.fixture
def county_data(maerkang, unit):
    """Villages of 松岗镇 on a line 0.05° apart, 党坝村 far away; a crowded school and a half-empty one."""
    TravelSetting.objects.create(county=maerkang, detour=1.0, speed_kmh=60)
    sg = unit("松岗镇")
    villages = list(Division.objects.filter(parent=sg, level=Level.VILLAGE, valid_to__isnull=True).order_by("code"))[:4]
    for i, v in enumerate(villages):
        place(v, 102.0 + 0.05 * i, 31.9)
        Cohort.objects.create(unit=v, year=2023, age_3_5=10, age_6_11=100, age_12_14=40, age_15_17=30, age_65_plus=50,
                              total=1000)
    db = place(unit("党坝村"), 102.5, 31.5)
    place(unit("松岗镇"), 102.0, 31.9)
    place(unit("党坝乡"), 102.5, 31.5)
    Cohort.objects.create(unit=db, year=2023, age_6_11=80, total=900)
    crowded = school(villages[0], "松岗镇中心小学", [(1, 2, 140), (2, 2, 116), (3, 2, 100)])
    idle = school(villages[3], "松岗村小", [(1, 1, 10), (2, 1, 12), (3, 1, 8)])
    far = school(db, "党坝乡中心小学", [(1, 2, 60)])
    return {"villages": villages, "crowded": crowded, "idle": idle, "far": far, "county": maerkang, "sg": sg}


@pytest.fixture
def client(client, django_capture_on_commit_callbacks):
    """A client whose POSTs run the jobs they start (jobs are enqueued on commit)."""
    post = client.post

    def posting(*args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return post(*args, **kwargs)

    client.post = posting
    return client


def row_text(page: str, row_id: str) -> list[str]:
    """The text of each cell of the table row with this id, as a reader sees it."""
    import html
    import re

    row = re.search(rf'<tr id="{row_id}">(.*?)</tr>', page, re.S)
    assert row, f"no row #{row_id}"
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", c)).split()) for c in cells]
