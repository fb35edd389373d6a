"""Demo care register for the demo county: generated people (made-up names from common surnames and given-name
characters, 身份证号 built on the county's code with made-up birth dates and sequence numbers and a valid check
digit — no real person), with visits and a few referrals, in plausible proportions for a mountain county of about
60,000 people. Demo logins: `ertong` (a village's 儿童主任, carer of that village's children), `shehui` (松岗镇
社会事务办公室), `canlian` (县残联), `jiaoyu` (县教育局, receives referrals).

Idempotent: nothing is generated when the county already has people in the register.
"""
import datetime as dt
import random

from django.db import transaction

from xiangcun.accounts.demo import demo_login
from xiangcun.accounts.models import Role
from xiangcun.bodies.models import Body
from xiangcun.bodies.services import department_body
from xiangcun.core import audit
from xiangcun.core.validators import id_check_digit
from xiangcun.divisions.levels import Level
from xiangcun.divisions.models import Division

from .models import Person, Referral, RiskLevel, Visit, Volunteer

SURNAMES = "王李张刘陈杨黄赵周吴徐孙马朱胡郭何林罗高泽阿格旦"
GIVEN = "小明华丽芳军强霞平刚桂英秀兰玉梅德成志红卓玛尔扎西拉姆措吉"


def _name(rng):
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def _id_number(rng, prefix: str, born: dt.date, seq: int, male: bool) -> str:
    order = f"{seq % 100:02d}{(rng.randrange(5) * 2 + (1 if male else 0))}"
    first17 = f"{prefix}{born:%Y%m%d}{order}"
    return first17 + id_check_digit(first17)


def _born(rng, today, lo, hi):
    return today - dt.timedelta(days=rng.randrange(int(lo * 365.25), int(hi * 365.25)))


def load_module(county: Division, log=print) -> None:
    villages = list(Division.objects.filter(level=Level.VILLAGE, valid_to__isnull=True,
                                            path__startswith=county.path).order_by("code"))
    if not villages:
        return
    songgang = Division.objects.filter(parent=county, name="松岗镇", valid_to__isnull=True).first() or villages[0].parent
    carer_village = next((v for v in villages if v.parent_id == songgang.pk), villages[0])
    carer = demo_login("ertong", Role.VILLAGE_AGENT, carer_village, f"{carer_village.name}儿童主任")
    social = demo_login("shehui", Role.TOWNSHIP, songgang, f"{songgang.name}社会事务办公室")
    office = Body.objects.filter(unit=songgang, short_name="社会事务办公室", valid_to__isnull=True).first()
    if office is not None and social.body_id != office.pk:
        social.body = office
        social.save(update_fields=["body"])
    demo_login("canlian", Role.DEPARTMENT, county, f"{county.name}残疾人联合会", "残联")
    demo_login("jiaoyu", Role.DEPARTMENT, county, f"{county.name}教育局", "教育")
    if Person.objects.filter(village__path__startswith=county.path).exists():
        return
    n = _generate(county, villages, carer, carer_village)
    log(f"生成关爱服务演示名单 {n} 人(登录 ertong 为{carer_village.name}儿童主任,shehui 为{songgang.name}社会事务办公室,"
        "canlian 为残联,jiaoyu 为教育局)")


