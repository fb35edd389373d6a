"""REST API of the zones module: schemes with their zones and members, village types (村镇分类) and the plan
register. Read-only and scoped like the pages (the same filters); editing stays in the browser, where moves are
checked against the optimiser's constraints."""
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from xiangcun.core import params
from xiangcun.core.openapi import DATE, RECORD_ID

from . import filters
from .models import (
    Designation,
    FarmlandTarget,
    Patch,
    PatchKind,
    PatchStatus,
    Plan,
    PlanKind,
    PlanStage,
    SchemeLevel,
    SchemeStatus,
    VillageType,
    Zone,
    ZoneMember,
    ZoningScheme,
)


class MemberSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="unit.name", read_only=True)
    code = serializers.CharField(source="unit.code", read_only=True)

    class Meta:
        model = ZoneMember
        fields = ["unit", "name", "code"]


class ZoneSerializer(serializers.ModelSerializer):
    type_label = serializers.CharField(source="get_type_display", read_only=True)
    centre_name = serializers.CharField(source="centre.name", read_only=True)
    members = MemberSerializer(source="memberships", many=True, read_only=True)

    class Meta:
        model = Zone
        fields = ["id", "name", "type", "type_label", "centre", "centre_name", "members"]


class SchemeSerializer(serializers.ModelSerializer):
    level_label = serializers.CharField(source="get_level_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    county_name = serializers.CharField(source="county.name", read_only=True)

    class Meta:
        model = ZoningScheme
        fields = ["id", "name", "level", "level_label", "status", "status_label", "document", "date", "county",
                  "county_name", "note"]


class SchemeDetailSerializer(SchemeSerializer):
    zones = ZoneSerializer(many=True, read_only=True)

    class Meta(SchemeSerializer.Meta):
        fields = [*SchemeSerializer.Meta.fields, "zones"]


@extend_schema_view(list=extend_schema(parameters=[
    OpenApiParameter("level", str, enum=SchemeLevel.values, description="片区层级"),
    OpenApiParameter("status", str, enum=SchemeStatus.values, description="方案状态"),
]))
class SchemeViewSet(viewsets.ReadOnlyModelViewSet):
    """片区方案(只读,按管辖范围:本县的方案,或含本辖区单位的方案);详情含各片区及其成员。"""

    def get_serializer_class(self):
        return SchemeDetailSerializer if self.action == "retrieve" else SchemeSerializer

    def get_queryset(self):
        user = self.request.user
        if self.action == "list":
            return filters.filtered(user, self.request.query_params).distinct().order_by("pk")
        return (ZoningScheme.objects.visible_to(user).select_related("county")
                .prefetch_related("zones__centre", "zones__memberships__unit").distinct())


class DesignationSerializer(serializers.ModelSerializer):
    category_label = serializers.CharField(source="get_category_display", read_only=True)
    function_label = serializers.CharField(source="get_function_display", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    unit_code = serializers.CharField(source="unit.code", read_only=True)

    class Meta:
        model = Designation
        fields = ["id", "unit", "unit_name", "unit_code", "category", "category_label", "function", "function_label",
                  "valid_from", "valid_to", "note"]


@extend_schema_view(list=extend_schema(parameters=[
    OpenApiParameter("category", str, enum=VillageType.values, description="村庄类型"),
    OpenApiParameter("unit", RECORD_ID, description="区划单位 id:只列该单位的分类记录(含历史)"),
    OpenApiParameter("on", DATE, description="只列该日有效的分类"),
]))
class DesignationViewSet(viewsets.ReadOnlyModelViewSet):
    """村镇分类记录(只读,按管辖范围;含已终止的历史记录)。"""

    serializer_class = DesignationSerializer

    def get_queryset(self):
        from django.db.models import Q

        qs = Designation.objects.visible_to(self.request.user).select_related("unit").order_by("unit__path", "valid_from", "pk")
        if self.action != "list":
            return qs
        g = self.request.query_params
        category = params.get_choice(g, "category", VillageType.values)
        if category:
            qs = qs.filter(category=category)
        unit = params.get_id(g, "unit")
        if unit:
            qs = qs.filter(unit_id=unit)
        on = params.get_date(g, "on")
        if on:
            qs = qs.filter(valid_from__lte=on).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=on))
        return qs


class PlanSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    stage_label = serializers.CharField(source="get_stage_display", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True, default=None)
    zone_name = serializers.CharField(source="zone.name", read_only=True, default=None)

    class Meta:
        model = Plan
        fields = ["id", "kind", "kind_label", "name", "unit", "unit_name", "zone", "zone_name", "stage", "stage_label",
                  "target_date", "document", "approved_on", "term_years", "note"]


@extend_schema_view(list=extend_schema(parameters=[
    OpenApiParameter("kind", str, enum=PlanKind.values, description="规划类型"),
    OpenApiParameter("stage", str, enum=PlanStage.values, description="阶段"),
    OpenApiParameter("overdue", str, enum=["1"], description="1:只列超过计划批复日期仍未批复的规划"),
]))
class PlanViewSet(viewsets.ReadOnlyModelViewSet):
    """规划登记(只读,按管辖范围:规划单位或规划片区在本辖区内)。"""

    serializer_class = PlanSerializer

    def get_queryset(self):
        if self.action == "list":
            return filters.plans(self.request.user, self.request.query_params).distinct().order_by("pk")
        return Plan.objects.visible_to(self.request.user).select_related("unit", "zone").distinct()


YEAR = {"type": "integer", "minimum": 2000, "maximum": 2100}


class FarmlandTargetSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    cultivated_gap = serializers.DecimalField(max_digits=11, decimal_places=2, read_only=True, allow_null=True)
    basic_gap = serializers.DecimalField(max_digits=11, decimal_places=2, read_only=True, allow_null=True)
    status = serializers.ChoiceField(choices=[("green", "绿"), ("red", "红")], read_only=True, allow_null=True,
                                     help_text="green:两项实有均不少于下达任务;red:任一项不足;null:数据不全")

    class Meta:
        model = FarmlandTarget
        fields = ["id", "unit", "unit_name", "unit_code", "year", "cultivated_target", "cultivated_actual",
                  "cultivated_gap", "basic_target", "basic_actual", "basic_gap", "status", "merged_from", "note"]


@extend_schema_view(list=extend_schema(parameters=[
    OpenApiParameter("year", YEAR, description="年度"),
]))
class FarmlandTargetViewSet(viewsets.ReadOnlyModelViewSet):
    """乡镇耕地保有量、永久基本农田的下达任务与实有面积(亩,只读,按管辖范围)。"""

    serializer_class = FarmlandTargetSerializer

    def get_queryset(self):
        qs = FarmlandTarget.objects.visible_to(self.request.user).select_related("unit").order_by("-year", "unit__path",
                                                                                                   "pk")
        if self.action == "list":
            year = params.get_year(self.request.query_params, "year")
            if year:
                qs = qs.filter(year=year)
        return qs


class PatchSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    overdue = serializers.SerializerMethodField()
    has_evidence = serializers.SerializerMethodField()

    class Meta:
        model = Patch
        fields = ["id", "number", "unit", "unit_name", "former_unit", "kind", "kind_label", "area", "lon", "lat",
                  "geometry", "found_on", "deadline", "status", "status_label", "overdue", "rectification_note",
                  "rectified_on", "has_evidence"]

    def get_overdue(self, obj) -> bool:
        import datetime as dt

        return obj.is_overdue(dt.date.today())

    def get_has_evidence(self, obj) -> bool:
        return bool(obj.evidence)


@extend_schema_view(list=extend_schema(parameters=[
    OpenApiParameter("status", str, enum=PatchStatus.values, description="整改状态"),
    OpenApiParameter("kind", str, enum=PatchKind.values, description="图斑类型"),
    OpenApiParameter("overdue", str, enum=["1"], description="1:只列超过整改期限仍未整改的图斑"),
    OpenApiParameter("unit", RECORD_ID, description="区划单位 id:只列该单位(含并入它的单位)范围内的图斑"),
]))
class PatchViewSet(viewsets.ReadOnlyModelViewSet):
    """违法用地图斑(只读,按管辖范围)及其整改状态。"""

    serializer_class = PatchSerializer

    def get_queryset(self):
        if self.action == "list":
            return filters.patches(self.request.user, self.request.query_params).select_related("unit").order_by("pk")
        return Patch.objects.visible_to(self.request.user).select_related("unit")


routes = [("zones/schemes", SchemeViewSet, "zones-scheme"), ("zones/designations", DesignationViewSet, "zones-designation"),
          ("zones/plans", PlanViewSet, "zones-plan"), ("zones/farmland", FarmlandTargetViewSet, "zones-farmland"),
          ("zones/patches", PatchViewSet, "zones-patch")]
