"""REST API of task supervision: tasks and reports, read-only and scoped (the same filters as the list page)."""
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from xiangcun.core.openapi import RECORD_ID

from . import filters
from .models import Report, Section, Status, Task, TaskLevel


class TaskSerializer(serializers.ModelSerializer):
    level_label = serializers.CharField(source="get_level_display", read_only=True)
    section_label = serializers.CharField(source="get_section_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    lead_name = serializers.CharField(source="lead.name", read_only=True)

    class Meta:
        model = Task
        fields = ["id", "number", "level", "level_label", "parent", "title", "content", "section", "section_label",
                  "lead", "lead_name", "supporting", "leader", "start", "deadline", "evidence_required", "status",
                  "status_label", "percent", "closed_on", "verifier"]


class ReportSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    round_title = serializers.CharField(source="round.title", read_only=True)
    body_name = serializers.CharField(source="body.name", read_only=True)

    class Meta:
        model = Report
        fields = ["id", "task", "round", "round_title", "body", "body_name", "text", "percent", "milestone", "status",
                  "status_label", "submitted_at", "late", "reason", "reviewed_at", "returns"]


@extend_schema_view(list=extend_schema(parameters=[
    OpenApiParameter("status", str, enum=Status.values, description="状态"),
    OpenApiParameter("section", str, enum=Section.values, description="讲话部分"),
    OpenApiParameter("level", str, enum=TaskLevel.values, description="层级"),
    OpenApiParameter("body", RECORD_ID, description="机构 id:其牵头或配合的任务"),
    OpenApiParameter("q", str, description="序号或任务内容"),
]))
class TaskViewSet(viewsets.ReadOnlyModelViewSet):
    """督办任务(只读,按管辖范围:县级看全部,乡镇只看本乡镇机构牵头或配合的任务)。"""

    serializer_class = TaskSerializer

    def get_queryset(self):
        qs = Task.objects.visible_to(self.request.user).select_related("lead").prefetch_related("supporting").order_by("pk")
        return filters.filtered(self.request.user, self.request.query_params, qs) if self.action == "list" else qs


@extend_schema_view(list=extend_schema(parameters=[
    OpenApiParameter("task", RECORD_ID, description="任务 id"),
    OpenApiParameter("status", str, enum=[s for s, _ in Report._meta.get_field("status").choices], description="报送状态"),
]))
class ReportViewSet(viewsets.ReadOnlyModelViewSet):
    """进展报送(只读,按管辖范围:报送单位或任务牵头单位在范围内)。"""

    serializer_class = ReportSerializer

    def get_queryset(self):
        from xiangcun.core import params

        qs = Report.objects.visible_to(self.request.user).select_related("round", "body").order_by("pk")
        if self.action == "list":
            task = params.get_id(self.request.query_params, "task")
            status = params.get_choice(self.request.query_params, "status",
                                       [s for s, _ in Report._meta.get_field("status").choices])
            if task:
                qs = qs.filter(task_id=task)
            if status:
                qs = qs.filter(status=status)
        return qs


routes = [("supervision/tasks", TaskViewSet, "supervision-task"), ("supervision/reports", ReportViewSet, "supervision-report")]
