from django.apps import AppConfig


class Config(AppConfig):
    name = "xiangcun.governance"
    label = "governance"
    verbose_name = "乡镇治理(权责清单、事项准入)"

    def ready(self):
        from django.urls import reverse

        from xiangcun.core import audit
        from xiangcun.divisions import follow

        from . import services, services_staffing
        from .models import (
            Admission,
            Delegation,
            DutyItem,
            EnforcementItem,
            EnforcementOfficer,
            Establishment,
            FollowUp,
            LocalItem,
            Post,
            ResponsibilityList,
            Staff,
        )

        audit.register(ResponsibilityList, path=lambda x: x.unit.path, visible=ResponsibilityList.objects.visible_to,
                       url=lambda pk: reverse("governance:list_detail", args=[pk]))
        audit.register(DutyItem, path=lambda x: x.list.unit.path, visible=DutyItem.objects.visible_to,
                       url=lambda pk: reverse("governance:duty_item_edit", args=[pk]))
        audit.register(LocalItem, path=lambda x: x.list.unit.path, visible=LocalItem.objects.visible_to,
                       url=lambda pk: reverse("governance:local_item_edit", args=[pk]))
        audit.register(Admission, path=lambda x: x.unit.path, visible=Admission.objects.visible_to,
                       url=lambda pk: reverse("governance:admission_detail", args=[pk]))
        audit.register(Delegation, path=lambda x: x.unit.path, visible=Delegation.objects.visible_to,
                       url=lambda pk: reverse("governance:delegation_detail", args=[pk]))
        audit.register(FollowUp, path=lambda x: x.township.path, visible=FollowUp.objects.visible_to,
                       url=lambda pk: reverse("governance:delegations"))
        audit.register(EnforcementItem, path=lambda x: x.unit.path, visible=EnforcementItem.objects.visible_to,
                       url=lambda pk: reverse("governance:enforcement_item_edit", args=[pk]))
        audit.register(EnforcementOfficer, path=lambda x: x.unit.path, visible=EnforcementOfficer.objects.visible_to,
                       url=lambda pk: reverse("governance:officer_edit", args=[pk]))
        audit.register(Establishment, path=lambda x: x.body.unit.path, visible=Establishment.objects.visible_to,
                       url=lambda pk: reverse("governance:staffing"))
        audit.register(Post, path=lambda x: x.body.unit.path, visible=Post.objects.visible_to,
                       url=lambda pk: reverse("governance:post_edit", args=[pk]))
        # personal data (EncryptedCharField) are never snapshotted; the blind index is left out too
        audit.register(Staff, path=lambda x: x.body.unit.path, visible=Staff.objects.visible_to, exclude=("id_index",),
                       url=lambda pk: reverse("governance:staff_detail", args=[pk]))
        audit.define_actions(services.EVENTS, services.EVENT_LABELS)
        audit.define_actions(services_staffing.EVENTS, services_staffing.EVENT_LABELS)
        # a merged township's lists are repealed; what it took on passes to its successor (divisions/follow.py)
        follow.register("governance", unit_closed=services.follow_closed_unit)
