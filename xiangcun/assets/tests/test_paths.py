"""The holder's and custodian's division paths copied onto each asset stay right through registry changes.

Scoping and statistics read `Asset.holder_path` / `custodian_path` instead of joining the divisions,
so a merger or a transfer that changes a unit's path must change them too, or users lose sight of
their assets (or see other counties' ones).
"""
import datetime as dt

from django.db.models import F, Q

from xiangcun.accounts.models import Role
from xiangcun.assets import services
from xiangcun.assets.models import Asset
from xiangcun.divisions import services as registry


def stale():
    """Assets whose copied paths differ from their units' current paths."""
    moved = ~Q(holder_path=F("holder__path")) | ~Q(custodian_path=F("custodian__path"))
    return list(Asset.all_with_deleted.filter(moved).values_list("ledger_no", flat=True))


def listed(client, user):
    client.force_login(user)
    return client.get("/assets/").content.decode()


def test_paths_are_set_on_create_update_and_custody_refresh(new_asset, unit, cast):
    asset = new_asset(holder="卓克基镇")
    assert asset.holder_path == unit("卓克基镇").path and asset.custodian_path == unit("马尔康镇").path
    services.update_asset(asset, cast["caizheng"], holder=unit("松岗镇"))
    asset.refresh_from_db()
    assert (asset.holder_path, asset.custodian_path) == (unit("松岗镇").path, unit("松岗镇").path)
    services.transition(asset, "check", cast["caizheng"])  # a save with update_fields keeps them
    assert stale() == []


def test_paths_follow_a_merger_and_the_township_still_sees_the_assets(new_asset, unit, cast, client, make_user):
    village = new_asset(holder="党坝村", ledger_no="DB-1", name="党坝村旧村委会")
    township = new_asset(holder="党坝乡", ledger_no="DB-2", name="党坝乡旧政府")
    songgang = cast["songgang"]
    assert "DB-1" not in listed(client, songgang)
    registry.merge([unit("党坝乡")], dt.date(2024, 1, 1), into=unit("松岗镇"), document="马府民政〔2024〕2号")
    # 党坝村 moved under 松岗镇: its path changed, and with it the copies on its asset
    assert unit("党坝村").path.startswith(unit("松岗镇").path)
    assert stale() == []
    township.refresh_from_db()  # the merger moved the township's asset to 松岗镇 by itself
    assert township.custodian == unit("松岗镇") and township.custodian_path == unit("松岗镇").path
    assert stale() == []
    page = listed(client, songgang)
    assert "DB-1" in page and "DB-2" in page
    assert set(Asset.objects.visible_to(songgang).values_list("ledger_no", flat=True)) >= {"DB-1", "DB-2"}
    # the county still sees both, and its statistics count them under 松岗镇
    assert {"DB-1", "DB-2"} <= set(Asset.objects.visible_to(cast["caizheng"]).values_list("ledger_no", flat=True))
    client.force_login(cast["caizheng"])
    assert client.get("/assets/stats/").status_code == 200
    village.refresh_from_db()
    assert village.holder_path == unit("党坝村").path


def test_paths_follow_a_transfer_to_another_county(new_asset, unit, cast, client, make_user, maerkang):
    asset = new_asset(holder="党坝村", ledger_no="DB-1", name="党坝村旧村委会")
    village = unit("党坝村")
    other = registry.establish("新设县", "county", maerkang.parent, dt.date(2024, 1, 1))
    other_user = make_user("other", Role.DEPARTMENT, other, department="财政")
    assert "DB-1" not in listed(client, other_user)
    registry.transfer(unit("党坝乡"), other, dt.date(2024, 6, 1), document="川府民政〔2024〕9号")
    asset.refresh_from_db()
    village.refresh_from_db()
    assert asset.holder_path == asset.custodian_path == village.path
    assert asset.holder_path.startswith(other.path)
    assert stale() == []
    # custody did not move (the village still exists); who sees the asset did
    assert services.refresh_custody(Asset.objects.all(), cast["caizheng"]) == 0
    assert "DB-1" in listed(client, other_user)
    assert "DB-1" not in listed(client, cast["caizheng"])
    assert "DB-1" in listed(client, cast["dangba"])  # the township's own staff moved with it
