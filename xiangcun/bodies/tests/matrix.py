"""The permission matrix's data for the register of bodies (see core/tests/test_matrix.py)."""
from xiangcun.core.tests.matrix import Case

CASES = {
    "bodies:detail": Case(obj="body"),
    "bodies:edit": Case(obj="body"),
    "bodies:import": Case(),
    # an empty form is refused on the page itself, every error beside its field
    "bodies:new": Case(method="post", ok=400),
    "body-detail": Case(obj="body"),
}


def _bodies(users, unit):
    from ..models import Body, BodyKind

    return {label: Body.objects.create(name=f"{township}党政综合办公室(矩阵)", kind=BodyKind.TOWNSHIP_OFFICE, unit=unit(township)).pk
            for label, township in (("sg", "松岗镇"), ("db", "党坝乡"))}


OBJECTS = {"body": ("area", _bodies)}
