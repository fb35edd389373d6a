from django.apps import AppConfig


class Config(AppConfig):
    name = "xiangcun.supervision"
    label = "supervision"
    verbose_name = "督查督办"

    def ready(self):
        from django.urls import reverse

        from xiangcun.core import audit
        from xiangcun.divisions import follow

        from . import models, services

        def task_url(pk):
            return reverse("supervision:detail", args=[pk])

        audit.register(models.Task, path=lambda t: t.lead.unit.path, visible=models.Task.objects.visible_to, url=task_url,
                       exclude=("status", "status_on", "percent"))
        audit.register(models.Milestone, path=lambda m: m.task.lead.unit.path)
        audit.register(models.Round, path=lambda r: r.county.path)
        audit.register(models.Report, path=lambda r: r.body.unit.path, title=str)
        audit.register(models.Evidence, path=lambda e: e.report.body.unit.path, exclude=("file",))
        audit.register(models.Notice, path=lambda n: n.body.unit.path)
        audit.register(models.Reminder, path=lambda r: r.body.unit.path)
        audit.register(models.Escalation, path=lambda e: e.body.unit.path)
        audit.register(models.Scheme, path=lambda s: s.county.path)
        audit.register(models.Publication, path=lambda p: p.county.path, exclude=("result",))
        audit.define_actions(services.EVENTS, services.EVENT_LABELS)
        # after bodies (later in INSTALLED_APPS): a closed body's open tasks pass to its successor
        follow.register("supervision", unit_closed=services.follow_closed_unit)
