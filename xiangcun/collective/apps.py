from django.apps import AppConfig


class Config(AppConfig):
    name = "xiangcun.collective"
    label = "collective"
    verbose_name = "集体经济组织"

    def ready(self):
        from django.urls import reverse

        from xiangcun.core import audit
        from xiangcun.divisions import follow

        from . import services
        from .models import Account, Affiliation, Integration, IntegrationParty, Member, Organisation

        org_path = lambda o: o.village.path  # noqa: E731
        audit.register(Organisation, path=org_path, visible=Organisation.objects.visible_to,
                       url=lambda pk: reverse("collective:detail", args=[pk]))
        audit.register(Affiliation, path=lambda a: a.village.path, visible=Affiliation.objects.visible_to,
                       title=lambda a: f"所属村:{a.organisation.name}")
        audit.register(Member, path=lambda m: m.organisation.village.path, visible=Member.objects.visible_to,
                       exclude=("id_index",), title=lambda m: f"成员:{m.organisation.name}")
        audit.register(Account, path=lambda a: a.organisation.village.path, visible=Account.objects.visible_to,
                       title=lambda a: f"{a.organisation.name} {a.year}年账目")
        audit.register(Integration, path=lambda i: i.village.path, visible=Integration.objects.visible_to,
                       url=lambda pk: reverse("collective:integration", args=[pk]))
        audit.register(IntegrationParty, path=lambda p: p.integration.village.path,
                       visible=IntegrationParty.objects.visible_to, title=lambda p: f"整合参与方:{p.organisation.name}")
        audit.define_actions(services.EVENTS, services.EVENT_LABELS)
        # a merged village's organisations belong to the village that took it over (see divisions/follow.py);
        # registered after bodies and assets (INSTALLED_APPS order)
        follow.register("collective", unit_closed=services.follow_closed_unit)
