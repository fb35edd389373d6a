"""Demo data of the assets module: a few hundred assets of the demo county's abolished and surviving
units, in every status, with plans on all four routes and two inventory campaigns.

Idempotent: nothing is added when the demo ledger (numbers starting DEMO-) exists. Everything goes
through the services, so the audit trail shows the same named events a real ledger would.
"""
import datetime as dt
import random
from decimal import Decimal

from django.db import transaction

from xiangcun.accounts.demo import demo_login
from xiangcun.accounts.models import Role
from xiangcun.divisions.models import Division, Level

from . import services
from .models import Asset, Category, Condition, Nature, PublicUse, Route, Status, ValuationMethod, Venue

NAMES = {
    Category.OFFICE: ["原政府办公楼", "原综合办公楼", "原村委会办公室"],
    Category.SCHOOL: ["原中心小学校舍", "原村小教学楼", "原学校宿舍楼"],
    Category.CLINIC: ["原卫生院业务用房", "原村卫生室"],
    Category.VILLAGE_HALL: ["村级活动场所", "原村民活动中心"],
    Category.OTHER_BUILDING: ["原农机站", "原供销社门市", "原粮站仓库", "原兽医站"],
    Category.LAND: ["闲置建设用地", "原学校操场用地"],
    Category.EQUIPMENT: ["办公设备一批", "发电机组"],
    Category.VEHICLE: ["公务用车", "农用运输车"],
}
ROUTES = [Route.PUBLIC_USE, Route.INDUSTRY, Route.SALE, Route.STATE_CAPITAL]


def load_module(county: Division, log=print) -> None:
    caizheng = demo_login("caizheng", Role.DEPARTMENT, county, f"{county.name}财政局", "财政")
    township = Division.objects.filter(parent=county, valid_to__isnull=True, level=Level.TOWNSHIP).order_by("code").first()
    seat = Division.objects.filter(parent=county, name="马尔康镇", valid_to__isnull=True).first() or township
    staff = demo_login("mkzhen", Role.TOWNSHIP, seat, f"{seat.name}工作人员")
    if Asset.all_with_deleted.filter(ledger_no__startswith="DEMO-").exists():
        return
    n = _generate(county, caizheng, staff)
    log(f"生成公有资产演示台账 {n} 项(登录 caizheng 为财政局,mkzhen 为{seat.name}工作人员)")


@transaction.atomic
def _generate(county: Division, user, staff) -> int:
    rng = random.Random(4)
    today = dt.date.today()
    units = list(Division.objects.subtree(county).filter(level__in=(Level.TOWNSHIP, Level.VILLAGE))
                 .order_by("path"))
    abolished = [u for u in units if u.valid_to]
    # abolished units had more idle property: weight them up
    pool = units + abolished * 3
    statuses = ([Status.PENDING] * 14 + [Status.CHECKED] * 8 + [Status.IN_USE] * 20 + [Status.IDLE] * 26
                + [Status.PLAN_APPROVED] * 8 + [Status.REVITALISED] * 16 + [Status.DISPOSED] * 8)
    count = 0
    for i in range(320):
        holder = rng.choice(pool)
        category = rng.choices(list(NAMES), weights=[18, 14, 8, 14, 20, 10, 8, 8])[0]
        base = holder.name
        building = category in (Category.OFFICE, Category.SCHOOL, Category.CLINIC, Category.VILLAGE_HALL,
                                Category.OTHER_BUILDING)
        area = Decimal(rng.randrange(120, 2400)) if building else None
        value = Decimal(rng.randrange(8, 400)) * 10000 if category != Category.EQUIPMENT else Decimal(rng.randrange(2, 30)) * 1000
        lon = (holder.lon or 102.2) + rng.uniform(-0.02, 0.02)
        lat = (holder.lat or 31.9) + rng.uniform(-0.015, 0.015)
        certified = rng.random() < 0.6
        valued = rng.random() < 0.75
        asset = services.create_asset(
            user, f"DEMO-{holder.code[6:9] if holder.code else 'X'}-{i + 1:04d}",
            name=f"{base}{rng.choice(NAMES[category])}", category=category, holder=holder,
            address=f"{holder.name}{rng.randint(1, 120)}号" if building or category == Category.LAND else "",
            lon=lon if building or category == Category.LAND else None,
            lat=lat if building or category == Category.LAND else None,
            floor_area=area, land_area=(area * Decimal("1.6")).quantize(Decimal("1")) if area else None,
            built_year=rng.randint(1975, 2015) if building else None,
            acquired_on=dt.date(rng.randint(1980, 2018), rng.randint(1, 12), 1),
            book_value=value, valuation=(value * Decimal(rng.uniform(0.6, 1.4))).quantize(Decimal("1")) if valued else None,
            valuation_date=dt.date(2023, rng.randint(1, 12), 1) if valued else None,
            valuation_method=rng.choice(ValuationMethod.values) if valued else "",
            property_cert=f"川(2019)马尔康市不动产权第{rng.randint(1, 9999999):07d}号" if certified and building else "",
            land_cert=f"马国用({rng.randint(1995, 2012)})第{rng.randint(1, 999)}号" if certified and category == Category.LAND else "",
            condition=rng.choice(Condition.values),
            **_property_rights(holder, category, rng, valued),
        )
        _by_name(asset, county)
        _advance(asset, rng.choice(statuses), user, rng, today)
        count += 1
    _campaigns(county, user, staff, rng)
    _proposals(staff)
    return count


