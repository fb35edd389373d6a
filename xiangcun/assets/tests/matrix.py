"""The permission matrix's data for the assets module (see core/tests/test_matrix.py): what each URL is
called with and what a permitted user gets (`Case`), and the objects of its own kinds (`OBJECTS`)."""
from xiangcun.core.tests.matrix import Case, made_once

CASES = {
    "assets:detail": Case(obj="asset"),
    "assets:edit": Case(obj="asset"),
    "assets:transition": Case(obj="asset", method="post", ok=302),
    "assets:delete": Case(obj="asset", method="post", ok=302),
    "assets:restore": Case(obj="asset_deleted", method="post", ok=302),
    "assets:attach": Case(obj="asset", method="post", ok=302),
    "assets:attachment": Case(obj="asset_attachment"),
    "assets:plan_new": Case(obj="asset"),
    "assets:plan_decide": Case(obj="asset_plan", method="post", ok=302),
    "assets:plan_outcome": Case(obj="asset_plan"),
    "assets:plan_deliberation": Case(obj="asset_plan", method="post", ok=302),
    "assets:campaign": Case(obj="asset_campaign"),
    "assets:campaign_check": Case(obj="asset_campaign", method="post", ok=302),
    # an empty sign-off is refused on the page itself (400), with what was typed kept
    "assets:campaign_close": Case(obj="asset_campaign", method="post", ok=400),
    "assets:campaign_export": Case(obj="asset_campaign"),
    "assets:refresh_custody": Case(method="post", ok=302),
    # REST API
    "asset-detail": Case(obj="asset"),
    "asset-transition": Case(obj="asset", method="post", ok=400),  # no action given
}


def _objects(users, unit):
    """One asset of a village of 松岗镇 and one of 党坝乡, with a plan, an attachment and a campaign each."""
    import datetime as dt

    from django.core.files.base import ContentFile

    from .. import services
    from ..models import Attachment, Category

    out = {"asset": {}, "asset_plan": {}, "asset_attachment": {}, "asset_campaign": {}, "asset_deleted": {}}
    office = users["office"]
    for label, village, township in (("sg", "松岗村", "松岗镇"), ("db", "党坝村", "党坝乡")):
        asset = services.create_asset(office, f"MX-{label}", name=f"{village}旧村委会", category=Category.VILLAGE_HALL,
                                      holder=unit(village), floor_area=300)
        services.transition(asset, "check", office)
        services.transition(asset, "mark_idle", office)
        plan = services.propose_plan(asset, office, route="public_use", new_use="elderly_care")
        att = Attachment(asset=asset, name="照片.txt", size=4)
        att.file.save("photo.txt", ContentFile(b"test"), save=True)
        campaign = services.open_campaign(office, f"{township}清查", unit(township), dt.date(2024, 1, 1))
        out["asset"][label], out["asset_plan"][label] = asset.pk, plan.pk
        gone = services.create_asset(office, f"MX-{label}-gone", name=f"{village}旧仓库", category=Category.OTHER_BUILDING,
                                     holder=unit(village))
        gone.soft_delete(office, "重复登记")
        out["asset_deleted"][label] = gone.pk
        out["asset_attachment"][label], out["asset_campaign"][label] = att.pk, campaign.pk
    return out


_kind = made_once(_objects)  # the objects are made once per matrix world


OBJECTS = {
    "asset": ("area", _kind("asset")),
    "asset_plan": ("area", _kind("asset_plan")),
    "asset_attachment": ("area", _kind("asset_attachment")),
    "asset_campaign": ("area", _kind("asset_campaign")),
    "asset_deleted": ("area", _kind("asset_deleted")),
}
