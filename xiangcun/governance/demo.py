"""Demo responsibility lists for the demo county (our own wording, not copied from any published list): a county
权责清单 template, adopted and published by two townships (松岗镇 also drafting a second version), a few 事项准入
requests (approved ones in the townships' 属地事项 lists, one waiting, one refused). Idempotent: skipped when the
county already has a template."""
import datetime as dt

from django.db import transaction

from xiangcun.bodies import services as bodies
from xiangcun.core import audit
from xiangcun.divisions.models import Division

from . import services, services_powers, services_staffing
from .models import (
    Admission,
    Delegation,
    DutyItem,
    EnforcementItem,
    EnforcementOfficer,
    Establishment,
    FollowUp,
    ListKind,
    ListStatus,
    Post,
    ResponsibilityList,
    Staff,
)

TEMPLATE_ITEMS = (
    ("农村村民住宅建设审批(乡村建设规划许可)", "licensing", "《中华人民共和国城乡规划法》第四十一条", "经济发展办公室",
     "受理申请、现场踏勘、审查材料、作出决定并公开结果", "对不符合规划的住宅违规发放许可,或超期不办理的"),
    ("占道经营、乱搭乱建的行政处罚", "penalty", "《城市市容和环境卫生管理条例》及省级相关规定", "综合行政执法办公室",
     "巡查发现、立案调查、告知陈述申辩、作出处罚决定、执行", "发现违法行为不制止、不查处,或滥用处罚权的"),
    ("森林草原火灾隐患检查", "inspection", "《森林防火条例》《草原防火条例》", "综合行政执法办公室",
     "制定检查计划、实施检查、督促整改、记录存档", "检查流于形式,隐患未督促整改引发火灾的"),
    ("特困人员供养待遇给付", "benefit", "《社会救助暂行办法》", "社会事务办公室",
     "受理申请、入户调查、民主评议、报县级部门审批、按月发放", "对不符合条件的人员给予待遇,或截留挪用供养资金的"),
    ("老年人高龄津贴申领初审", "confirmation", "省老年人权益保障条例实施办法", "社会事务办公室",
     "受理、核对户籍和年龄、初审公示、报送", "审核把关不严导致冒领的"),
    ("农业生产安全事故调查协助", "other_power", "《安全生产法》", "农业综合服务中心",
     "事故报告、现场保护、配合调查", "迟报、漏报、谎报事故的"),
    ("政务服务事项咨询与代办", "public_service", "省一体化政务服务平台管理办法", "便民服务中心",
     "一次性告知、帮办代办、办结回访", "推诿扯皮、让群众多跑路造成不良影响的"),
    ("村级财务公开监督", "other_power", "《村民委员会组织法》第三十二条", "党政综合办公室",
     "督促村级按季度公开、受理群众质询、问题移交", "对村级财务不公开问题放任不管的"),
)
ADMISSIONS = (
    ("应急", "汛期地质灾害隐患点巡查", "发现报告、协助配合", "《地质灾害防治条例》",
     "汛期隐患点多面广,需乡镇网格员日常巡查并第一时间报告", "approved"),
    ("住建", "农村自建房安全隐患排查", "发现报告、信息收集", "《建设工程质量管理条例》",
     "经营性自建房安全专项整治需乡镇摸底排查", "approved"),
    ("市场监管", "食品小作坊日常巡查", "发现报告、宣传引导", "省食品小作坊小经营店及摊贩管理条例",
     "小作坊分散在各村,需乡镇协助巡查", "approved"),
    ("水务", "河道采砂日常巡查", "发现报告、协助配合", "《河道管理条例》",
     "河道采砂点分布于沿河乡镇,申请乡镇协助巡查", "pending"),
    ("统计", "规模以上企业统计报表代填", "协助配合", "—",
     "企业统计报表由乡镇代填", "refused"),
)


def _find(county, name):
    return Division.objects.filter(path__startswith=county.path, name=name, valid_to__isnull=True).first()


@transaction.atomic
def load_module(county: Division, log=print) -> None:
    if ResponsibilityList.objects.filter(unit=county, is_template=True).exists():
        return
    with audit.batch():
        template = services.create_list(None, county, ListKind.DUTIES)
        for name, category, basis, office, duties, accountability in TEMPLATE_ITEMS:
            DutyItem.objects.create(list=template, name=name, category=category, legal_basis=basis, office_name=office,
                                    duties=duties, accountability=accountability)
        services.publish(None, template, f"{county.name[:2]}府办发〔2024〕12号", dt.date(2024, 3, 1))
        townships = [u for u in (_find(county, "松岗镇"), _find(county, "党坝乡")) if u is not None]
        for i, township in enumerate(townships):
            draft = services.adopt_template(None, template, township)
            if i == 0:
                draft.duty_items.filter(name__startswith="老年人高龄津贴").update(duties="受理、核对户籍和年龄、初审、在村务公开栏公示 7 日、报送")
                services.publish(None, draft, f"{township.name[:2]}府发〔2024〕5号", dt.date(2024, 5, 1))
                second = services.new_version(None, draft)
                services.save_duty_item(None, DutyItem(list=second, name="集镇风貌管控巡查", category="inspection",
                                                       legal_basis="县集镇风貌管控导则", body=services.township_body(township, "综合行政执法办公室"),
                                                       duties="巡查、劝导、移交", accountability="巡查不到位造成风貌破坏的"))
        for short, name, cooperation, basis, reason, outcome in ADMISSIONS:
            admission = services.file_admission(None, Admission(department=bodies.department_body(county, short), name=name,
                                                                cooperation=cooperation, legal_basis=basis, reason=reason))
            if outcome == "approved":
                services.approve(None, admission, "同意准入,纳入属地管理事项责任清单")
            elif outcome == "refused":
                services.refuse(None, admission, "属于部门自身职责,不得转嫁乡镇")
        if townships:
            draft = ResponsibilityList.objects.get(unit=townships[0], kind=ListKind.LOCAL, status=ListStatus.DRAFT)
            services.publish(None, draft, f"{townships[0].name[:2]}府发〔2025〕2号", dt.date(2025, 1, 1))
    _powers(county, townships)
    _staffing(townships)
    log(f"乡镇治理:{ResponsibilityList.objects.filter(unit__path__startswith=county.path).count()} 个清单版本,"
        f"{Admission.objects.filter(unit=county).count()} 件事项准入申请")


