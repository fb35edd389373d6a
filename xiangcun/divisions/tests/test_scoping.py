"""Jurisdiction scoping (divisions.scoping): every record that hangs on a division declares its scope fields;
an area is a unit's subtree plus the subtrees of the units merged into it; reads and writes outside the
user's jurisdiction are refused."""
import datetime as dt

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import models

from xiangcun.accounts.models import Role
from xiangcun.divisions import services
from xiangcun.divisions.models import ChangeEvent, Division, Kind, Level
from xiangcun.divisions.scoping import (
    PUBLISHED,
    OutOfScope,
    ScopedQuerySet,
    area_q,
    ensure_in_scope,
    in_scope,
    merged_units,
    subtree_q,
)

D = dt.date

# Tables that hang on a division (or carry a field named like a path) but are not scoped by ScopedQuerySet:
NOT_SCOPED = {
    # core is the ground floor and cannot build on divisions; the audit pages filter entries with
    # scope_q(user, "path") (workbench/views.py).
    "core.AuditEntry",
    # users are managed, not records: accounts.managed_by scopes them (scope_q on jurisdiction__path, plus
    # the rule about administrators); their manager stays Django's UserManager, which the migrations hold.
    "accounts.User",
    # task_path and exception_class_path are dotted Python names, not division paths.
    "django_tasks_database.DBTaskResult",
}


def _hangs_on_a_division(model) -> bool:
    for f in model._meta.get_fields():
        if f.concrete and (f.many_to_one or f.many_to_many) and f.related_model is Division:
            return True
        if f.concrete and (f.name == "path" or f.name.endswith("_path")):
            return True
    return False


def _path_field(model, lookup: str):
    """The field a scope lookup ends on ("unit__path" on DataValue: Division.path)."""
    *relations, last = lookup.split("__")
    for name in relations:
        model = model._meta.get_field(name).related_model
    return model._meta.get_field(last)


def undeclared() -> list[str]:
    """Models that hang on a division and neither declare scope fields on a ScopedQuerySet nor are opted out."""
    out = []
    for model in apps.get_models():
        label = model._meta.label
        if label in NOT_SCOPED or not _hangs_on_a_division(model):
            continue
        fields = getattr(model, "scope_fields", None)
        scoped = isinstance(model._default_manager.all(), ScopedQuerySet)
        if not fields or not scoped:
            out.append(f"{label}: {'scope_fields' if not fields else ''} {'' if scoped else 'ScopedQuerySet'}")
            continue
        if fields != PUBLISHED:
            for lookup in fields:
                field = _path_field(model, lookup)
                if not isinstance(field, models.CharField) or not (field.name == "path" or field.name.endswith("_path")):
                    out.append(f"{label}: {lookup} is not a division path")
    return out


def test_every_model_on_a_division_declares_its_scope_fields():
    assert undeclared() == []


def test_every_declared_scope_runs_for_users_in_and_out_of_a_jurisdiction(county, make_user):
    township = make_user("t", Role.TOWNSHIP, county["a"])
    nowhere = make_user("n", Role.TOWNSHIP, None)
    for model in apps.get_models():
        if getattr(model, "scope_fields", None) and isinstance(model._default_manager.all(), ScopedQuerySet):
            model._default_manager.visible_to(township).exists()  # the lookups resolve and the query runs
            if model.scope_fields != PUBLISHED:
                assert not model._default_manager.visible_to(nowhere).exists(), model


@pytest.fixture
def county(db):
    """马尔康市 with 甲镇 (村0, 村1), 乙乡 (村2, 村3) and 丙乡 (村4); 村1 merges into 村0 and 乙乡 into 甲镇."""
    prov = services.create_unit("四川省", Kind.PROVINCE, None, D(2019, 1, 1), code="510000000000")
    city = services.create_unit("阿坝州", Kind.CITY, prov, D(2019, 1, 1), code="513200000000")
    county = services.create_unit("马尔康市", Kind.COUNTY, city, D(2019, 1, 1), code="513201000000")
    a = services.create_unit("甲镇", Kind.TOWN, county, D(2019, 1, 1), code="513201100000")
    b = services.create_unit("乙乡", Kind.TOWNSHIP, county, D(2019, 1, 1), code="513201200000")
    c = services.create_unit("丙乡", Kind.TOWNSHIP, county, D(2019, 1, 1), code="513201300000")
    units = {"county": county, "a": a, "b": b, "c": c}
    for i, parent in enumerate((a, a, b, b, c)):
        units[f"v{i}"] = services.create_unit(f"村{i}", Kind.VILLAGE, parent, D(2019, 1, 1),
                                              code=parent.code[:9] + f"{200 + i:03d}")
    services.merge([units["v1"]], D(2020, 6, 30), into=units["v0"])
    services.merge([b], D(2021, 1, 1), into=a)
    return {k: Division.objects.get(pk=u.pk) for k, u in units.items()}


