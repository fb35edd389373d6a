from django.apps import AppConfig


class Config(AppConfig):
    name = "xiangcun.facilities"
    label = "facilities"
    verbose_name = "设施布局"

    def ready(self):
        register_audit()
        from . import planning  # noqa: F401  registers the background job kind


def register_audit():
    """Facilities, grades, cohorts, candidate sites, travel settings, rules and scenarios are audited."""
    from django.urls import reverse

    from xiangcun.core import audit

    from . import services
    from .models import CandidateSite, Cohort, Facility, Rule, Scenario, ScenarioRun, TravelSetting

    audit.register(Facility, path=lambda f: f.unit.path, exclude=("updated_at",), visible=Facility.objects.visible_to,
                   url=lambda pk: reverse("facilities:detail", args=[pk]))
    audit.register(Cohort, path=lambda c: c.unit.path, visible=Cohort.objects.visible_to, title=str)
    audit.register(CandidateSite, path=lambda c: c.unit.path, visible=CandidateSite.objects.visible_to)
    audit.register(TravelSetting, path=lambda s: s.county.path, exclude=("updated_at", "roads"), title=str)
    audit.register(Rule, path=lambda r: "/", title=str)
    audit.register(Scenario, path=lambda s: s.scope.path, visible=Scenario.objects.visible_to,
                   url=lambda pk: reverse("facilities:scenario", args=[pk]))
    audit.register(ScenarioRun, path=lambda r: r.scenario.scope.path, exclude=("result",), title=str)
    audit.define_actions(services.EVENTS, services.EVENT_LABELS)
