"""Demo data of the convenience-services module: a county item catalogue with its four lists, the
holiday calendar, the service network after the mergers, a year of proxy-service cases with a
realistic mix of on-time, late, returned and rejected ones, and the village agent login `daiban`.

Idempotent: nothing is added when the demo catalogue (codes starting MK-) exists. The year of
cases is bulk-created (fast); their history is written as CaseStep rows, and one named audit event
("case.demo") records the bulk load instead of one entry per case.
"""
import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from xiangcun.accounts.demo import demo_login
from xiangcun.accounts.models import Role
from xiangcun.core import audit
from xiangcun.divisions.models import Division, Level

from . import rollup
from .calendar import Calendar
from .item_lists import governing_lists
from .models import (
    Case,
    CaseStep,
    Delivery,
    Holiday,
    ItemLevel,
    ItemList,
    PointKind,
    ServiceItem,
    ServicePoint,
    Status,
    Trips,
    UnitType,
)

# code, name, category, level, department, materials, days, proxy, trips, lists (T township, K key town, S subdistrict, V village)
ITEMS = [
    ("MK-MZ-001", "高龄津贴申请", "民政", "township", "民政", "身份证;户口簿;银行卡", 10, True, "one", "TKSV"),
    ("MK-MZ-002", "城乡居民最低生活保障申请", "民政", "county", "民政", "身份证;户口簿;家庭收入情况说明;银行卡", 20, True, "one", "TKSV"),
    ("MK-MZ-003", "特困人员救助供养申请", "民政", "county", "民政", "身份证;户口簿;特困人员申请书", 20, True, "one", "TKSV"),
    ("MK-MZ-004", "临时救助申请", "民政", "township", "民政", "身份证;困难情况说明", 5, True, "one", "TKSV"),
    ("MK-MZ-005", "困难残疾人生活补贴申请", "民政", "township", "民政", "身份证;残疾人证;户口簿", 10, True, "one", "TKSV"),
    ("MK-CL-001", "残疾人证申领", "残联", "county", "残联", "身份证;户口簿;近期免冠照片;残疾评定表", 15, True, "one", "TKSV"),
    ("MK-SB-001", "城乡居民养老保险参保登记", "社会保障", "township", "人社", "身份证;户口簿", 1, True, "zero", "TKSV"),
    ("MK-SB-002", "城乡居民养老保险待遇领取", "社会保障", "county", "人社", "身份证;户口簿;银行卡", 10, True, "one", "TKSV"),
    ("MK-SB-003", "就业失业登记证办理", "社会保障", "township", "人社", "身份证;近期免冠照片", 3, True, "one", "TKS"),
    ("MK-YB-001", "城乡居民医疗保险参保登记", "医疗保障", "village", "医保", "身份证;户口簿", 1, True, "zero", "TKSV"),
    ("MK-YB-002", "医疗费用手工报销", "医疗保障", "county", "医保", "身份证;医疗费用发票;出院小结;银行卡", 20, True, "one", "TKSV"),
    ("MK-WJ-001", "独生子女父母光荣证办理", "卫生健康", "township", "卫健", "身份证;结婚证;户口簿", 5, True, "one", "TKS"),
    ("MK-WJ-002", "农村部分计划生育家庭奖励扶助申请", "卫生健康", "township", "卫健", "身份证;户口簿;独生子女父母光荣证", 15, True, "one", "TKSV"),
    ("MK-NY-001", "耕地地力保护补贴申报", "农业农村", "village", "农业农村", "身份证;土地承包经营权证;银行卡", 10, True, "zero", "TKV"),
    ("MK-NY-002", "农村宅基地和建房(规划许可)申请", "农业农村", "township", "农业农村", "身份证;户口簿;宅基地申请表;建房设计图", 20, True, "one", "TKV"),
    ("MK-NY-003", "土地承包经营权流转备案", "农业农村", "township", "农业农村", "身份证;流转合同", 5, True, "one", "TKV"),
    ("MK-GA-001", "居民身份证换领(代办预约)", "户籍", "county", "公安", "户口簿;旧身份证", 15, True, "one", "TKSV"),
    ("MK-GA-002", "户口迁移(准迁)", "户籍", "county", "公安", "户口簿;身份证;迁移证明材料", 10, False, "more", "KS"),
    ("MK-TY-001", "退役军人优待证申领", "退役军人", "county", "退役军人", "身份证;退伍证;近期免冠照片", 15, True, "one", "TKSV"),
    ("MK-JY-001", "学生资助申请(家庭经济困难认定)", "教育", "county", "教育", "身份证;户口簿;家庭经济困难认定申请表", 15, True, "one", "TKSV"),
    ("MK-ZR-001", "不动产登记(首次登记)", "自然资源", "county", "自然资源", "身份证;权属来源证明;地籍调查成果", 20, False, "more", "KS"),
    ("MK-SW-001", "城乡居民生育登记", "卫生健康", "village", "卫健", "身份证;结婚证", 1, True, "zero", "TKSV"),
    ("MK-DL-001", "居民用电报装", "公用事业", "township", "供电公司", "身份证;房屋产权证明", 5, True, "one", "TKSV"),
    ("MK-LZ-001", "林木采伐许可证核发", "林业", "county", "林草", "身份证;林权证;采伐申请", 20, True, "one", "TK"),
    ("MK-FY-001", "法律援助申请", "司法", "county", "司法", "身份证;经济困难证明;案件材料", 7, True, "one", "TKSV"),
    ("MK-CJ-001", "村集体经济组织成员身份证明", "农业农村", "village", "农业农村", "身份证;户口簿", 1, True, "zero", "V"),
]
LISTS = [("一般乡镇便民服务事项清单", UnitType.TOWNSHIP, "T"), ("中心镇便民服务事项清单", UnitType.KEY_TOWN, "K"),
         ("街道便民服务事项清单", UnitType.SUBDISTRICT, "S"), ("村(社区)便民服务事项清单", UnitType.VILLAGE, "V")]
