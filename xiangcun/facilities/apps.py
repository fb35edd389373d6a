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

    from . import rules, services
    from .models import CandidateSite, Cohort, Facility, Rule, Scenario, ScenarioRun, TravelSetting

    audit.register(Facility, path=lambda f: f.unit.path, exclude=("updated_at",), visible=Facility.objects.visible_to,
                   url=lambda pk: reverse("facilities:detail", args=[pk]))
    audit.register(Cohort, path=lambda c: c.unit.path, visible=Cohort.objects.visible_to, title=str)
    audit.register(CandidateSite, path=lambda c: c.unit.path, visible=CandidateSite.objects.visible_to)
    audit.register(TravelSetting, path=lambda s: s.county.path, exclude=("updated_at", "roads"), title=str)
    audit.register(Rule, path=lambda r: "/", title=str)
    service_labels = {key: s.label for key, s in rules.SERVICES.items()}
    audit.register(Scenario, path=lambda s: s.scope.path, visible=Scenario.objects.visible_to,
                   url=lambda pk: reverse("facilities:scenario", args=[pk]), choices={"service": service_labels})
    audit.register(ScenarioRun, path=lambda r: r.scenario.scope.path, exclude=("result",), title=str)
    audit.define_actions(services.EVENTS, services.EVENT_LABELS)
    # the keys of a scenario's parameters (ScenarioForm.params), as the scenario form names them
    audit.define_actions({}, {
        "max_travel": "最大出行时间", "class_limit": "班额上限", "p": "新增/设施数", "must_keep": "必须保留",
        "must_close": "必须撤并", "candidates": "候选站点", "single_source": "每个村只去一处", "time_limit": "求解时限",
        "keep_cost": "每保留一处的成本", "build_cost": "每新建一处的成本", "expand_units": "可扩建班级/床位",
        "expand_cost": "扩建成本", "service": "服务类别",
    }, units={"max_travel": "分钟", "class_limit": "人/班", "time_limit": "秒", "keep_cost": "人·分钟",
              "build_cost": "人·分钟", "expand_cost": "人·分钟"}, choices={"service": service_labels},
        refs={"must_keep": "facilities.facility", "must_close": "facilities.facility",
              "candidates": "facilities.candidatesite"})
