"""REST API of the convenience-services module: cases (scoped, with the masked resident), intake,
workflow transitions with the optimistic version, measures; items and service points."""
import datetime as dt

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from xiangcun.core import params
from xiangcun.core.api import ApiError, CappedPagination
from xiangcun.core.openapi import DATE, RECORD_ID
from xiangcun.divisions.models import Division
from xiangcun.divisions.scoping import requested_unit

from . import casework, service_network, stats
from .errors import CaseConflict, CaseError
from .filters import filtered_cases
from .models import Case, Delivery, ServiceItem, ServicePoint, Status


def _body(request, serializer_class) -> dict:
    """The validated body of a write (who may write: permissions.URLS)."""
    body = serializer_class(data=request.data)
    body.is_valid(raise_exception=True)
    return dict(body.validated_data)


class CaseSerializer(serializers.ModelSerializer):
    item_name = serializers.CharField(source="item.name", read_only=True)
    village_name = serializers.CharField(source="village.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    resident_name = serializers.CharField(source="name_masked", read_only=True)
    resident_id_number = serializers.CharField(source="id_number_masked", read_only=True)

    class Meta:
        model = Case
        fields = ["id", "number", "village", "village_name", "item", "item_name", "resident_name",
                  "resident_id_number", "materials_received", "status", "status_display", "handler_level",
                  "handler_unit", "handler_department", "intake_at", "due_date", "completed_at", "result",
                  "delivered_at", "delivery_method", "archived_at", "missing_materials", "reason", "returned_count",
                  "trips", "working_days", "on_time", "version"]


DB_ID = {"min_value": 1, "max_value": 2**31 - 1}  # ids the database can hold: larger ones are a 400, not a 500


class IntakeSerializer(serializers.Serializer):
    village = serializers.IntegerField(**DB_ID)
    item = serializers.IntegerField(**DB_ID)
    resident_name = serializers.CharField()
    resident_id_number = serializers.CharField()
    resident_phone = serializers.CharField(required=False, allow_blank=True)
    materials = serializers.ListField(child=serializers.CharField(), required=False)


class TransitionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=list(casework.TRANSITIONS))
    version = serializers.IntegerField(required=False, min_value=0, max_value=2**31 - 1, help_text="客户端看到的版本号;已被他人处理时返回 409")
    result = serializers.CharField(required=False, allow_blank=True)
    reason = serializers.CharField(required=False, allow_blank=True)
    missing = serializers.CharField(required=False, allow_blank=True)
    delivery = serializers.ChoiceField(choices=Delivery.values, required=False)
    in_person = serializers.BooleanField(required=False, default=True)


class Conflict(ApiError):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def _measure_row(name):
    count, pct = serializers.IntegerField, lambda: serializers.FloatField(allow_null=True)
    return inline_serializer(name, fields={
        "label": serializers.CharField(), "taken": count(), "completed": count(), "on_time_pct": pct(),
        "avg_working_days": pct(), "delivered": count(), "one_trip_pct": pct(), "returned_pct": pct(),
        "rejected": count(), "open": count(), "overdue": count()})


# What GET service-cases/measures/ answers (documented so the schema and the answer agree)
CASE_MEASURES = inline_serializer("CaseMeasures", fields={
    "scope": serializers.CharField(allow_null=True), "from": serializers.DateField(), "to": serializers.DateField(),
    "total": _measure_row("CaseMeasureRow"),
    "by_item": serializers.ListField(child=_measure_row("CaseMeasureRow")),
    "by_village": serializers.ListField(child=_measure_row("CaseMeasureRow"))})


class CaseViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """民事代办件(仅限管辖范围内;申请人信息脱敏)。列表为本人角色的待办队列。"""

    serializer_class = CaseSerializer
    pagination_class = CappedPagination

    def get_queryset(self):
        if self.action == "list":
            qs, _ = filtered_cases(self.request.user, self.request.query_params)
        else:
            qs = Case.objects.visible_to(self.request.user)
        return qs.select_related("item", "village").order_by("due_date", "id")

    @extend_schema(parameters=[OpenApiParameter("tab", str, enum=["todo", "open", "overdue", "nearly", "done", "all"]),
                               OpenApiParameter("status", str, enum=Status.values), OpenApiParameter("item", RECORD_ID)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=IntakeSerializer, responses=CaseSerializer)
    def create(self, request, *args, **kwargs):
        """受理:村代办员在本村受理群众的代办申请。"""
        d = _body(request, IntakeSerializer)
        village = Division.objects.visible_to(request.user).filter(pk=d["village"]).first()
        item = ServiceItem.objects.filter(pk=d["item"]).first()
        if village is None or item is None:
            raise ApiError("受理村或事项不存在")
        try:
            case = casework.take_case(request.user, village, item, d["resident_name"], d["resident_id_number"],
                                      d.get("resident_phone", ""), d.get("materials"))
        except CaseError as exc:
            raise ApiError(str(exc)) from None
        return Response(CaseSerializer(case).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=TransitionSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """办理:forward 转办、start 开始办理、complete 办结(须 result)、deliver 送达(须 delivery)、archive 归档、
        return 退回补正(须 missing 与 reason)、resubmit 补正后重新转办、reject 不予受理(须 reason)。
        带 version 时,若该件已被他人处理则返回 409,不做任何改动。"""
        case = self.get_object()
        body = TransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        d = body.validated_data
        try:
            case = casework.transition(case, d["action"], request.user, version=d.get("version"),
                                       result=d.get("result", ""), reason=d.get("reason", ""),
                                       missing=d.get("missing", ""), delivery=d.get("delivery", ""),
                                       in_person=d.get("in_person", True))
        except CaseConflict as exc:
            raise Conflict(str(exc)) from None
        except CaseError as exc:
            raise ApiError(str(exc)) from None
        return Response(CaseSerializer(case).data)

    @extend_schema(parameters=[OpenApiParameter("scope", RECORD_ID), OpenApiParameter("from", DATE),
                               OpenApiParameter("to", DATE)], responses=CASE_MEASURES)
    @action(detail=False, pagination_class=None)
    def measures(self, request):
        """办件统计:受理、办结、按时办结率、平均用时、最多跑一次率、退回补正率,按事项和按村。"""
        def day(name, default):
            return params.get_date(request.query_params, name, default)

        scope = requested_unit(request.user, request.query_params)
        today = dt.date.today()
        rep = stats.report_for(request.user, scope, day("from", dt.date(today.year, 1, 1)), day("to", today), today)

        def row(r):
            return {"label": r.label, "taken": r.taken, "completed": r.completed, "on_time_pct": r.on_time_pct,
                    "avg_working_days": r.avg_days, "delivered": r.delivered, "one_trip_pct": r.one_trip_pct,
                    "returned_pct": r.returned_pct, "rejected": r.rejected, "open": r.open, "overdue": r.overdue}

        return Response({"scope": scope.name if scope else None, "from": rep.date_from, "to": rep.date_to,
                         "total": row(rep.total), "by_item": [row(r) for r in rep.by_item],
                         "by_village": [row(r) for r in rep.by_village]})


class ItemSerializer(serializers.ModelSerializer):
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    materials = serializers.ListField(source="material_list", read_only=True)

    class Meta:
        model = ServiceItem
        fields = ["id", "code", "name", "category", "level", "level_display", "department", "legal_basis",
                  "materials", "time_limit", "fee", "proxy_allowed", "trips", "online_channel", "is_active"]


class ItemViewSet(viewsets.ReadOnlyModelViewSet):
    """便民服务事项(公开的事项目录)。"""

    serializer_class = ItemSerializer
    queryset = ServiceItem.objects.order_by("code")


class PointSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = ServicePoint
        fields = ["id", "name", "kind", "kind_display", "unit", "unit_name", "address", "lon", "lat",
                  "opening_hours", "staff_count", "villages", "is_active"]


class PointWriteSerializer(serializers.ModelSerializer):
    unit = serializers.IntegerField(**DB_ID, help_text="所在乡镇(中心、站)或村(室、点)的区划 id")
    villages = serializers.ListField(child=serializers.IntegerField(**DB_ID), required=False,
                                     max_length=5000, help_text="服务村(社区)的区划 id")

    class Meta:
        model = ServicePoint
        fields = ["name", "kind", "unit", "address", "lon", "lat", "opening_hours", "staff", "staff_count", "villages",
                  "note"]


class PointViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """便民服务网点(管辖范围内)。"""

    serializer_class = PointSerializer

    def get_queryset(self):
        return ServicePoint.objects.visible_to(self.request.user).select_related("unit").prefetch_related("villages")

    @extend_schema(request=PointWriteSerializer, responses=PointSerializer)
    def create(self, request, *args, **kwargs):
        """新增网点(改革办和管理员;所在单位和服务村须在管辖范围内)。"""
        d = _body(request, PointWriteSerializer)
        scope = Division.objects.visible_to(request.user)
        unit = scope.filter(pk=d.pop("unit")).first()
        ids = d.pop("villages", [])
        villages = list(scope.filter(pk__in=ids))
        if unit is None or len(villages) != len(set(ids)):
            raise ApiError("所在单位或服务村不存在或不在您的管辖范围内")
        try:
            point = service_network.save_point(request.user, ServicePoint(unit=unit, **d), villages)
        except CaseError as exc:
            raise ApiError(str(exc)) from None
        return Response(PointSerializer(point).data, status=status.HTTP_201_CREATED)


routes = [("service-cases", CaseViewSet, "service-case"), ("service-items", ItemViewSet, "service-item"),
          ("service-points", PointViewSet, "service-point")]
