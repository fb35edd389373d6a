"""Demo 前置审查 for the demo county: the 自然资源 and 水务 (water) department logins `ziranziyuan` and `shuili`,
and site applications in two townships in every state — waiting for one or both reviews, refused by 水利,
passed with conditions and ready, approved — one of them linked to an open 宅基地建房 case of the services demo
(which then cannot be completed before the site is approved).

Idempotent: nothing is added when the county already has applications.
"""
import datetime as dt

from django.db import transaction
from django.utils import timezone

from xiangcun.accounts.demo import demo_login
from xiangcun.accounts.models import Role, User
from xiangcun.divisions.levels import Level
from xiangcun.divisions.models import Division
from xiangcun.divisions.scoping import subtree_q

from . import services
from .models import Application, Aspect, BuildingKind, Outcome

# (village index in its township, name, kind, applicant, geo review, flood review, approved?)
SITES = [
    (0, "{v}二组村民住房新建", BuildingKind.HOUSE, "泽仁", (Outcome.PASS, ""), (Outcome.PASS, ""), True),
    (0, "{v}三组村民住房翻建", BuildingKind.HOUSE, "杨建国", (Outcome.PASS, ""),
     (Outcome.CONDITIONAL, "房屋须退让河道管理范围线 10 米以上,地坪高于 20 年一遇洪水位 0.5 米"), False),
    (1, "{v}村民住房新建", BuildingKind.HOUSE, "卓玛", None, None, False),
    (1, "{v}村级便民服务室", BuildingKind.PUBLIC, "{v}村民委员会", (Outcome.PASS, ""),
     (Outcome.REFUSED, "选址位于梭磨河行洪通道内,不具备建设条件,请另行选址"), False),
    (2, "{v}一组村民住房新建", BuildingKind.HOUSE, "扎西", (Outcome.CONDITIONAL, "须先完成后山坡体截排水沟"), None, False),
]


def _near(village, i):
    return round(village.lon + 0.0004 * (i % 3 - 1), 6), round(village.lat + 0.0003 * (i % 2), 6)


@transaction.atomic
def load_module(county: Division, log=print) -> None:
    geo = demo_login("ziranziyuan", Role.DEPARTMENT, county, f"{county.name}自然资源局", department="自然资源")
    flood = demo_login("shuili", Role.DEPARTMENT, county, f"{county.name}水务局", department="水务")
    if Application.objects.filter(subtree_q(county, "village__path")).exists():
        return
    townships = Division.objects.filter(parent=county, level=Level.TOWNSHIP, valid_to__isnull=True).order_by("code")
    chosen = [t for t in (townships.filter(name="松岗镇").first(), townships.filter(name="党坝乡").first()) if t]
    chosen = chosen or list(townships[:2])
    today = timezone.localdate()
    made = 0
    for township in chosen:
        staff = User.objects.filter(role=Role.TOWNSHIP, jurisdiction=township, is_active=True).order_by("pk").first()
        villages = [v for v in Division.objects.filter(parent=township, level=Level.VILLAGE, valid_to__isnull=True)
                    .order_by("code") if v.lon is not None]
        if not villages or staff is None:
            continue
        for i, (index, name, kind, applicant, geo_review, flood_review, approved) in enumerate(SITES):
            village = villages[index % len(villages)]
            lon, lat = _near(village, i)
            day = today - dt.timedelta(days=40 - 6 * i)
            application = services.register(staff, Application(
                name=name.format(v=village.name), kind=kind, applicant=applicant.format(v=village.name), village=village,
                lon=lon, lat=lat, address=f"{village.name}村委会附近", floor_area=180 + 20 * i if kind == BuildingKind.HOUSE else 320,
                registered_on=day))
            for aspect, review, user, who in ((Aspect.GEO, geo_review, geo, "李国强"), (Aspect.FLOOD, flood_review, flood, "王建华")):
                if review:
                    services.record_review(user, application, aspect, review[0], review[1], who, day + dt.timedelta(days=3))
            if approved:
                services.approve(staff, application, "同意选址,按审查意见建设", when=day + dt.timedelta(days=6))
            made += 1
    linked = _link_a_case(county)
    log(f"前置审查:建房选址申请 {made} 件" + (f",其中 1 件关联宅基地建房代办件 {linked}" if linked else "")
        + "(登录 ziranziyuan 为自然资源局,shuili 为水务局)")


def _link_a_case(county) -> str:
    """The demo's village agent takes a 宅基地建房 case now (forwarded to and started by the township) and the township
    registers its site, linked: the case page shows it waiting for the pre-review before it can be completed."""
    from xiangcun.services import casework
    from xiangcun.services.models import ServiceItem

    item = ServiceItem.objects.filter(name__contains="宅基地", is_active=True).order_by("code").first()
    agents = User.objects.filter(role=Role.VILLAGE_AGENT, is_active=True, jurisdiction__lon__isnull=False,
                                 jurisdiction__valid_to__isnull=True).select_related("jurisdiction").order_by("pk")
    for agent in agents if item is not None else []:
        village = agent.jurisdiction
        staff = User.objects.filter(role=Role.TOWNSHIP, jurisdiction_id=village.parent_id, is_active=True).first()
        if staff is None or not village.path.startswith(county.path):
            continue
        case = casework.take_case(agent, village, item, "泽仁拉姆", "11010519491231002X", "13912345678",
                                  materials=item.material_list)
        casework.transition(case, "forward", agent)
        case = casework.transition(case, "start", staff)
        services.register(staff, Application(
            name=f"{village.name}宅基地建房(代办件 {case.number})", kind=BuildingKind.HOUSE, applicant="泽仁拉姆",
            village=village, lon=village.lon, lat=village.lat, address=f"{village.name}", case=case,
            registered_on=case.intake_date))
        return case.number
    return ""
