from django.apps import AppConfig


class Config(AppConfig):
    name = "xiangcun.indicators"
    label = "indicators"
    verbose_name = "指标与考核"

    def ready(self):
        from django.db.models.signals import post_save

        from xiangcun.assets.models import Asset, Plan

        from .services import asset_plan_saved, asset_saved

        register_audit()
        # lease income in the asset ledger feeds the collective economy indicators (CE_ASSET_RENT)
        post_save.connect(asset_plan_saved, sender=Plan, dispatch_uid="indicators:asset-rent")
        post_save.connect(asset_saved, sender=Asset, dispatch_uid="indicators:asset-rent")


def register_audit():
    """Values, the collective-economy ledger, the catalogue, parameters and targets are audited."""
    from django.urls import reverse

    from xiangcun.core import audit

    from . import services
    from .models import CollectiveEconomy, DataElement, DataValue, Parameter, Target

    audit.register(DataValue, path=lambda v: v.unit.path, exclude=("updated_at",), visible=DataValue.objects.visible_to,
                   title=lambda v: f"{v.unit.name} {v.period} {v.element.name}")
    audit.register(CollectiveEconomy, path=lambda c: c.village.path, exclude=("updated_at",), visible=CollectiveEconomy.objects.visible_to)
    audit.register(Target, path=lambda t: t.unit.path, visible=Target.objects.visible_to,
                   url=lambda pk: reverse("indicators:target_edit", args=[pk]))
    audit.register(DataElement, path=lambda e: "/", url=lambda pk: reverse("indicators:element_edit", args=[pk]))
    audit.register(Parameter, path=lambda p: "/", title=str)
    audit.define_actions(services.EVENTS, services.EVENT_LABELS)
