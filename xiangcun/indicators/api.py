"""REST API of the indicators module: the catalogue, values (within the user's jurisdiction) and
aggregated values per unit (through mergers, on the geography of a date)."""
import datetime as dt

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response

from xiangcun.core.api import ApiError
from xiangcun.divisions.models import Division

from . import aggregate, services
from .models import DataElement, DataValue, period_type_of


class ElementSerializer(serializers.ModelSerializer):
    class Meta:
        model = DataElement
        fields = ["id", "code", "name", "unit", "value_type", "choices", "level", "period_type", "aggregation", "category",
                  "formula", "source", "is_key", "active"]


class ValueSerializer(serializers.ModelSerializer):
    element = serializers.CharField(source="element.code", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    value = serializers.CharField(source="display", read_only=True)

    class Meta:
        model = DataValue
        fields = ["id", "element", "unit", "unit_code", "unit_name", "period", "value", "updated_at"]


class ElementViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """指标目录。"""

    serializer_class = ElementSerializer
    queryset = DataElement.objects.order_by("order", "code")


class ValueViewSet(viewsets.ReadOnlyModelViewSet):
    """指标值(仅限管辖范围内),可按 element(代码)、period、unit(单位 id)筛选。"""

    serializer_class = ValueSerializer

    def _check(self):
        if not services.may_read_reports(self.request.user):
            raise PermissionDenied("您的角色不能查看指标数据")

    def get_queryset(self):
        self._check()
        qs = DataValue.objects.visible_to(self.request.user).select_related("element", "unit")
        p = self.request.query_params
        if p.get("element"):
            qs = qs.filter(element__code=p["element"])
        if p.get("period"):
            qs = qs.filter(period=p["period"])
        if p.get("unit", "").isdigit():
            qs = qs.filter(unit_id=int(p["unit"]))
        return qs.order_by("element__order", "unit__path", "period")

    @extend_schema(parameters=[OpenApiParameter("element", str, required=True), OpenApiParameter("period", str, required=True),
                               OpenApiParameter("scope", int), OpenApiParameter("level", int, enum=[3, 4, 5]),
                               OpenApiParameter("date", str, description="口径日期(区划以该日为准),默认今天")])
    @action(detail=False)
    def aggregate(self, request):
        """按单位汇总的指标值:穿透区划撤并(被撤并单位的数据计入承接单位),计算指标按公式求值。"""
        self._check()
        p = request.query_params
        element = DataElement.objects.filter(code=p.get("element", "")).first()
        if element is None:
            raise ApiError("参数 element 应为指标代码")
        if period_type_of(p.get("period", "")) is None:
            raise ApiError("参数 period 应如 2022、2022Q3 或 2022-05")
        from .views import places

        scope = places(request.user).order_by("level", "path").first()
        if p.get("scope"):
            if not p["scope"].isdigit():
                raise ApiError("参数 scope 应为单位 id")
            scope = Division.objects.visible_to(request.user).filter(pk=int(p["scope"])).first()
        if scope is None:
            raise NotFound()
        try:
            when = dt.date.fromisoformat(p["date"]) if p.get("date") else None
        except ValueError:
            raise ApiError("参数 date 应写作 YYYY-MM-DD") from None
        level = int(p.get("level") or scope.level)
        geo = aggregate.Geography.on(scope, when)
        values = aggregate.values_at_level(element, p["period"], geo, level)
        return Response([{"unit": uid, "name": geo.versions[uid].name, "code": geo.versions[uid].code, "value": v}
                         for uid, v in sorted(values.items(), key=lambda kv: geo.versions[kv[0]].path)])


routes = [("indicator-elements", ElementViewSet, "indicator-element"), ("indicator-values", ValueViewSet, "indicator-value")]
