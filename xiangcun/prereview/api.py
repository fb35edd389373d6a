"""REST API of 前置审查: read-only and scoped — the applications with their reviews (the same filters as the list
page) and the statistics per township."""
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from xiangcun.core import params
from xiangcun.core.openapi import RECORD_ID

from . import filters, services
from .models import Application, BuildingKind, Review


class ReviewSerializer(serializers.ModelSerializer):
    aspect_label = serializers.CharField(source="get_aspect_display", read_only=True)
    outcome_label = serializers.CharField(source="get_outcome_display", read_only=True)

    class Meta:
        model = Review
        fields = ["id", "aspect", "aspect_label", "outcome", "outcome_label", "reason", "reviewer", "reviewed_on",
                  "department"]


class ApplicationSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    village_name = serializers.CharField(source="village.name", read_only=True)
    village_code = serializers.CharField(source="village.code", read_only=True)
    township_name = serializers.SerializerMethodField()
    state = serializers.CharField(read_only=True, help_text="待审查 / 审查未通过 / 可批准 / 已批准")
    case_number = serializers.SerializerMethodField()
    reviews = ReviewSerializer(many=True, read_only=True)

    class Meta:
        model = Application
        fields = ["id", "name", "kind", "kind_label", "applicant", "village", "village_name", "village_code",
                  "township_name", "lon", "lat", "address", "floor_area", "status", "state", "registered_on",
                  "approved_on", "approval_note", "case_number", "reviews"]

    def get_township_name(self, obj) -> str:
        return obj.village.parent.name if obj.village.parent_id else ""

    def get_case_number(self, obj) -> str:
        return obj.case.number if obj.case_id else ""


@extend_schema_view(list=extend_schema(parameters=[
    OpenApiParameter("township", RECORD_ID, description="乡镇 id:该乡镇(含并入的原村)范围内的申请"),
    OpenApiParameter("state", str, enum=[s for s, _ in filters.STATES], description="状态"),
    OpenApiParameter("waiting", str, enum=[w for w, _ in filters.WAITING], description="仍在等待哪项审查:geo 自然资源,flood 水利"),
    OpenApiParameter("kind", str, enum=BuildingKind.values, description="建筑类别"),
    OpenApiParameter("q", str, description="项目名称或申请人"),
]))
class ApplicationViewSet(viewsets.ReadOnlyModelViewSet):
    """建房选址前置审查申请(只读,按管辖范围过滤),含自然资源(地灾隐患)和水利(行洪安全)的审查意见。"""

    serializer_class = ApplicationSerializer

    def get_queryset(self):
        qs = (Application.objects.visible_to(self.request.user).select_related("village", "village__parent", "case")
              .prefetch_related("reviews").order_by("pk"))
        return filters.filtered(self.request, qs) if self.action == "list" else qs


class PrereviewStatsRowSerializer(serializers.Serializer):
    township = serializers.IntegerField(help_text="乡镇 id")
    township_name = serializers.CharField()
    applications = serializers.IntegerField(help_text="申请数")
    waiting = serializers.IntegerField(help_text="待审查")
    refused = serializers.IntegerField(help_text="审查未通过")
    ready = serializers.IntegerField(help_text="可批准")
    approved = serializers.IntegerField(help_text="已批准")


class StatsViewSet(viewsets.ViewSet):
    """前置审查分乡镇统计(管辖范围内的现有乡镇,含并入的原村)。"""

    pagination_class = None

    @extend_schema(responses=PrereviewStatsRowSerializer(many=True), parameters=[
        OpenApiParameter("township", RECORD_ID, description="乡镇 id:只统计该乡镇(不在管辖范围内为 404)")])
    def list(self, request):
        township = params.get_id(request.query_params, "township")
        rows = services.stats(request.user)
        if township:
            rows = [r for r in rows if r.township.pk == township]
            if not rows:
                raise NotFound("该乡镇不存在或不在您的管辖范围内")
        return Response([{"township": r.township.pk, "township_name": r.township.name, "applications": r.applications,
                          "waiting": r.waiting, "refused": r.refused, "ready": r.ready, "approved": r.approved}
                         for r in rows])


routes = [("prereview/applications", ApplicationViewSet, "prereview-application"),
          ("prereview/stats", StatsViewSet, "prereview-stats")]