def names(q):
    return sorted(Division.objects.filter(q).values_list("name", flat=True))


def test_an_area_holds_the_units_merged_into_it_but_not_its_siblings(county):
    # 村1 merged into 村0: its records roll into 村0's area; 村2 (a village of the same township) does not.
    assert names(area_q(county["v0"])) == ["村0", "村1"]
    assert names(subtree_q(county["v0"])) == ["村0"]
    assert [u.name for u in merged_units(county["v0"])] == ["村1"]
    # 乙乡 merged into 甲镇 (its villages moved under 甲镇): 乙乡 itself is in 甲镇's area, 丙乡 and 村4 are not.
    assert names(area_q(county["a"])) == ["乙乡", "村0", "村1", "村2", "村3", "甲镇"]
    assert names(area_q(county["c"])) == ["丙乡", "村4"]
    # a path works as well as a unit, on any path field
    assert names(area_q(county["v0"].path)) == ["村0", "村1"]
    assert {d.name for d in Division.objects.filter(area_q(county["a"], "path"))} >= {"乙乡"}


def test_a_subtree_is_a_path_range_not_a_string_prefix(db):
    """"/1/7/" holds "/1/7/42/" but not "/1/70/": the range ends at "/1/70" ('/' sorts just before '0')."""
    def make(pk, path, name):
        return Division.objects.create(pk=pk, path=path, name=name, level=Level.VILLAGE, kind=Kind.VILLAGE)

    make(900001, "/900001/", "七")
    make(9000010, "/9000010/", "七十")
    make(900042, "/900001/900042/", "七之下")
    assert names(subtree_q("/900001/")) == ["七", "七之下"]
    assert names(area_q("/900001/")) == ["七", "七之下"]  # nothing merged into it
    assert names(subtree_q("/9000010/")) == ["七十"]


def test_visible_to_takes_any_scope_field_and_what_merged_into_the_jurisdiction(county, make_user):
    from xiangcun.assets.models import Asset

    def asset(no, holder, custodian):
        return Asset.objects.create(ledger_no=no, name=no, category="office", holder=holder, custodian=custodian)

    asset("A-held-in-b", county["v2"], county["v4"])   # held in 乙乡 (merged into 甲镇), looked after in 丙乡
    asset("A-kept-in-c", county["v4"], county["v4"])
    asset("A-kept-in-a", county["v4"], county["v0"])   # looked after in 甲镇
    jia = make_user("jia", Role.TOWNSHIP, county["a"])
    bing = make_user("bing", Role.TOWNSHIP, county["c"])
    admin = make_user("admin", Role.ADMIN, None)
    stranger = make_user("stranger", Role.TOWNSHIP, None)

    def seen(user):
        return sorted(Asset.objects.visible_to(user).values_list("ledger_no", flat=True))

    assert seen(jia) == ["A-held-in-b", "A-kept-in-a"]
    assert seen(bing) == ["A-held-in-b", "A-kept-in-a", "A-kept-in-c"]
    assert seen(admin) == ["A-held-in-b", "A-kept-in-a", "A-kept-in-c"]
    assert seen(stranger) == []
    # units: the jurisdiction, its subtree and what merged into it
    assert sorted(Division.objects.visible_to(jia).values_list("name", flat=True)) == ["乙乡", "村0", "村1", "村2", "村3",
                                                                                    "甲镇"]
    # a record on a to-many relation is listed once (the merger of 乙乡 into 甲镇 involves two units in scope)
    merge_events = ChangeEvent.objects.visible_to(jia).filter(predecessors=county["b"])
    assert merge_events.count() == 1
    assert not ChangeEvent.objects.visible_to(bing).filter(predecessors=county["b"]).exists()


def test_ensure_in_scope_refuses_a_unit_outside_the_jurisdiction_in_chinese(county, make_user):
    jia = make_user("jia", Role.TOWNSHIP, county["a"])
    ensure_in_scope(jia, county["v0"], county["b"], None)  # 乙乡 merged into 甲镇; None is skipped
    assert in_scope(jia, county["v3"]) and not in_scope(jia, county["v4"])
    with pytest.raises(OutOfScope, match="^村4不在您的管辖范围内$") as refused:
        ensure_in_scope(jia, county["v0"], county["v4"])
    assert isinstance(refused.value, PermissionDenied)  # a page that does not catch it answers 403
    with pytest.raises(OutOfScope, match="^该单位不在您的管辖范围内$"):
        ensure_in_scope(jia, county["c"], message="该单位不在您的管辖范围内")
    with pytest.raises(OutOfScope):
        ensure_in_scope(make_user("stranger", Role.TOWNSHIP, None), county["v0"])
    ensure_in_scope(make_user("admin", Role.ADMIN, None), county["v4"])
    ensure_in_scope(None, county["v4"])  # a system write (demo, command)
