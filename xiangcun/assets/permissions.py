"""What each role may do in the assets module, and its URLs.

财政/国资 department staff, the county reform office and administrators change the ledger (create,
edit, lifecycle steps, approve plans, open and sign off campaigns, import). Township staff check the
assets of their township in campaigns and may propose revitalisation plans. Everyone else in scope reads.
"""
from xiangcun.core.access import Access

from .services import may_check, may_edit_ledger, may_propose


def editors(user) -> bool:
    return may_edit_ledger(user)


def checkers(user) -> bool:
    return may_check(user)


def proposers(user) -> bool:
    return may_propose(user)


URLS = {
    "assets:list": Access(),
    "assets:export": Access(),
    "assets:map": Access(),
    "assets:detail": Access(obj="asset"),
    "assets:new": Access(allowed=editors),
    "assets:edit": Access(allowed=editors, obj="asset"),
    "assets:transition": Access(allowed=editors, obj="asset", method="post", ok=302),
    "assets:delete": Access(allowed=editors, obj="asset", method="post", ok=302),
    "assets:deleted": Access(allowed=editors),
    "assets:restore": Access(allowed=editors, obj="asset_deleted", method="post", ok=302),
    "assets:attach": Access(allowed=editors, obj="asset", method="post", ok=302),
    "assets:attachment": Access(obj="asset_attachment"),
    "assets:plan_new": Access(allowed=proposers, obj="asset"),
    "assets:plan_decide": Access(allowed=editors, obj="asset_plan", method="post", ok=302),
    "assets:plan_outcome": Access(allowed=editors, obj="asset_plan"),
    "assets:campaigns": Access(),
    "assets:campaign_new": Access(allowed=editors),
    "assets:campaign": Access(obj="asset_campaign"),
    "assets:campaign_check": Access(allowed=checkers, obj="asset_campaign", method="post", ok=302),
    "assets:campaign_close": Access(allowed=editors, obj="asset_campaign", method="post", ok=302),
    "assets:campaign_export": Access(obj="asset_campaign"),
    "assets:stats": Access(),
    "assets:stats_export": Access(),
    "assets:import": Access(allowed=editors),
    "assets:template": Access(),
    "assets:refresh_custody": Access(allowed=editors, method="post", ok=302),
    # REST API
    "asset-list": Access(),
    "asset-detail": Access(obj="asset"),
    "asset-idle-buildings": Access(),
    "asset-stats": Access(),
    "asset-transition": Access(allowed=editors, obj="asset", method="post", ok=400),  # no action given
}


def _objects(users, unit):
    """One asset of a village of 松岗镇 and one of 党坝乡, with a plan, an attachment and a campaign each."""
    import datetime as dt

    from django.core.files.base import ContentFile

    from . import services
    from .models import Attachment, Category

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


_made = {"users": None, "objects": None}  # the objects are made once per matrix world


def _kind(kind):
    def factory(users, unit):
        if _made["users"] is not users:
            _made["users"], _made["objects"] = users, _objects(users, unit)
        return _made["objects"][kind]
    return factory


MATRIX_OBJECTS = {
    "asset": ("area", _kind("asset")),
    "asset_plan": ("area", _kind("asset_plan")),
    "asset_attachment": ("area", _kind("asset_attachment")),
    "asset_campaign": ("area", _kind("asset_campaign")),
    "asset_deleted": ("area", _kind("asset_deleted")),
}
