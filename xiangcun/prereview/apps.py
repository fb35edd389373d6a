from django.apps import AppConfig


class Config(AppConfig):
    name = "xiangcun.prereview"
    label = "prereview"
    verbose_name = "前置审查"

    def ready(self):
        from xiangcun.divisions import follow
        from xiangcun.services import casework

        from . import services

        register_audit()
        # a 宅基地建房 case is completed (办结) only once its site's pre-review is approved (services declares the slot)
        casework.register_completion_check(services.completion_check)
        # a merged village's open applications pass to its successor (divisions/follow.py)
        follow.register("prereview", unit_closed=services.follow_closed_unit)


def register_audit():
    from django.urls import reverse

    from xiangcun.core import audit

    from . import services
    from .models import Application, Aspect, BuildingKind, Outcome, Review, Status

    audit.register(Application, path=lambda a: a.village.path, visible=Application.objects.visible_to,
                   url=lambda pk: reverse("prereview:detail", args=[pk]),
                   choices={"kind": dict(BuildingKind.choices), "status": dict(Status.choices)},
                   units={"lon": "°", "lat": "°"})
    audit.register(Review, path=lambda r: r.application.village.path, visible=Review.objects.visible_to,
                   title=lambda r: f"{r.application.name}:{r.get_aspect_display()}",
                   choices={"aspect": dict(Aspect.choices), "outcome": dict(Outcome.choices)})
    audit.define_actions(services.EVENTS, services.EVENT_LABELS)
