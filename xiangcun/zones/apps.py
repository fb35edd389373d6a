from django.apps import AppConfig


class Config(AppConfig):
    name = "xiangcun.zones"
    label = "zones"
    verbose_name = "片区规划"

    def ready(self):
        from xiangcun.divisions import follow

        from . import jobs  # noqa: F401  (registers the proposal job)
        from .services import follow_closed_unit

        register_audit()
        # a merged unit's place in every scheme passes to its successor (divisions/follow.py)
        follow.register("zones", unit_closed=follow_closed_unit)


def register_audit():
    from django.urls import reverse

    from xiangcun.core import audit

    from . import farmland, services
    from .models import (
        Designation,
        FarmlandTarget,
        Patch,
        PatchKind,
        PatchStatus,
        Plan,
        PlanKind,
        PlanStage,
        SchemeLevel,
        SchemeStatus,
        VillageFunction,
        VillageType,
        Zone,
        ZoneMember,
        ZoneType,
        ZoningScheme,
    )

    audit.register(ZoningScheme, path=lambda s: s.county.path, visible=ZoningScheme.objects.visible_to,
                   url=lambda pk: reverse("zones:scheme", args=[pk]),
                   choices={"level": dict(SchemeLevel.choices), "status": dict(SchemeStatus.choices)})
    audit.register(Zone, path=lambda z: z.scheme.county.path, visible=Zone.objects.visible_to,
                   title=lambda z: f"片区:{z.name}", choices={"type": dict(ZoneType.choices)})
    audit.register(ZoneMember, path=lambda m: m.scheme.county.path, visible=ZoneMember.objects.visible_to,
                   title=lambda m: f"片区成员:{m.unit.name}")
    audit.register(Designation, path=lambda d: d.unit.path, visible=Designation.objects.visible_to,
                   title=lambda d: d.unit.name,
                   choices={"category": dict(VillageType.choices), "function": dict(VillageFunction.choices)})
    audit.register(Plan, path=lambda p: p.unit.path if p.unit_id else p.zone.scheme.county.path,
                   visible=Plan.objects.visible_to, url=lambda pk: reverse("zones:plan", args=[pk]),
                   choices={"kind": dict(PlanKind.choices), "stage": dict(PlanStage.choices)})
    audit.register(FarmlandTarget, path=lambda t: t.unit.path, visible=FarmlandTarget.objects.visible_to,
                   title=lambda t: f"{t.unit.name}{t.year}年耕地保护任务")
    audit.register(Patch, path=lambda p: p.unit.path, visible=Patch.objects.visible_to, exclude=("evidence",),
                   url=lambda pk: reverse("zones:patch", args=[pk]),
                   choices={"kind": dict(PatchKind.choices), "status": dict(PatchStatus.choices)})
    audit.define_actions(farmland.EVENTS, farmland.EVENT_LABELS,
                         choices=farmland.STATUS_CHOICES,
                         refs={"unit": "divisions.division", "successor": "divisions.division"})
    audit.define_actions(services.EVENTS, services.EVENT_LABELS, refs={"unit": "divisions.division", "successor": "divisions.division",
                                                                       "from_zone": "zones.zone",
                                                                       "to_zone": "zones.zone"})
