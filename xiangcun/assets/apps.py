from django.apps import AppConfig


class Config(AppConfig):
    name = "xiangcun.assets"
    label = "assets"
    verbose_name = "公有资产"

    def ready(self):
        from xiangcun.collective.services import register_rent_source
        from xiangcun.divisions import follow

        from .services import collective_lease_shares, follow_closed_unit, follow_path

        register_audit()
        # what a merger does to the ledger (the hooks are described in divisions/follow.py)
        follow.register("assets", path_changed=follow_path, unit_closed=follow_closed_unit)
        # a lease's rent is its collective owner's operating income
        register_rent_source(collective_lease_shares)


def register_audit():
    """Declare the asset records to the audit trail, with their named lifecycle events."""
    from django.urls import reverse

    from xiangcun.core import audit

    from . import services
    from .models import Asset, Attachment, Campaign, Check, Plan

    audit.register(Asset, path=lambda a: a.custodian_path or a.custodian.path, visible=Asset.objects.visible_to,
                   exclude=("holder_path", "custodian_path"),
                   url=lambda pk: reverse("assets:detail", args=[pk]),
                   related=lambda a: {Plan: list(a.plans.values_list("pk", flat=True)),
                                      Attachment: list(a.attachments.values_list("pk", flat=True))})
    audit.register(Plan, path=lambda p: p.asset.custodian.path, visible=Plan.objects.visible_to,
                   title=lambda p: f"盘活方案:{p.asset.name}")
    audit.register(Attachment, path=lambda a: a.asset.custodian.path, exclude=("file",),
                   visible=lambda user: Attachment.objects.filter(asset__in=Asset.objects.visible_to(user)))
    audit.register(Campaign, path=lambda c: c.scope.path, visible=Campaign.objects.visible_to,
                   url=lambda pk: reverse("assets:campaign", args=[pk]))
    audit.register(Check, path=lambda c: c.asset.custodian.path, title=str,
                   visible=lambda user: Check.objects.filter(asset__in=Asset.objects.visible_to(user)))
    audit.define_actions(services.EVENTS, services.EVENT_LABELS, units={"price": "元", "valuation": "元"})
