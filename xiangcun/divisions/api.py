"""REST API of the divisions module: units (list, detail, tree as of a date, lineage, successors),
change events, editions and reform statistics — all within the user's jurisdiction."""
import datetime as dt

from django.db.models import Q
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from xiangcun.core import params
from xiangcun.core.api import ApiError
from xiangcun.core.openapi import DATE, DIVISION_CODE_PREFIX, RECORD_ID

from . import services, stats
from .models import ChangeEvent, Division, DivisionVersion, Edition, EventType, Kind, Level
from .scoping import in_scope, scope_paths


def _date_param(request, name, required=False):
    value = params.get_date(request.query_params, name)
    if value is None and required:
        raise ApiError(f"缺少参数 {name}(日期,YYYY-MM-DD)")
    return value


class DivisionSerializer(serializers.ModelSerializer):
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    parent_name = serializers.CharField(source="parent.name", read_only=True, default=None)

    class Meta:
        model = Division
        fields = ["id", "code", "name", "level", "level_display", "kind", "kind_display", "parent", "parent_name",
                  "valid_from", "valid_to", "households", "population"]


class VersionSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(source="division_id", read_only=True)
    parent_name = serializers.CharField(source="parent.name", read_only=True, default=None)

    class Meta:
        model = DivisionVersion
        fields = ["id", "code", "name", "level", "kind", "parent", "parent_name", "valid_from", "valid_to"]


class EventSerializer(serializers.ModelSerializer):
    type_display = serializers.CharField(source="get_type_display", read_only=True)

    class Meta:
        model = ChangeEvent
        fields = ["id", "type", "type_display", "effective_date", "document", "note", "source", "predecessors",
                  "successors"]


class EditionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Edition
        fields = ["id", "year", "ref_date", "row_count", "scopes", "imported_at"]


LIST_PARAMS = [
    OpenApiParameter("q", str, description="名称包含或代码前缀"),
    OpenApiParameter("level", int, enum=[1, 2, 3, 4, 5, 6], description="层级 1–6"),
    OpenApiParameter("kind", str, enum=Kind.values),
    OpenApiParameter("status", str, enum=["current", "abolished", "all"], description="默认 current"),
    OpenApiParameter("parent", RECORD_ID, description="上级单位 id"),
]


class DivisionViewSet(viewsets.ReadOnlyModelViewSet):
    """行政区划单位(仅限管辖范围内)。"""

    serializer_class = DivisionSerializer

    def get_queryset(self):
        qs = Division.objects.visible_to(self.request.user).select_related("parent").order_by("path")
        if self.action != "list":
            return qs
        p = self.request.query_params
        if p.get("q"):
            qs = qs.filter(Q(name__contains=p["q"]) | Q(code__startswith=p["q"]))
        for name, values in (("level", [str(v) for v in Level.values]), ("kind", Kind.values)):
            if p.get(name):
                if p[name] not in values:
                    raise ApiError(f"参数 {name}=“{p[name]}”无效,可选值:{'、'.join(values)}")
                qs = qs.filter(**{name: p[name]})
        status = params.get_choice(p, "status", ["current", "abolished", "all"], default="current")
        if status == "current":
            qs = qs.filter(valid_to__isnull=True)
        elif status == "abolished":
            qs = qs.filter(valid_to__isnull=False)
        parent = params.get_id(p, "parent")
        if parent:
            qs = qs.filter(parent_id=parent)
        return qs

    @extend_schema(parameters=LIST_PARAMS)
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(parameters=[OpenApiParameter("date", DATE, required=True)],
                   responses=VersionSerializer(many=True))
    @action(detail=True)
    def tree(self, request, pk=None):
        """该单位及其全部下级在某日的状态(名称、代码、隶属)。"""
        division = self.get_object()
        when = _date_param(request, "date", required=True)
        versions = services.versions_on(when, division)
        page = self.paginate_queryset(versions)
        return self.get_paginated_response(VersionSerializer(page, many=True).data)

    @extend_schema(responses=inline_serializer("Lineage", {"nodes": serializers.ListField(), "links": serializers.ListField()}))
    @action(detail=True)
    def lineage(self, request, pk=None):
        """沿革:前后两步的合并、拆分等关系。"""
        return Response(services.lineage(self.get_object()))

    @extend_schema(parameters=[OpenApiParameter("date", DATE, description="默认今天")],
                   responses=DivisionSerializer(many=True))
    @action(detail=True, pagination_class=None)  # a short list, not paginated
    def successors(self, request, pk=None):
        """某日承接该单位的现有单位(被撤并单位的去向)。"""
        when = _date_param(request, "date") or dt.date.today()
        return Response(DivisionSerializer(services.successors_on(self.get_object(), when), many=True).data)


class EventViewSet(viewsets.ReadOnlyModelViewSet):
    """区划变更记录(涉及管辖范围内单位的)。"""

    serializer_class = EventSerializer

    def get_queryset(self):
        qs = ChangeEvent.objects.visible_to(self.request.user)
        typ = self.request.query_params.get("type")
        if typ:
            if typ not in EventType.values:
                raise ApiError(f"参数 type=“{typ}”无效")
            qs = qs.filter(type=typ)
        return qs.prefetch_related("predecessors", "successors").order_by("-effective_date", "-id")

    @extend_schema(parameters=[OpenApiParameter("type", str, enum=EventType.values)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


class EditionViewSet(viewsets.ReadOnlyModelViewSet):
    """已导入的统计用区划代码版次(公开数据)。"""

    serializer_class = EditionSerializer
    queryset = Edition.objects.order_by("ref_date")


StatsRow = inline_serializer("StatsRow", many=True, fields={
    "category": serializers.CharField(), "label": serializers.CharField(), "before": serializers.IntegerField(),
    "after": serializers.IntegerField(), "change": serializers.IntegerField(),
    "pct": serializers.FloatField(allow_null=True)})  # noqa: E501


class StatsViewSet(viewsets.ViewSet):
    """改革前后区划统计。"""

    @extend_schema(
        parameters=[OpenApiParameter("scope", DIVISION_CODE_PREFIX, required=True, description="区划代码或其前缀(1–12 位数字)"),
                    OpenApiParameter("from", DATE, required=True),
                    OpenApiParameter("to", DATE, required=True)],
        responses=inline_serializer("ReformStats", {
            "scope": serializers.DictField(), "from": serializers.DateField(), "to": serializers.DateField(),
            "rows": StatsRow, "text": serializers.CharField()}),
    )
    def list(self, request):
        scope = request.query_params.get("scope", "").strip()
        if not scope.isdigit() or len(scope) > 12:
            raise ApiError("参数 scope 应为区划代码或其前缀(最多 12 位数字)")
        if scope_paths(request.user) is not None:
            unit = Division.objects.filter(code=scope.ljust(12, "0")).first()
            if unit is None or not in_scope(request.user, unit):
                raise NotFound()  # outside the jurisdiction: 404, as for any record
        try:
            data = stats.reform_stats(scope, _date_param(request, "from", True), _date_param(request, "to", True))
        except stats.StatsError as exc:
            raise ApiError(str(exc)) from None
        return Response({k: data[k] for k in ("scope", "from", "to", "rows", "text")})


routes = [
    ("divisions", DivisionViewSet, "division"),
    ("division-events", EventViewSet, "division-event"),
    ("editions", EditionViewSet, "edition"),
    ("division-stats", StatsViewSet, "division-stats"),
]
