"""The filters of the list of applications, shared by its page, its export, its statistics and the API.

The latest review of each aspect is annotated in SQL (`geo_outcome`, `flood_outcome`; "" while missing), so the states read the
same everywhere: 已批准, 审查未通过 (a latest review refused), 待审查 (a review missing), 可批准 (both passed)."""
from django.db.models import CharField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from xiangcun.core import params

from .models import PASSED, Aspect, Outcome, Review, Status

STATES = (("waiting", "待审查"), ("refused", "审查未通过"), ("ready", "可批准"), ("approved", "已批准"),
          ("open", "审查中(未批准)"))
WAITING = (("geo", "等待自然资源审查(地灾隐患)"), ("flood", "等待水利审查(行洪安全)"))

_reviewing = Q(status=Status.REVIEWING)
_refused = Q(geo_outcome=Outcome.REFUSED) | Q(flood_outcome=Outcome.REFUSED)
STATE_Q = {
    "approved": Q(status=Status.APPROVED),
    "refused": _reviewing & _refused,
    "waiting": _reviewing & ~_refused & (Q(geo_outcome="") | Q(flood_outcome="")),
    "ready": _reviewing & Q(geo_outcome__in=PASSED, flood_outcome__in=PASSED),
    "open": _reviewing,
}


def _latest(aspect: str):
    """The outcome of the aspect's latest review, "" while there is none (never NULL: a negated filter stays exact)."""
    return Coalesce(Subquery(Review.objects.filter(application=OuterRef("pk"), aspect=aspect)
                             .order_by("-reviewed_on", "-pk").values("outcome")[:1]), Value(""), output_field=CharField())


def with_outcomes(qs):
    return qs.annotate(geo_outcome=_latest(Aspect.GEO), flood_outcome=_latest(Aspect.FLOOD))


def filtered(request, qs):
    """`township` (an id: the applications of that township's area), `state`, `waiting` (geo / flood: still
    waiting for that review), `kind`, `q` (project name or applicant)."""
    from xiangcun.divisions.models import Division
    from xiangcun.divisions.scoping import area_q

    from .models import BuildingKind

    township_id = params.get_id(request.GET, "township")
    state = params.get_choice(request.GET, "state", [s for s, _ in STATES])
    waiting = params.get_choice(request.GET, "waiting", [w for w, _ in WAITING])
    kind = params.get_choice(request.GET, "kind", BuildingKind.values)
    q = params.get_text(request.GET, "q", max_length=50)
    qs = with_outcomes(qs)
    if township_id:
        township = Division.objects.visible_to(request.user).filter(pk=township_id).first()
        qs = qs.filter(area_q(township, "village__path")) if township else qs.none()
    if state:
        qs = qs.filter(STATE_Q[state])
    if waiting:
        qs = qs.filter(_reviewing, **{f"{waiting}_outcome": ""})
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(applicant__contains=q))
    return qs
