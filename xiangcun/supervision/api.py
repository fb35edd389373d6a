"""REST API of task supervision: tasks (read-only) and reports, scoped like the pages (the same filters as the list
page). A responsible body files a report (POST reports/) and the reform office reviews it (POST reports/{id}/review/)
through the same services as the pages: the same rules, the same scope (a task the user's body does not lead, or a
report outside the jurisdiction, is a 404), the same Chinese refusals (400, each field named), and a review already
made by someone else is a 409 that changes nothing. Evidence files are uploaded on the page."""
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from xiangcun.core.api import ApiError, ErrorSerializer
from xiangcun.core.openapi import RECORD_ID

from . import filters, services
from .models import Milestone, Report, ReportStatus, Round, Section, Status, Task, TaskLevel

DB_ID = {"min_value": 1, "max_value": 2**31 - 1}


class Conflict(ApiError):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def _refused(exc: services.SupervisionError):
    """A service's refusal as the API's 400: the message, and each field's own message under `errors`."""
    error = ApiError(exc.message)
    if exc.fields:
        error.detail = {field: [message] for field, message in exc.fields.items()}
    return error


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


class ReportWriteSerializer(serializers.Serializer):
    task = serializers.IntegerField(**DB_ID, help_text="任务 id(本单位牵头的任务)")
    round = serializers.IntegerField(**DB_ID, help_text="报送轮次 id")
    body = serializers.IntegerField(**DB_ID, required=False, help_text="报送单位 id;不填为任务的牵头单位(已撤销时为承接单位)")
    text = serializers.CharField(max_length=2000, help_text="进展情况")
    percent = serializers.IntegerField(min_value=0, max_value=100, help_text="完成进度(%)")
    milestone = serializers.IntegerField(**DB_ID, required=False, allow_null=True, help_text="达到的节点 id")
    submit = serializers.BooleanField(required=False, default=True, help_text="false:只保存草稿")


class ReviewSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[ReportStatus.ACCEPTED, ReportStatus.RETURNED],
                                       help_text="accepted 采纳;returned 退回(须填 reason)")
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="", help_text="退回理由")


@extend_schema_view(list=extend_schema(parameters=[
    OpenApiParameter("task", RECORD_ID, description="任务 id"),
    OpenApiParameter("status", str, enum=[s for s, _ in Report._meta.get_field("status").choices], description="报送状态"),
]))
class ReportViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """进展报送(按管辖范围:报送单位或任务牵头单位在范围内)。承担任务的单位报送进展,改革办审核。"""

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


    @extend_schema(request=ReportWriteSerializer, responses={201: ReportSerializer})
    def create(self, request, *args, **kwargs):
        """报送进展(承担任务的县级部门、乡镇和村;只能为本单位牵头的未销号任务报送)。同一轮次已报送或已采纳的不能重复报送。"""
        body = ReportWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        d = body.validated_data
        user = request.user
        task = services.reportable_tasks(user).select_related("county", "lead").filter(pk=d["task"]).first()
        if task is None:
            raise NotFound("任务不存在、已销号,或不是本单位牵头的任务")
        errors = {}
        rnd = Round.objects.filter(pk=d["round"], county=task.county_id).first()
        if rnd is None:
            errors["round"] = "该轮次不存在或不属于本任务所在的县(市)"
        heir = task.lead.final_successor()
        bodies = services.reporting_bodies(user, task)
        if d.get("body"):
            reporter = bodies.filter(pk=d["body"]).first()
        else:  # the body now carrying the task: its successor when the lead was closed in a merger
            reporter = bodies.filter(pk=heir.pk).first() or bodies.first()
        if reporter is None:
            errors["body"] = "报送单位应是本任务的牵头单位(或其承接单位),且由您所在单位报送"
        milestone = None
        if d.get("milestone"):
            milestone = Milestone.objects.filter(pk=d["milestone"], task=task, reached_on__isnull=True).first()
            if milestone is None:
                errors["milestone"] = "该节点不属于本任务或已完成"
        if errors:
            raise _refused(services.SupervisionError("报送未保存:" + ";".join(errors.values()), errors))
        try:
            report = services.file_report(user, task, rnd, reporter, text=d["text"], percent=d["percent"],
                                          milestone=milestone, submit=d["submit"])
        except services.SupervisionError as exc:
            raise _refused(exc) from None
        report = Report.objects.select_related("round", "body").get(pk=report.pk)
        return Response(ReportSerializer(report).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReviewSerializer, responses={
        200: ReportSerializer, 409: OpenApiResponse(ErrorSerializer, description="该报送已被审核或尚未报送,未重复处理")})
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """审核报送(改革办):采纳,或退回(须填退回理由)。同一报送只处理一次:已被他人审核的返回 409,不做任何改动。"""
        report = self.get_object()
        body = ReviewSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        d = body.validated_data
        accept = d["decision"] == ReportStatus.ACCEPTED
        if not accept and not d["reason"].strip():
            raise _refused(services.SupervisionError("退回时请填写退回理由", {"reason": "退回时请填写退回理由"}))
        try:
            services.review(request.user, report.pk, accept=accept, reason=d["reason"])
        except services.SupervisionError as exc:
            raise Conflict(exc.message) from None
        report = Report.objects.select_related("round", "body").get(pk=report.pk)
        return Response(ReportSerializer(report).data)


routes = [("supervision/tasks", TaskViewSet, "supervision-task"), ("supervision/reports", ReportViewSet, "supervision-report")]
