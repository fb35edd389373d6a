"""The permission matrix's data for the township responsibility lists and 事项准入 (see core/tests/test_matrix.py)."""
from xiangcun.core.tests.matrix import Case, made_once

CASES = {
    "governance:list_detail": Case(obj="govlist"),
    "governance:list_print": Case(obj="govlist"),
    "governance:list_export": Case(obj="govlist"),
    "governance:list_compare": Case(obj="govlist"),
    "governance:list_adopt": Case(obj="govtemplate"),
    "governance:list_new_version": Case(obj="govlist"),
    "governance:list_publish": Case(obj="govlist"),
    "governance:list_import": Case(obj="govlist"),
    "governance:duty_item_new": Case(obj="govlist"),
    "governance:duty_item_edit": Case(obj="govdutyitem"),
    "governance:duty_item_delete": Case(obj="govdutyitem"),
    "governance:local_item_edit": Case(obj="govlocalitem"),
    "governance:local_item_delete": Case(obj="govlocalitem"),
    "governance:admission_detail": Case(obj="admission"),
    # an empty decision is refused on the page itself, beside its field
    "governance:admission_decide": Case(obj="admission", method="post", ok=400),
    "governance:delegation_detail": Case(obj="delegation"),
    "governance:delegation_edit": Case(obj="delegation"),
    "governance:enforcement_item_edit": Case(obj="enfitem"),
    "governance:officer_edit": Case(obj="officer"),
    "governance:establishment_edit": Case(obj="tbody"),
    "governance:post_edit": Case(obj="post"),
    "governance:staff_detail": Case(obj="staff"),
    "governance:staff_edit": Case(obj="staff"),
    # placing is a POST from the placement list; a GET goes back to it
    "governance:place": Case(obj="placestaff", ok=302),
    "governance-staff-detail": Case(obj="staff"),
    "governance-delegation-detail": Case(obj="delegation"),
    "governance-list-detail": Case(obj="govlist"),
    "governance-admission-detail": Case(obj="admission"),
}


def _build(users, unit):
    from datetime import date

    from xiangcun.bodies.models import Body, BodyKind
    from xiangcun.bodies.services import department_body

    from .. import services
    from ..models import Admission, Delegation, DutyItem, EnforcementItem, EnforcementOfficer, ListKind, Post, Staff

    county = unit("马尔康市")
    template = services.create_list(None, county, ListKind.DUTIES)
    DutyItem.objects.create(list=template, name="矩阵模板事项", category="inspection", office_name="党政综合办公室")
    services.publish(None, template, "矩阵〔2024〕1号", date(2024, 1, 1))
    admission = services.file_admission(None, Admission(department=department_body(county, "应急"), name="矩阵准入事项",
                                                        cooperation="发现报告", reason="矩阵"))
    approved = services.file_admission(None, Admission(department=department_body(county, "应急"), name="矩阵已准入事项",
                                                       cooperation="发现报告", reason="矩阵"))
    services.approve(None, approved)
    sg, db = unit("松岗镇"), unit("党坝乡")
    delegation = Delegation.objects.create(unit=county, name="矩阵赋权", department=department_body(county, "住建"),
                                           mode="entrusted", valid_from=date(2024, 1, 1))
    delegation.townships.set([sg, db])
    item = EnforcementItem.objects.create(unit=county, name="矩阵执法事项", department=department_body(county, "住建"))
    item.townships.set([sg])
    officers = {label: EnforcementOfficer.objects.create(unit=u, name="矩阵执法员", certificate=f"JZ-{label}",
                                                         expires=date(2030, 1, 1)).pk for label, u in (("sg", sg), ("db", db))}
    made = {"govlist": {}, "govdutyitem": {}, "govlocalitem": {}, "govtemplate": {"x": template.pk},
            "admission": {"x": admission.pk}, "delegation": {"x": delegation.pk}, "enfitem": {"x": item.pk},
            "officer": officers, "tbody": {}, "post": {}, "staff": {}, "placestaff": {}}
    for label, township in (("sg", "松岗镇"), ("db", "党坝乡")):
        office = Body.objects.create(name=f"{township}党政综合办公室(矩阵)", short_name="党政综合办公室",
                                     kind=BodyKind.TOWNSHIP_OFFICE, unit=unit(township))
        lst = services.create_list(None, unit(township), ListKind.DUTIES)
        item = DutyItem.objects.create(list=lst, name="矩阵事项", category="inspection", body=office)
        made["govlist"][label], made["govdutyitem"][label] = lst.pk, item.pk
        made["govlocalitem"][label] = approved.items.get(list__unit=unit(township)).pk
        post = Post.objects.create(body=office, name="综合文字岗")
        ids = {"sg": ("513201199001010018", "513201199001010034"), "db": ("513201199001010050", "513201199001010077")}[label]
        staff = Staff.objects.create(body=office, post=post, name="矩阵人员", id_number=ids[0], kind="administrative")
        closed = Body.objects.create(name=f"{township}已撤销办(矩阵)", kind=BodyKind.TOWNSHIP_OFFICE, unit=unit(township),
                                     valid_to=date(2020, 1, 1), successor=office)
        waiting = Staff.objects.create(body=closed, name="待安置人员", id_number=ids[1], kind="administrative")
        made["tbody"][label], made["post"][label], made["staff"][label] = office.pk, post.pk, staff.pk
        made["placestaff"][label] = waiting.pk
    return made


_kind = made_once(_build)
OBJECTS = {
    "govlist": ("area", _kind("govlist")),
    "govdutyitem": ("area", _kind("govdutyitem")),
    "govlocalitem": ("area", _kind("govlocalitem")),
    "govtemplate": ("public", _kind("govtemplate")),
    "admission": ("county", _kind("admission")),
    "delegation": ("public", _kind("delegation")),
    "enfitem": ("public", _kind("enfitem")),
    "officer": ("area", _kind("officer")),
    "tbody": ("area", _kind("tbody")),
    "post": ("area", _kind("post")),
    "staff": ("area", _kind("staff")),
    "placestaff": ("area", _kind("placestaff")),
}
