"""Demo collective economy for the demo county: one organisation per village (the abolished villages' too, which
followed their village into the merger), members with synthetic 身份证号, accounts for 2021–2024 (some 空壳村 and
薄弱村), and integrations of merged villages in each of the four modes.

Idempotent: nothing is added once the county's villages have organisations. Loaded before the asset ledger's demo
(INSTALLED_APPS order), which names these organisations as owners of collective assets.
"""
import datetime as dt
import random
from decimal import Decimal

from django.db import transaction

from xiangcun.accounts.demo import demo_login
from xiangcun.accounts.models import Role
from xiangcun.core import audit
from xiangcun.core.validators import credit_code_check, id_check_digit
from xiangcun.divisions.levels import Level
from xiangcun.divisions.models import Division
from xiangcun.divisions.scoping import subtree_q

from . import services
from .models import IntegrationMode, Member, Organisation, OrgKind

SURNAMES = "王李张刘陈杨黄赵周吴徐孙马朱胡郭何高林罗郑梁谢宋唐泽"
GIVEN = ["明", "华", "强", "芳", "秀英", "德吉", "卓玛", "扎西", "拉姆", "建国", "志强", "桂英", "尔甲", "红梅", "永富"]
MODES = [IntegrationMode.SHARES, IntegrationMode.DIRECT, IntegrationMode.JOINT, IntegrationMode.GRADUAL]


def load_module(county: Division, log=print) -> None:
    demo_login("nongye", Role.DEPARTMENT, county, f"{county.name}农业农村局", "农业农村")
    villages = Division.objects.filter(subtree_q(county, "path"), level=Level.VILLAGE)
    if Organisation.objects.filter(village__in=villages).exists():
        return
    n, integrations = _generate(county, villages)
    log(f"集体经济组织演示数据:{n} 个组织,{Member.objects.filter(organisation__village__in=villages).count()} 名成员,"
        f"{integrations} 项合并村整合(登录 nongye 为农业农村局)")


def _code(i: int) -> str:
    first17 = f"N2513201MA{i:07d}"[:17]
    return first17 + credit_code_check(first17)


def _person(rng, county_code: str, i: int) -> tuple[str, str]:
    born = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randint(0, 365 * 52))
    first17 = f"{county_code[:6]}{born:%Y%m%d}{i % 1000:03d}"
    return rng.choice(SURNAMES) + rng.choice(GIVEN), first17 + id_check_digit(first17)


@transaction.atomic
def _generate(county, villages):
    rng = random.Random(18)
    units = sorted(villages, key=lambda u: (u.valid_to is not None, u.path))
    seq, person = 0, 0
    with audit.batch():
        for village in units:
            seq += 1
            share = rng.random() < 0.5
            org = Organisation(name=f"{village.name}{'股份经济合作社' if share else '经济合作社'}", village=village,
                               kind=OrgKind.SHARE_COOP if share else OrgKind.ECON_COOP, code=_code(seq),
                               established=dt.date(rng.choice([2017, 2018, 2019]), rng.randint(1, 12), rng.randint(1, 28)))
            org.save()
            org.affiliations.create(village=village, valid_from=org.established)
            for _ in range(rng.randint(6, 14)):
                person += 1
                name, number = _person(rng, county.code or "513201", person)
                Member.objects.create(organisation=org, name=name, id_number=number, shares=Decimal(rng.randint(1, 5)),
                                      joined_on=org.established)
            hollow = rng.random() < 0.25
            for year in range(2021, 2025):
                if village.valid_to and village.valid_to.year < year:
                    break
                business = Decimal(0) if hollow else Decimal(rng.randrange(0, 90)) * 1000
                services.save_account(None, org, year, business_income=business,
                                      contract_income=Decimal(0) if hollow else Decimal(rng.randrange(0, 30)) * 1000,
                                      subsidy_income=Decimal(rng.randrange(20, 80)) * 1000,
                                      assets=Decimal(rng.randrange(200, 3000)) * 1000, liabilities=Decimal(rng.randrange(0, 200)) * 1000)
        # the abolished villages' organisations followed their villages into the merger
        for village in sorted((v for v in villages if v.valid_to), key=lambda v: v.valid_to):
            services.follow_closed_unit(village, village.valid_to)
        integrations = _integrations(rng, villages)
    return seq, integrations


def _integrations(rng, villages) -> int:
    """One merged village in each mode (with a second of each where there are enough merged villages)."""
    merged = [v for v in villages.filter(valid_to__isnull=True).order_by("path") if len(services.candidates_for(v)) >= 2]
    done = 0
    for i, village in enumerate(merged[:8]):
        mode = MODES[i % 4]
        parties = services.candidates_for(village)
        absorbed_on = min((p.affiliations.order_by("valid_from").last().valid_from or dt.date(2020, 1, 1)) for p in parties)
        when = max(absorbed_on, dt.date(2020, 6, 1)) + dt.timedelta(days=rng.randint(60, 300))
        eligible = sum(p.members.count() for p in parties)
        present = eligible - rng.randint(0, eligible // 4)
        data = services.IntegrationInput(
            village=village, mode=mode, resolution_date=when, eligible=eligible, present=present,
            votes_for=present - rng.randint(0, present // 5), votes_against=0, abstentions=0, parties=parties,
            document=f"{village.name}成员大会决议〔{when.year}〕{i + 1}号")
        if mode in (IntegrationMode.DIRECT, IntegrationMode.GRADUAL):
            data.survivor = next((p for p in parties if p.affiliations.count() == 1), parties[0])
        if mode == IntegrationMode.GRADUAL:
            data.transition_until = dt.date(dt.date.today().year + 1, 12, 31)  # still under way
        if mode == IntegrationMode.SHARES:
            data.new_name = f"{village.name}股份经济合作联合社"
            data.shares = {p.pk: Decimal(p.members.count() * 100) for p in parties}
        if mode == IntegrationMode.JOINT:
            data.new_name = f"{village.name}集体经济联合经营体"
        data.votes_against = present - data.votes_for
        services.record_integration(None, data)
        done += 1
    return done
