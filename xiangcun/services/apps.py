from django.apps import AppConfig


class Config(AppConfig):
    name = "xiangcun.services"
    label = "services"  # the app of 便民服务; not to be confused with each app's services.py
    verbose_name = "便民服务"

    def ready(self):
        from xiangcun.divisions import follow

        from .rollup import follow_path

        register_audit()
        # a transferred village takes its cases' unit_path and its monthly rollups along (divisions/follow.py)
        follow.register("services", path_changed=follow_path)


def register_audit():
    """Declare the module's records to the audit trail, with the case workflow's named events."""
    from django.urls import reverse

    from xiangcun.core import audit

    from . import casework
    from .models import Case, Holiday, ItemList, ServiceItem, ServicePoint

    # personal data (EncryptedCharField) are never snapshotted by the audit trail
    audit.register(Case, path=lambda c: c.unit_path, visible=Case.objects.visible_to,
                   url=lambda pk: reverse("services:case", args=[pk]), title=lambda c: f"代办件 {c.number}")
    audit.register(ServiceItem, path=lambda i: "", url=lambda pk: reverse("services:item", args=[pk]))
    audit.register(ItemList, path=lambda i: i.unit.path if i.unit_id else "",
                   url=lambda pk: reverse("services:list", args=[pk]))
    audit.register(ServicePoint, path=lambda p: p.unit.path, visible=ServicePoint.objects.visible_to,
                   url=lambda pk: reverse("services:point_edit", args=[pk]))
    audit.register(Holiday, path=lambda h: "")
    audit.define_actions(casework.EVENTS, casework.EVENT_LABELS)