# who owns what (demo): a township's buildings its government, schools the education bureau, clinics the health
# bureau, 粮站/供销社 property the supply and marketing co-operative, 农机站/兽医站 the agriculture bureau, a village's
# property its collective economic organisation; about one in twelve left 待核实 for the inventory campaign
DEPARTMENT_OF = {Category.SCHOOL: "教育", Category.CLINIC: "卫健"}


def _property_rights(holder, category, rng, valued) -> dict:
    from xiangcun.bodies import services as bodies
    from xiangcun.bodies.models import Body, BodyKind
    from xiangcun.collective.models import Organisation

    rights = {"valuer": "四川某资产评估有限公司", "valuer_registration": f"川评协备{rng.randint(2015, 2023)}{rng.randint(1, 99):03d}"} \
        if valued else {}
    if rng.random() < 0.08:
        return rights  # 待核实
    county = bodies.county_of(holder)
    if category in DEPARTMENT_OF:
        return {**rights, "nature": Nature.STATE_ADMIN, "owner_body": bodies.department_body(county, DEPARTMENT_OF[category])}
    if holder.level == Level.VILLAGE:
        org = (Organisation.objects.filter(affiliations__village=holder, level="village").order_by("established", "pk").first())
        if org is None:
            return rights
        org = org.final_successor()
        funding = rng.choice(["", "", "poverty", "linkage", "collective"]) if category != Category.VILLAGE_HALL else ""
        return {**rights, "nature": Nature.COLLECTIVE_VILLAGE, "owner_organisation": org, "funding": funding,
                "restricted": funding == "poverty" and rng.random() < 0.7}
    gov = Body.objects.filter(unit=holder, kind=BodyKind.TOWNSHIP_GOVERNMENT).order_by("pk").first()
    if category == Category.OTHER_BUILDING:
        return rights  # 粮站、供销社、农机站:set by name in _by_name
    if gov is None:
        return rights
    return {**rights, "nature": Nature.STATE_ADMIN, "owner_body": gov.final_successor()}


def _by_name(asset: Asset, county) -> None:
    """粮站 and 供销社 property belongs to the supply and marketing co-operative (a state enterprise), 农机站 and
    兽医站 to the agriculture bureau."""
    from xiangcun.bodies import services as bodies

    for word, short, nature in (("粮站", "供销社", Nature.STATE_ENTERPRISE), ("供销社", "供销社", Nature.STATE_ENTERPRISE),
                                ("农机站", "农业农村", Nature.STATE_ADMIN), ("兽医站", "农业农村", Nature.STATE_ADMIN)):
        if word in asset.name and asset.nature == Nature.UNVERIFIED and asset.holder.level == Level.TOWNSHIP:
            services.update_asset(asset, None, nature=nature, owner_body=bodies.department_body(county, short))
            return


