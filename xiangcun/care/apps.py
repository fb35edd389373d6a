from django.apps import AppConfig


class Config(AppConfig):
    name = "xiangcun.care"
    label = "care"
    verbose_name = "关爱服务"

    def ready(self):
        from django.urls import reverse

        from xiangcun.core import audit
        from xiangcun.divisions import follow

        from . import services
        from .models import Person, Referral, Rule, Visit, Volunteer

        # encrypted fields are never snapshotted; the blind index and birth date are left out too, and a record
        # is named by its masked name: the audit log shows who changed what, not who the person is
        # the trail of a record is read by those who see the record in full (not by every user of the area)
        def identified_visits(user):
            return Visit.objects.filter(person__in=Person.objects.identified_for(user).values("pk"))

        def identified_referrals(user):
            return Referral.objects.filter(person__in=Person.objects.identified_for(user).values("pk"))

        audit.register(Person, path=lambda p: p.village.path, visible=Person.objects.identified_for,
                       exclude=("id_index", "birth_date"), title=lambda p: f"关爱对象 {p.masked_name}",
                       url=lambda pk: reverse("care:detail", args=[pk]))
        audit.register(Visit, path=lambda v: v.person.village.path, visible=identified_visits,
                       exclude=("findings", "needs", "follow_up"), title=lambda v: f"{v.person.masked_name} {v}")
        audit.register(Referral, path=lambda r: r.person.village.path, visible=identified_referrals,
                       title=lambda r: f"{r.person.masked_name} 转介{r.body}",
                       url=lambda pk: reverse("care:referral", args=[pk]))
        audit.register(Volunteer, path=lambda v: v.unit.path, visible=Volunteer.objects.visible_to)
        audit.register(Rule, path=lambda r: "")
        audit.define_actions(services.EVENTS, services.EVENT_LABELS)
        # a merged village's people pass to the village that took it over (after bodies: divisions/follow.py)
        follow.register("care", unit_closed=services.follow_closed_unit)
