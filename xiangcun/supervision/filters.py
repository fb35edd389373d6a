"""The filters of the task list, shared by its page, its exports, the API and the workbench cards."""
from django.db.models import Q

from xiangcun.core import params

from .models import Section, Status, TaskLevel

MINE = (("lead", "本单位牵头"), ("all", "全部"))


def filtered(user, query, qs):
    """`status`, `section`, `level`, `body` (an id: tasks it leads or supports), `q` (序号 or words of the task)."""
    status = params.get_choice(query, "status", Status.values)
    section = params.get_choice(query, "section", Section.values)
    level = params.get_choice(query, "level", TaskLevel.values)
    body = params.get_id(query, "body")
    q = params.get_text(query, "q", max_length=50)
    if status:
        qs = qs.filter(status=status)
    if section:
        qs = qs.filter(section=section)
    if level:
        qs = qs.filter(level=level)
    if body:
        qs = qs.filter(Q(lead_id=body) | Q(pk__in=qs.model.supporting.through.objects.filter(body_id=body)
                                                    .values("task_id")))
    if q:
        qs = qs.filter(Q(number=q) | Q(title__contains=q) | Q(content__contains=q))
    return qs
