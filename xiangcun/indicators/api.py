"""REST API of the indicators module: the catalogue, values (within the user's jurisdiction) and
aggregated values per unit (through mergers, on the geography of a date)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from xiangcun.core import params
from xiangcun.core.api import ApiError
from xiangcun.core.openapi import DATE, PERIOD, RECORD_ID
from xiangcun.divisions.models import Division, Level

from . import aggregate
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

    def get_queryset(self):
        qs = DataValue.objects.visible_to(self.request.user).select_related("element", "unit")
        p = self.request.query_params
        if p.get("element"):
            qs = qs.filter(element__code=p["element"])
        if p.get("period"):
            from .views import period_param

            qs = qs.filter(period=period_param(p))
        unit = params.get_id(p, "unit")
        if unit:
            qs = qs.filter(unit_id=unit)
        return qs.order_by("element__order", "unit__path", "period")

    @extend_schema(parameters=[OpenApiParameter("element", str, required=True), OpenApiParameter("period", PERIOD, required=True),
                               OpenApiParameter("scope", RECORD_ID), OpenApiParameter("level", int, enum=[3, 4, 5]),
                               OpenApiParameter("date", DATE, description="口径日期(区划以该日为准),默认今天")])
    @action(detail=False)
    def aggregate(self, request):
        """按单位汇总的指标值:穿透区划撤并(被撤并单位的数据计入承接单位),计算指标按公式求值。"""
        p = request.query_params
        element = DataElement.objects.filter(code=p.get("element", "")).first()
        if element is None:  # a code nobody defined: no such indicator (404), as a record id that does not exist
            raise NotFound(f"没有代码为“{p.get('element', '')[:40]}”的指标")
        if period_type_of(p.get("period", "")) is None:
            raise ApiError("参数 period 应如 2022、2022Q3 或 2022-05")
        from xiangcun.divisions.scoping import places

        from .views import period_param

        period_param(p)  # a year the module covers (core.params: 400 otherwise)

        scope = places(request.user).order_by("level", "path").first()
        scope_id = params.get_id(p, "scope")
        if scope_id:
            scope = Division.objects.visible_to(request.user).filter(pk=scope_id).first()
        if scope is None:
            raise NotFound()
        when = params.get_date(p, "date")
        level = params.get_choice(p, "level", [Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE], scope.level)
        geo = aggregate.Geography.on(scope, when)
        values = aggregate.values_at_level(element, p["period"], geo, level)
        rows = []
        for uid, v in sorted(values.items(), key=lambda kv: geo.versions[kv[0]].path):
            cov = aggregate.coverage_of(element, p["period"], geo, uid)  # the units behind the value
            rows.append({"unit": uid, "name": geo.versions[uid].name, "code": geo.versions[uid].code, "value": v,
                         "reported": cov[0] if cov else None, "expected": cov[1] if cov else None})
        return Response(rows)


routes = [("indicator-elements", ElementViewSet, "indicator-element"), ("indicator-values", ValueViewSet, "indicator-value")]
