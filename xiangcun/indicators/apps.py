from django.apps import AppConfig


class Config(AppConfig):
    name = "xiangcun.indicators"
    label = "indicators"
    verbose_name = "指标与考核"

    def ready(self):
        from django.db.models.signals import post_migrate

        from xiangcun.assets.services import LEDGER
        from xiangcun.collective.services import register_threshold

        from .services import sync_asset_rent, threshold_on

        register_audit()
        # lease income in the asset ledger feeds the collective economy indicators (CE_ASSET_RENT): the
        # ledger's writes that change it call this follower (assets.services.LEDGER, divisions/follow.py)
        LEDGER.register("indicators", lease_income_changed=sync_asset_rent)
        # the collective economy classifies by the 薄弱村 threshold this module keeps as a dated parameter
        register_threshold(threshold_on)
        post_migrate.connect(seed_empty_catalogue, sender=self, dispatch_uid="indicators:catalogue")


def seed_empty_catalogue(sender, apps=None, using="default", **kwargs):
    """A database whose catalogue is empty gets the standard one again after `migrate` or `flush` (the
    migrations seed it once; a flushed database — e.g. between transactional tests — would otherwise have
    no indicators at all). A catalogue with any element is the county's own: nothing is re-added to it.
    Like the migrations, it writes no audit entries (bulk writes; `migrate` passes its state's models)."""
    from .catalogue import seed_quietly

    if apps is None:  # `flush` passes no migration state: the installed models
        from django.apps import apps
    try:
        DataElement = apps.get_model("indicators", "DataElement")
    except LookupError:
        return
    if not DataElement.objects.using(using).exists():
        seed_quietly(DataElement)


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