# The national arrangement comes with the chinese-calendar package (services/calendar.py); the county
# adds its own days off. 阿坝州 gives 藏历新年 (Losar) off; in 2026 it falls inside the Spring Festival week.
LOCAL_HOLIDAYS = [("2025-02-28", "藏历新年"), ("2025-03-03", "藏历新年")]
SURNAMES = "王李张刘陈杨黄赵周吴泽仁尔格杨马高罗"
GIVEN = ["明", "华", "秀英", "建国", "卓玛", "拉姆", "扎西", "德吉", "志强", "桂芳", "永红", "措", "才让", "丽"]


def load_module(county: Division, log=print) -> None:
    townships = Division.objects.filter(parent=county, level=Level.TOWNSHIP, valid_to__isnull=True).order_by("code")
    songgang = townships.filter(name="松岗镇").first() or townships.first()
    village = Division.objects.filter(parent=songgang, level=Level.VILLAGE, valid_to__isnull=True).order_by("code").first()
    if village is None:
        return
    agent = demo_login("daiban", Role.VILLAGE_AGENT, village, f"{village.name}代办员")
    if ServiceItem.objects.filter(code__startswith="MK-").exists():
        return
    for day, name in LOCAL_HOLIDAYS:
        Holiday.objects.get_or_create(date=dt.date.fromisoformat(day), county=county, defaults={"name": name})
    n_items = _catalogue()
    n_points = _network(county)
    n_cases = _cases(county, agent)
    log(f"生成便民服务演示数据:事项 {n_items} 项、清单 4 份、服务网点 {n_points} 个、代办件 {n_cases} 件"
        f"(登录 daiban 为{village.name}代办员,songgang 为{songgang.name}工作人员)")


@transaction.atomic
def _catalogue() -> int:
    items = {}
    for code, name, cat, level, dept, materials, days, proxy, trips, lists in ITEMS:
        items[code] = (ServiceItem.objects.create(
            code=code, name=name, category=cat, level=level, department=dept, materials=materials.replace(";", "\n"),
            time_limit=days, proxy_allowed=proxy, trips=trips, fee="不收费",
            legal_basis=f"《{cat}相关法律法规》及四川省政务服务事项目录", online_channel="四川政务服务网、天府通办" if trips == Trips.ZERO else ""),
            lists)
    for name, unit_type, key in LISTS:
        first = ItemList.objects.create(name=name, unit_type=unit_type, version=1, effective_from=dt.date(2021, 3, 1),
                                        effective_to=dt.date(2023, 7, 1), document="马府办发〔2021〕8号")
        chosen = [i for i, keys in items.values() if key in keys]
        first.items.set(chosen[:-2] if len(chosen) > 4 else chosen)  # version 2 added two items
        second = ItemList.objects.create(name=name, unit_type=unit_type, version=2, effective_from=dt.date(2023, 7, 1),
                                         document="马府办发〔2023〕21号")
        second.items.set(chosen)
    return len(items)


