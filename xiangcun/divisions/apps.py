import os

from django.apps import AppConfig


class Config(AppConfig):
    verbose_name = "区划"
    name = "xiangcun.divisions"
    label = "divisions"
    instance_data = ("Division", "Edition")  # rows that make an instance not empty (see core.backup)

    def ready(self):
        from . import jobs  # noqa: F401  (registers the job kinds)

        register_audit()


def register_audit():
    """Declare the registry's records to the audit trail (core/audit.py), with their named events."""
    from django.db.models import Q
    from django.urls import reverse

    from xiangcun.core import audit

    from .models import ChangeEvent, Division, EventType, Proposal

    def division_path(d):  # a new unit gets its path just after its first save
        return d.path or (f"{d.parent.path}{d.pk}/" if d.parent_id else f"/{d.pk}/")

    def units(event):
        return Division.objects.filter(Q(events_as_predecessor=event) | Q(events_as_successor=event)).distinct()

    def event_path(event):  # the nearest unit above all units of the event
        paths = list(units(event).values_list("path", flat=True))
        common = os.path.commonprefix(paths) if paths else ""
        return common[: common.rfind("/") + 1]

    def describe_event(event):
        def side(qs):
            return [f"{d.name}({d.code})" if d.code else d.name for d in qs]

        return {"type": event.get_type_display(), "effective_date": event.effective_date,
                "document": event.document, "predecessors": side(event.predecessors.all()),
                "successors": side(event.successors.all())}

    def proposal_path(p):
        scope = p.run.scope
        county = Division.objects.filter(code=scope.ljust(12, "0")).order_by("valid_to").first() if scope else None
        return county.path if county else ""

    def events_of(d):  # a unit's history shows the named events of its change events
        return {ChangeEvent: list(ChangeEvent.objects.filter(Q(predecessors=d) | Q(successors=d))
                                  .values_list("pk", flat=True).distinct())}

    audit.register(Division, path=division_path, visible=Division.objects.visible_to, related=events_of,
                   url=lambda pk: reverse("divisions:detail", args=[pk]))
    audit.register(ChangeEvent, path=event_path, describe=describe_event, visible=ChangeEvent.objects.visible_to)
    audit.register(Proposal, path=proposal_path, verbose_name="变更建议",
                   title=lambda p: f"{p.get_type_display()}建议:{p.side_text('predecessors') or p.side_text('successors')}",
                   labels={"status": "状态", "reviewed_by": "审核人", "reviewed_at": "审核时间", "event": "区划变更"},
                   describe=lambda p: {"type": p.get_type_display(), "predecessors": p.side_text("predecessors"),
                                       "successors": p.side_text("successors"), "event": p.event_id})

    audit.define_actions(
        {f"division.{value}": f"区划{label}" for value, label in EventType.choices}
        | {"proposal.confirm": "确认变更建议", "proposal.reject": "驳回变更建议"},
        {"type": "变更类型", "effective_date": "生效日期", "document": "批复文号", "predecessors": "变更前",
         "successors": "变更后", "event": "区划变更编号"},
    )
