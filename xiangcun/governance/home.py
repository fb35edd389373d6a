"""The governance card on the workbench: 准入 requests waiting, drafts to publish, enforcement certificate alerts, staff waiting
for placement, long vacancies and people without a post."""
from django.urls import reverse

from xiangcun.core.cards import Card, Count, capped_count
from xiangcun.divisions.scoping import scope_q

from . import permissions, services_powers, services_staffing
from .models import Admission, AdmissionStatus, EnforcementItem, EnforcementOfficer, ListStatus, Post, ResponsibilityList, Staff


def cards(request):
    user = request.user
    counts = []
    if permissions.may_read_admissions(user):
        n, more = capped_count(Admission.objects.visible_to(user).filter(status=AdmissionStatus.PENDING))
        counts.append(Count("事项准入待审批", n, reverse("governance:admissions") + "?status=pending", "warning" if n else "", more))
    if permissions.may_edit_lists(user):
        n, more = capped_count(ResponsibilityList.objects.visible_to(user).filter(status=ListStatus.DRAFT))
        counts.append(Count("清单草案待发布", n, reverse("governance:lists") + "?status=draft", "", more))
    if permissions.may_edit_officers(user):
        url = reverse("governance:enforcement")
        officers = EnforcementOfficer.objects.visible_to(user)
        uncovered = services_powers.uncovered_townships(EnforcementItem.objects.visible_to(user), officers)
        n = uncovered.filter(scope_q(user, "path")).count()
        counts.append(Count("乡镇执法无持证人员", n, url, "danger" if n else ""))
        n, more = capped_count(services_powers.expiring(officers))
        counts.append(Count(f"执法证{services_powers.EXPIRY_DAYS}天内到期", n, url, "warning" if n else "", more))
    if permissions.may_edit_staffing(user):
        staff = Staff.objects.visible_to(user)
        n, more = capped_count(services_staffing.to_place(staff))
        counts.append(Count("撤并人员待安置", n, reverse("governance:placement"), "warning" if n else "", more))
        months = services_staffing.VACANCY_MONTHS
        n, more = capped_count(services_staffing.long_vacancies(Post.objects.visible_to(user), months))
        counts.append(Count(f"岗位空缺超{months}个月", n, reverse("governance:staffing"), "warning" if n else "", more))
        n, more = capped_count(services_staffing.without_post(staff))
        counts.append(Count("未定岗人员", n, reverse("governance:staffing"), "", more))
    return [Card("乡镇治理", counts)] if counts else []