@transaction.atomic
def _network(county: Division) -> int:
    rng = random.Random(5)
    n = 0
    units = Division.objects.subtree(county).filter(level__in=(Level.TOWNSHIP, Level.VILLAGE))
    villages_of: dict[int, list[Division]] = {}
    for v in units.filter(level=Level.VILLAGE, valid_to__isnull=True):
        villages_of.setdefault(v.parent_id, []).append(v)
    for t in units.filter(level=Level.TOWNSHIP).order_by("code"):
        if t.lat is None:
            continue
        if t.valid_to is None:
            p = ServicePoint.objects.create(name=f"{t.name}便民服务中心", kind=PointKind.CENTRE, unit=t, lon=t.lon,
                                            lat=t.lat, address=f"{t.name}人民政府一楼", staff_count=rng.randint(4, 9),
                                            staff="综合窗口、社保窗口、民政窗口")
            p.villages.set(villages_of.get(t.pk, []))
        else:  # a station kept in the abolished township's old seat
            ServicePoint.objects.create(name=f"{t.name}便民服务站(原乡政府)", kind=PointKind.STATION, unit=t,
                                        lon=t.lon, lat=t.lat, staff_count=2, opening_hours="周一、三、五 9:00-17:00",
                                        note=f"{t.name}撤并后保留")
        n += 1
    for v in units.filter(level=Level.VILLAGE).order_by("code"):
        if v.lat is None or rng.random() < 0.25:  # some merged villages lost their room: gaps
            continue
        kind = PointKind.ROOM if v.valid_to is None else PointKind.POINT
        p = ServicePoint.objects.create(name=f"{v.name}便民服务{'室' if kind == PointKind.ROOM else '点'}", kind=kind,
                                        unit=v, lon=v.lon, lat=v.lat, staff_count=1, staff="村代办员",
                                        opening_hours="工作日 9:00-12:00 14:30-17:30" if kind == PointKind.ROOM else "每周二、四上午")
        if v.valid_to is None:
            p.villages.set([v])
        n += 1
    return n


def _cases(county: Division, agent) -> int:
    """A year of cases, bulk-created: ~85% on time, some late, some returned for materials, a few rejected."""
    rng = random.Random(20260)
    cal = Calendar.for_unit(county)
    today = timezone.localdate()
    villages = list(Division.objects.subtree(county).filter(level=Level.VILLAGE, valid_to__isnull=True).select_related("parent"))
    items = [i for i in ServiceItem.objects.filter(proxy_allowed=True, code__startswith="MK-")]
    # a village window takes only what the item list governing it that day names (as take_case insists)
    lists = list(ItemList.objects.prefetch_related("items"))
    choices: dict[tuple, tuple] = {}

    def choice(village, day):
        governing = governing_lists(lists, village, day)
        key = tuple(sorted(lst.pk for lst in governing))
        if key not in choices:
            on = {i.pk for lst in governing for i in lst.items.all()}
            allowed = [i for i in items if not governing or i.pk in on]
            choices[key] = (allowed, [8 if i.category in ("民政", "社会保障", "医疗保障") else 3 for i in allowed])
        return choices[key]

    tz = timezone.get_current_timezone()
    cases, steps_of, counters = [], [], {}
    day = today - dt.timedelta(days=365)
    while day <= today:
        if not cal.is_working_day(day):
            day += dt.timedelta(days=1)
            continue
        for v in villages:
            k = 3 if v.pk == agent.jurisdiction_id else 1
            for _ in range(sum(rng.random() < 0.07 * k for _ in range(3))):
                allowed, weights = choice(v, day)
                if not allowed:
                    continue
                item = rng.choices(allowed, weights)[0]
                c, steps = _one_case(rng, cal, v, item, day, today, tz, counters, agent if v.pk == agent.jurisdiction_id else None)
                cases.append(c)
                steps_of.append(steps)
        day += dt.timedelta(days=1)
    with transaction.atomic():
        Case.objects.bulk_create(cases, batch_size=1000)
        CaseStep.objects.bulk_create([CaseStep(case=c, **s) for c, steps in zip(cases, steps_of) for s in steps],
                                     batch_size=2000)
        audit.log_event(county, "case.demo", {"reason": f"演示数据:批量生成代办件 {len(cases)} 件"}, path=county.path)
        rollup.rebuild()  # bulk_create bypasses take_case/transition, which keep the monthly rollups
    return len(cases)