def _advance(asset: Asset, target: str, user, rng, today) -> None:
    if target == Status.PENDING:
        return
    services.transition(asset, "check", user, when=dt.date(2021, rng.randint(3, 12), rng.randint(1, 28)))
    if target == Status.CHECKED:
        return
    if target == Status.IN_USE:
        services.transition(asset, "put_in_use", user, when=dt.date(2021, 12, 31))
        return
    idle_since = dt.date(rng.randint(2021, 2024), rng.randint(1, 12), rng.randint(1, 28))
    services.transition(asset, "mark_idle", user, when=min(idle_since, today))
    if target == Status.IDLE:
        return
    route = rng.choice(ROUTES) if asset.valuation is not None else rng.choice(ROUTES[:2])
    if not asset.is_building and route in (Route.PUBLIC_USE, Route.INDUSTRY):
        route = Route.SALE if asset.valuation is not None else Route.INDUSTRY
    if target == Status.DISPOSED:
        route = Route.SALE if asset.valuation is not None else None
        if route is None:
            services.transition(asset, "write_off", user, document="马财资〔2023〕8号", reason="车辆报废,残值回收")
            return
    elif target == Status.REVITALISED and route in (Route.SALE, Route.STATE_CAPITAL):
        route = Route.INDUSTRY
    if route in (Route.SALE, Route.STATE_CAPITAL):
        try:
            services.check_route_allowed(asset, route)
        except services.AssetError:  # e.g. a collective asset is never 补充国有资本, a village hall never sold
            if target == Status.DISPOSED:
                services.transition(asset, "write_off", user, document="马财资〔2023〕8号", reason="危房拆除,残值回收")
                return
            route = Route.INDUSTRY if asset.is_building or asset.category == Category.LAND else Route.PUBLIC_USE
            if not asset.is_building and route == Route.PUBLIC_USE:
                route = Route.INDUSTRY
    fields = {"route": route, "planned_date": dt.date(2025, rng.randint(1, 12), 1), "responsible_unit": asset.custodian}
    if route == Route.PUBLIC_USE:
        fields["new_use"] = rng.choice(PublicUse.values[:4])
    elif route == Route.INDUSTRY:
        start = dt.date(rng.randint(2022, 2024), rng.randint(1, 12), 1)
        fields.update(lessee=rng.choice(["马尔康市某农民专业合作社", "某民宿公司", "某中药材种植公司", "村集体经济组织"]),
                      annual_rent=Decimal(rng.randrange(12, 120)) * 1000, term_start=start,
                      term_end=start.replace(year=start.year + rng.choice([3, 5, 10])) - dt.timedelta(days=1))
    elif route == Route.SALE:
        fields.update(buyer=rng.choice(["某文旅公司", "某商贸公司", "个人买受人"]),
                      sale_price=(asset.valuation * Decimal(rng.uniform(0.9, 1.2))).quantize(Decimal("1")),
                      venue=Venue.RURAL_EXCHANGE if asset.is_collective else Venue.STATE_EXCHANGE,
                      transaction_ref=f"{'ABNC' if asset.is_collective else 'SCCQ'}-{rng.randint(2021, 2024)}-{rng.randint(1, 999):03d}")
    else:
        fields.update(recipient="马尔康市国有资产投资经营有限公司", transfer_value=asset.valuation)
    plan = services.propose_plan(asset, user, **fields)
    deliberated = None
    if asset.is_collective and route in (Route.INDUSTRY, Route.SALE):
        start = min(fields.get("term_start") or dt.date(2022, 3, 1), today) - dt.timedelta(days=60)
        steps = dict(zip(("proposed_on", "reviewed_on", "party_meeting_on", "villagers_meeting_on", "resolution_published_on"),
                         (start + dt.timedelta(days=d) for d in (0, 7, 14, 21, 24))))
        services.record_deliberation(plan, user, **steps)
        deliberated = steps["resolution_published_on"]
    services.approve_plan(plan, user, f"马府函〔{rng.randint(2022, 2024)}〕{rng.randint(1, 99)}号")
    if target == Status.PLAN_APPROVED:
        return
    done = fields.get("term_start") or dt.date(rng.randint(2022, 2024), rng.randint(1, 12), 15)
    done = min(done, dt.date.today())
    loss = services.value_loss(plan, fields.get("sale_price"))
    published = {"result_published_on": min(max(done, deliberated) + dt.timedelta(days=5), today)} if deliberated else {}
    services.complete_plan(plan, user, done, justification="公开挂牌两次流拍,经市政府常务会议同意降价" if loss else "",
                           outcome_note="已按方案实施", **published)


def _proposals(staff) -> None:
    """The township proposes new uses for two of its idle buildings; the finance bureau has yet to decide."""
    idle = (Asset.objects.visible_to(staff).filter(status=Status.IDLE, category__in=(Category.SCHOOL, Category.OFFICE))
            .order_by("ledger_no")[:2])
    for asset, use in zip(idle, ("elderly_care", "kindergarten")):
        services.propose_plan(asset, staff, route=Route.PUBLIC_USE, new_use=use, responsible_unit=staff.jurisdiction,
                              planned_date=dt.date(dt.date.today().year + 1, 6, 30),
                              description=f"拟改作{PublicUse(use).label},由{staff.jurisdiction.name}负责实施")


def _campaigns(county, user, staff, rng) -> None:
    closed = services.open_campaign(user, "2023年度乡村公有资产清查核实", county, dt.date(2023, 6, 30), dt.date(2023, 9, 30))
    for asset in services.campaign_assets(closed).exclude(status=Status.PENDING)[:150]:
        result = rng.choices(["found", "changed", "not_found"], weights=[90, 7, 3])[0]
        services.record_check(closed, asset, user, result, note={"found": "", "changed": "部分房屋已坍塌",
                                                                   "not_found": "现场未找到,疑已拆除"}[result])
    services.close_campaign(closed, user, "全市公有资产基本账实相符;差异资产已责成各乡镇限期查明原因,"
                                           "未核实资产列入下年度清查。")
    services.open_campaign(user, "2024年度撤并乡镇资产专项清查", county, dt.date(2024, 12, 31), dt.date(2025, 3, 31))
    seat = staff.jurisdiction
    mine = services.open_campaign(user, f"{seat.name}2024年资产清查", seat, dt.date(2024, 12, 31))
    for asset in services.campaign_assets(mine).order_by("ledger_no")[:8]:
        services.record_check(mine, asset, staff, "found")
