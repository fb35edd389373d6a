from django.apps import AppConfig


class Config(AppConfig):
    name = "xiangcun.bodies"
    label = "bodies"
    verbose_name = "机构名录"

    def ready(self):
        from django.urls import reverse

        from xiangcun.core import audit
        from xiangcun.divisions import follow

        from . import services
        from .models import Body

        audit.register(Body, path=lambda b: b.unit.path, visible=Body.objects.visible_to,
                       url=lambda pk: reverse("bodies:detail", args=[pk]))
        audit.define_actions(services.EVENTS, services.EVENT_LABELS)
        # a merged township's bodies close and pass their work on (see divisions/follow.py)
        follow.register("bodies", unit_closed=services.follow_closed_unit)