DELEGATIONS = (
    ("住建", "农村建房规划许可", "devolved", "《中华人民共和国城乡规划法》", 2),
    ("市场监管", "个体工商户登记初审", "entrusted", "《促进个体工商户发展条例》", 1),
    ("自然资源", "临时用地审核", "entrusted", "《土地管理法》第五十七条", 1),
)
ENFORCEMENT = (
    ("住建", "违法建设的查处", "penalty"),
    ("市场监管", "无照经营的查处", "penalty"),
    ("自然资源", "非法占用土地的制止", "coercion"),
    ("应急", "乡村道路交通安全劝导检查", "inspection"),
)


def _powers(county, townships):
    """Delegations (the first to the 中心镇 only), their follow-up, the enforcement catalogue and two teams — one
    certificate about to expire, and a township that took items with no valid certificate holder."""
    if not townships:
        return
    today = dt.date.today()
    for short, name, mode, basis, reach in DELEGATIONS:
        d = services_powers.save_delegation(None, Delegation(name=name, department=bodies.department_body(county, short),
                                                             mode=mode, legal_basis=basis, valid_from=dt.date(2024, 7, 1),
                                                             doc_number="马府发〔2024〕21号"), townships[:reach])
        services_powers.save_follow_up(None, FollowUp(delegation=d, township=townships[0], kind="training",
                                                      date=dt.date(2024, 8, 15), note="县级部门到镇集中培训一天"))
        services_powers.save_follow_up(None, FollowUp(delegation=d, township=townships[0], kind="review",
                                                      date=dt.date(2025, 6, 30), cases=37, rating="good",
                                                      note="半年评估:办件及时,群众满意"))
    for short, name, category in ENFORCEMENT:
        services_powers.save_enforcement_item(None, EnforcementItem(name=name, category=category,
                                                                    department=bodies.department_body(county, short)),
                                              townships)
    services_powers.save_officer(None, EnforcementOfficer(unit=townships[0], name="泽郎", certificate="51320124001",
                                                          expires=today + dt.timedelta(days=30)))
    services_powers.save_officer(None, EnforcementOfficer(unit=townships[0], name="王建华", certificate="51320124002",
                                                          expires=dt.date(2028, 12, 31)))
    if len(townships) > 1:
        services_powers.save_officer(None, EnforcementOfficer(unit=townships[1], name="杨措", certificate="51320123007",
                                                              expires=dt.date(2024, 12, 31)))


# made-up people with valid-looking (check digit right) numbers in the 马尔康 area code
STAFF = (
    ("综合行政执法办公室", "执法岗", "尔玛", "513201198803120025", "administrative", "四级主任科员", False, True),
    ("综合行政执法办公室", "执法岗", "张强", "513201199107250031", "administrative", "一级科员", False, False),
    ("社会事务办公室", "社会救助岗", "卓玛", "513201199302140045", "institutional", "专业技术十级", False, False),
    ("党政综合办公室", "综合文字岗", "李明", "513201198512300012", "administrative", "二级主任科员", True, False),
)


def _staffing(townships):
    """Establishment, posts (carrying the items of the list in force) and staff for the first township; the second
    township's staff wait for placement if the demo registry merged it (otherwise they simply work there)."""
    from xiangcun.core.validators import id_check_digit

    if not townships:
        return
    township = townships[0]
    lst = services.in_force(township, ListKind.DUTIES)
    for short, post_name, name, number, kind, rank, leader, non_leader in STAFF:
        body = services.township_body(township, short)
        if body is None:
            continue
        if not Establishment.objects.filter(body=body).exists():
            services_staffing.save_establishment(None, Establishment(body=body, administrative=2, institutional=1, service=0,
                                                                     leaders=1))
        post = Post.objects.filter(body=body, name=post_name).first()
        if post is None:
            items = list(lst.duty_items.filter(body=body)) if lst else []
            post = services_staffing.save_post(None, Post(body=body, name=post_name, duties=f"承担{short}的{post_name}工作"), items)
        number = number[:17] + id_check_digit(number[:17])
        services_staffing.save_staff(None, Staff(body=body, post=post, name=name, id_number=number, kind=kind, rank=rank,
                                                 leader=leader, non_leader=non_leader, phone="13800000000"[:7] + number[-4:]))
    services_staffing.save_post(None, Post(body=services.township_body(township, "便民服务中心"), name="综合窗口岗",
                                           vacant_since=dt.date(2024, 9, 1)))