def _one_case(rng, cal, village, item, day, today, tz, counters, agent):
    at = dt.datetime.combine(day, dt.time(9 + rng.randint(0, 7), rng.randint(0, 59)), tzinfo=tz)
    key = (day, village.pk)
    counters[key] = counters.get(key, 0) + 1
    names = item.material_list
    case = Case(number=f"DB{day:%Y%m%d}{village.pk:06d}{counters[key]:03d}", village=village, unit_path=village.path,
                item=item, resident_name=rng.choice(SURNAMES) + rng.choice(GIVEN), resident_id_number=_id(rng),
                resident_phone=f"1{rng.choice('3589')}{rng.randint(0, 999999999):09d}", taken_by=agent,
                materials_received=names if rng.random() > 0.1 else names[:-1], intake_at=at, intake_date=day,
                due_date=cal.add(day, item.time_limit), trips=1, version=1)
    steps = [dict(action="take", from_status="", to_status=Status.RECEIVED, at=at, actor=agent)]
    age = cal.between(day, today)

    def step(action, frm, to, when, note=""):
        steps.append(dict(action=action, from_status=frm, to_status=to, at=when, actor=None, note=note))
        case.status = to
        case.version += 1

    if rng.random() < 0.03:
        case.reason, case.closed_at = "不符合申请条件", at + dt.timedelta(hours=1)
        step("reject", Status.RECEIVED, Status.REJECTED, case.closed_at, case.reason)
        return case, steps
    if age == 0 and rng.random() < 0.5:
        return case, steps
    fwd = at + dt.timedelta(hours=2)
    if item.level == ItemLevel.COUNTY:
        case.handler_level, case.handler_department = ItemLevel.COUNTY, item.department
    else:
        case.handler_level, case.handler_unit = ItemLevel.TOWNSHIP, village.parent
    case.forwarded_at = fwd
    step("forward", Status.RECEIVED, Status.FORWARDED, fwd)
    start_day = day
    if rng.random() < 0.08:  # returned for materials, then resubmitted a few days later
        ret = cal.add(day, 1)
        case.missing_materials, case.reason, case.returned_count = (names[-1] if names else "补充说明"), "材料不全", 1
        step("return", Status.FORWARDED, Status.RETURNED, _at(ret, tz), f"缺:{case.missing_materials}")
        if cal.between(ret, today) < 3:
            return case, steps
        again = cal.add(ret, rng.randint(1, 3))
        in_person = rng.random() < 0.6
        case.trips += 1 if in_person else 0
        case.due_date = cal.add(again, item.time_limit)
        step("resubmit", Status.RETURNED, Status.FORWARDED, _at(again, tz))
        start_day = again
    # how long the handling takes: mostly within the limit, ~13% late
    late = rng.random() < 0.13
    used = item.time_limit + rng.randint(1, 6) if late else rng.randint(max(0, item.time_limit // 4), item.time_limit)
    done_day = cal.add(start_day, used)
    begin = cal.add(start_day, 1) if used else start_day
    if begin > today:
        return case, steps
    case.started_at = _at(begin, tz)
    step("start", Status.FORWARDED, Status.PROCESSING, case.started_at)
    if done_day > today:
        return case, steps
    case.completed_at = case.closed_at = _at(done_day, tz, 15)
    case.result = "已办结," + ("待遇已核定发放" if item.category in ("民政", "社会保障") else "证照/批复已出具")
    case.working_days, case.on_time = cal.between(day, done_day), done_day <= case.due_date
    step("complete", Status.PROCESSING, Status.COMPLETED, case.completed_at, case.result)
    deliver_day = cal.add(done_day, rng.randint(0, 2))
    if deliver_day > today:
        return case, steps
    method = rng.choices(Delivery.values, [20, 55, 10, 15])[0]
    case.delivered_at, case.delivery_method = _at(deliver_day, tz, 11), method
    case.trips += 1 if method == Delivery.WINDOW else 0
    step("deliver", Status.COMPLETED, Status.DELIVERED, case.delivered_at, Delivery(method).label)
    if cal.between(deliver_day, today) > 5:
        case.archived_at = _at(cal.add(deliver_day, 5), tz, 16)
        step("archive", Status.DELIVERED, Status.ARCHIVED, case.archived_at)
    return case, steps


def _at(day, tz, hour=10):
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=tz)


def _id(rng) -> str:
    """A valid-looking 身份证号 of 马尔康市 (513201) with the GB 11643 check digit."""
    born = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randint(0, 60 * 365))
    body = f"513201{born:%Y%m%d}{rng.randint(0, 999):03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, weights)) % 11]
