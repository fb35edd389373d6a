"""REST API of the assets module: the ledger (filters as on the list page), lifecycle steps, idle
buildings for other modules, and the utilisation statistics — all within the user's jurisdiction."""
import datetime as dt

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from xiangcun.core import params
from xiangcun.core.api import ApiError
from xiangcun.core.openapi import DATE, IDLE_MONTHS, RECORD_ID
from xiangcun.core.validators import sensible_date
from xiangcun.divisions.scoping import requested_unit

from . import services, stats
from .filters import filtered
from .models import Asset, Category, Status


class AssetSerializer(serializers.ModelSerializer):
    category_display = serializers.CharField(source="get_category_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    holder_name = serializers.CharField(source="holder.name", read_only=True)
    holder_abolished = serializers.SerializerMethodField()
    custodian_name = serializers.CharField(source="custodian.name", read_only=True)
    nature_display = serializers.CharField(source="get_nature_display", read_only=True)

    class Meta:
        model = Asset
        fields = ["id", "ledger_no", "name", "category", "category_display", "holder", "holder_name",
                  "holder_abolished", "custodian", "custodian_name", "address", "lon", "lat", "floor_area", "land_area",
                  "built_year", "acquired_on", "book_value", "valuation", "valuation_date", "valuation_method",
                  "property_cert", "land_cert", "condition", "nature", "nature_display", "owner_body", "owner_organisation",
                  "funding", "restricted", "status", "status_display", "status_since", "note"]

    def get_holder_abolished(self, obj) -> bool:
        return obj.holder.valid_to is not None


class AssetTransitionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=list(services.TRANSITIONS))
    date = serializers.DateField(required=False, validators=[sensible_date])
    document = serializers.CharField(required=False, allow_blank=True)
    reason = serializers.CharField(required=False, allow_blank=True)


LIST_PARAMS = [
    OpenApiParameter("q", str, description="编号前缀、名称或地址包含"),
    OpenApiParameter("category", str, enum=Category.values),
    OpenApiParameter("status", str, enum=Status.values),
    OpenApiParameter("unit", RECORD_ID, description="单位 id:该单位管护或原属该单位的资产"),
    OpenApiParameter("custody", str, enum=["moved"], description="moved:原权属单位已撤并"),
    OpenApiParameter("idle_months", IDLE_MONTHS, description="闲置超过 N 个月"),
]


# What the two report actions answer (documented so the schema and the answers agree)
_text = serializers.CharField
IDLE_BUILDING = inline_serializer("IdleBuilding", many=True, fields={
    "id": serializers.IntegerField(), "ledger_no": _text(), "name": _text(), "category": _text(),
    "category_label": _text(), "custodian_id": serializers.IntegerField(), "custodian": _text(), "address": _text(),
    "lon": serializers.FloatField(allow_null=True), "lat": serializers.FloatField(allow_null=True),
    "floor_area": _text(allow_null=True, help_text="建筑面积(㎡),十进制字符串"), "status": _text(),
    "status_label": _text(), "idle_since": serializers.DateField(allow_null=True)})
ASSET_STATS = inline_serializer("AssetStats", fields={
    "scope": _text(allow_null=True), "from": serializers.DateField(), "to": serializers.DateField(),
    "idle_months": serializers.IntegerField(),
    "rows": serializers.ListField(child=serializers.DictField(child=_text(allow_null=True)),
                                  help_text="各单位一行,键为导出表头"),
    "by_route": serializers.DictField(child=serializers.DictField(child=_text()),
                                      help_text="盘活途径 → {count, area, value}")})


class AssetViewSet(viewsets.ReadOnlyModelViewSet):
    """公有资产台账(仅限管辖范围内)。"""

    serializer_class = AssetSerializer

    def get_queryset(self):
        return filtered(self.request.user, self.request.query_params).select_related("holder", "custodian").order_by("ledger_no")

    @extend_schema(parameters=LIST_PARAMS)
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=AssetTransitionSerializer, responses=AssetSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """状态流转:check(确认已清查)、put_in_use、mark_idle、write_off(须 document 与 reason)。"""
        asset = self.get_object()
        body = AssetTransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        d = body.validated_data
        try:
            asset = services.transition(asset, d["action"], request.user, d.get("date"), d.get("document", ""),
                                        d.get("reason", ""))
        except services.AssetError as exc:
            raise ApiError(str(exc)) from None
        return Response(AssetSerializer(asset).data)

    def _scope(self, request):
        return requested_unit(request.user, request.query_params)

    @extend_schema(parameters=[OpenApiParameter("scope", RECORD_ID, description="单位 id,默认本人管辖范围")],
                   responses=IDLE_BUILDING)
    @action(detail=False, url_path="idle-buildings", pagination_class=None)
    def idle_buildings(self, request):
        """闲置房屋(类别、位置、建筑面积、状态),供设施布局规划选址。"""
        rows = services.idle_buildings(self._scope(request), user=request.user)
        return Response([{**r.__dict__, "floor_area": str(r.floor_area) if r.floor_area is not None else None}
                         for r in rows])

    @extend_schema(parameters=[OpenApiParameter("scope", RECORD_ID), OpenApiParameter("from", DATE),
                               OpenApiParameter("to", DATE), OpenApiParameter("idle_months", IDLE_MONTHS)],
                   responses=ASSET_STATS)
    @action(detail=False, pagination_class=None)
    def stats(self, request):
        """盘活统计:各单位资产数、闲置数与面积、本期盘活与处置、租金与出售收入。"""
        from .filters import MAX_MONTHS
        from .views import REFORM_START

        def day(name, default):
            return params.get_date(request.query_params, name, default)

        today = dt.date.today()
        months = max(1, params.get_int(request.query_params, "idle_months", 12, lo=0, hi=MAX_MONTHS))
        rep = stats.report(Asset.objects.visible_to(request.user), self._scope(request),
                           day("from", REFORM_START), day("to", today), months)
        headers = stats.EXPORT_HEADERS
        return Response({"scope": rep.scope.name if rep.scope else None, "from": rep.date_from, "to": rep.date_to,
                         "idle_months": rep.idle_months,
                         "rows": [dict(zip(headers, [str(v) if v is not None else None for v in row]))
                                  for row in stats.export_rows(rep)],
                         "by_route": {k: {kk: str(vv) for kk, vv in v.items()} for k, v in rep.by_route.items()}})


routes = [("assets", AssetViewSet, "asset")]