@transaction.atomic
def _generate(county, villages, carer, carer_village) -> int:
    rng = random.Random(20)
    today = dt.date.today()
    prefix = (county.code or "513201")[:6]
    education = department_body(county, "教育")
    health = department_body(county, "卫健")
    seq = 0
    people = []
    with audit.batch():
        volunteers = {}
        for village in villages:
            volunteers[village.pk] = Volunteer.objects.create(name=_name(rng), unit=village, hours=rng.randrange(10, 400),
                                                              phone=f"139{rng.randrange(10**7, 10**8)}")
        for village in villages:
            for _ in range(rng.randrange(4, 11)):
                seq += 1
                kind = rng.choices(["child", "difficult", "disabled", "elderly", "poverty"], weights=[22, 8, 40, 20, 10])[0]
                ages = {"child": (3, 17.9), "difficult": (2, 17.9), "disabled": (8, 80), "elderly": (60, 90),
                        "poverty": (30, 85)}[kind]
                born = _born(rng, today, *ages)
                male = rng.random() < 0.5
                p = Person(name=_name(rng), village=village, address=f"{village.name}{rng.randrange(1, 9)}组{rng.randrange(1, 60)}号",
                           registered_on=today - dt.timedelta(days=rng.randrange(30, 900)))
                p.set_id_number(_id_number(rng, prefix, born, seq, male))
                if kind == "child":
                    p.is_left_behind_child = True
                    p.guardian_name, p.guardian_relation = _name(rng), rng.choice(["祖父", "祖母", "外祖母", "叔叔"])
                elif kind == "difficult":
                    p.is_child_in_difficulty = True
                    p.difficulty_type = rng.choice(["orphan", "unsupported", "poor", "ill_disabled"])
                    p.guardian_name, p.guardian_relation = _name(rng), rng.choice(["祖母", "姑姑", "村委会"])
                elif kind == "disabled":
                    p.is_disabled = True
                    p.disability_category = rng.choices(["physical", "visual", "hearing", "intellectual", "mental",
                                                         "speech", "multiple"], weights=[40, 15, 15, 10, 10, 4, 6])[0]
                    p.disability_grade = rng.choice("1234")
                    p.disability_card = p.id_number + f"{rng.randrange(1, 8)}{p.disability_grade}"
                elif kind == "elderly":
                    p.is_left_behind_elderly = True
                else:
                    p.is_extreme_poverty, p.support_mode = True, rng.choice(["dispersed", "dispersed", "centralised"])
                if kind != "poverty" and rng.random() < 0.08:
                    p.is_extreme_poverty, p.support_mode = True, "dispersed"
                if p.guardian_name or rng.random() < 0.5:
                    p.guardian_phone = f"1{rng.choice('3589')}{rng.randrange(10**8, 10**9)}"
                p.risk_level = rng.choices([RiskLevel.GENERAL, RiskLevel.KEY, RiskLevel.SPECIAL], weights=[70, 22, 8])[0]
                if p.risk_level != RiskLevel.GENERAL:
                    p.risk_reason = rng.choice(["独居", "监护人年老体弱", "家庭经济困难", "患慢性病", "辍学风险"])
                if village.pk == carer_village.pk and (p.is_left_behind_child or p.is_child_in_difficulty):
                    p.carer_user, p.carer_role = carer, "children_director"
                elif rng.random() < 0.3:
                    p.carer_volunteer, p.carer_role = volunteers[village.pk], "volunteer"
                p.save()
                people.append(p)
        for p in people:
            interval = {"special": 7, "key": 30, "general": 90}[p.risk_level]
            day = max(p.registered_on, today - dt.timedelta(days=200))  # the last months' visits
            while True:
                day += dt.timedelta(days=int(interval * rng.uniform(0.6, 1.4)))
                if day >= today:
                    break
                Visit.objects.create(person=p, date=day, mode=rng.choice(["home", "home", "phone", "video"]),
                                     findings=rng.choice(["生活正常", "身体状况稳定", "学习情况良好", "需添置冬季衣物", "情绪低落,已疏导"]),
                                     visitor=carer if p.carer_user_id else None)
        for p in rng.sample(people, min(12, len(people))):
            body = education if (p.is_left_behind_child or p.is_child_in_difficulty) else health
            Referral.objects.create(person=p, body=body, need="协调入学" if body == education else "协调上门体检",
                                    deadline=today + dt.timedelta(days=rng.randrange(-5, 30)),
                                    referred_on=today - dt.timedelta(days=rng.randrange(1, 40)))
    return len(people)
