"""The permission matrix's data for the collective economy module (see core/tests/test_matrix.py)."""
from xiangcun.core.tests.matrix import Case, made_once

CASES = {
    "collective:detail": Case(obj="organisation"),
    "collective:edit": Case(obj="organisation"),
    "collective:members_full": Case(obj="organisation", method="post"),
    # an empty form is refused on the page itself, every error beside its field
    "collective:new": Case(method="post", ok=400),
    "collective:integration": Case(obj="integration"),
    "collective-organisation-detail": Case(obj="organisation"),
    "collective-integration-detail": Case(obj="integration"),
}


def _objects(users, unit):
    """An organisation in a village of 松岗镇 and one of 党坝乡, each with an integration of two organisations."""
    import datetime as dt

    from .. import services
    from ..models import Organisation

    out = {"organisation": {}, "integration": {}}
    office = users["office"]
    for label, village in (("sg", "松岗村"), ("db", "党坝村")):
        a = services.save_organisation(office, Organisation(name=f"{village}股份经济合作社(矩阵)", village=unit(village)))
        b = services.save_organisation(office, Organisation(name=f"{village}原二村经济合作社(矩阵)", village=unit(village)))
        integration = services.record_integration(office, services.IntegrationInput(
            village=unit(village), mode="joint", resolution_date=dt.date(2023, 5, 1), eligible=30, present=25, votes_for=20,
            parties=[a, b], new_name=f"{village}联合经营体(矩阵)"))
        out["organisation"][label], out["integration"][label] = a.pk, integration.pk
    return out


_kind = made_once(_objects)

OBJECTS = {
    "organisation": ("area", _kind("organisation")),
    "integration": ("area", _kind("integration")),
}
