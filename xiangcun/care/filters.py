"""The filters of the list of people, shared by its page, its export and the API (values outside their choices: 400)."""
from xiangcun.core import params
from xiangcun.core.crypto import mask_id_number
from xiangcun.core.validators import id_number as check_id_number

from .models import CATEGORIES, RiskLevel, Status

STATUS = (("active", "在册"), ("ended", "已退出"), ("all", "全部"))
CATEGORY_CHOICES = tuple(CATEGORIES.items())


def filtered(request_or_params, qs):
    """`category`, `risk`, `status` (在册 by default), `unit` (an id: that unit's area, merged units included),
    `id` (a full 身份证号: found through the blind index, nothing decrypted)."""
    from django.core.exceptions import ValidationError

    from xiangcun.divisions.models import Division
    from xiangcun.divisions.scoping import area_q

    from .models import id_index_of

    get = getattr(request_or_params, "GET", request_or_params)
    user = getattr(request_or_params, "user", None)
    category = params.get_choice(get, "category", list(CATEGORIES))
    risk = params.get_choice(get, "risk", [r for r, _ in RiskLevel.choices])
    status = params.get_choice(get, "status", [s for s, _ in STATUS]) or "active"
    unit_id = params.get_id(get, "unit")
    id_text = params.get_text(get, "id", max_length=20)
    if category:
        qs = qs.filter(**{f"is_{category}": True})
    if risk:
        qs = qs.filter(risk_level=risk)
    if status != "all":
        qs = qs.filter(status=Status.ACTIVE if status == "active" else Status.ENDED)
    if unit_id:
        unit = Division.objects.visible_to(user).filter(pk=unit_id).first() if user is not None else None
        qs = qs.filter(area_q(unit, "village__path")) if unit else qs.none()
    if id_text:
        try:
            qs = qs.filter(id_index=id_index_of(check_id_number(id_text)))
        except ValidationError:  # the number typed is not echoed back in full (error pages are logged)
            raise params.BadParameter("id", mask_id_number(id_text), "不是有效的 18 位身份证号") from None
    return qs


class Params:
    """Query parameters and the user, for `filtered` outside a plain GET request (a POSTed search, the API)."""

    def __init__(self, get, user):
        self.GET, self.user = get, user
