"""REST API of the register of bodies: read-only and scoped (the same filters as the list page)."""
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from xiangcun.core.openapi import RECORD_ID

from . import filters
from .models import Body, BodyKind


class BodySerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    unit_code = serializers.CharField(source="unit.code", read_only=True)

    class Meta:
        model = Body
        fields = ["id", "name", "short_name", "kind", "kind_label", "unit", "unit_name", "unit_code", "parent",
                  "credit_code", "valid_from", "valid_to", "successor", "note"]


@extend_schema_view(list=extend_schema(parameters=[
    OpenApiParameter("kind", str, enum=[k for k, _ in BodyKind.choices], description="机构类别"),
    OpenApiParameter("status", str, enum=[s for s, _ in filters.STATUS], description="现存(默认)、已撤销或全部"),
    OpenApiParameter("unit", RECORD_ID, description="区划单位 id:该单位及并入单位范围内的机构"),
    OpenApiParameter("q", str, description="机构名称、简称或统一社会信用代码"),
]))
class BodyViewSet(viewsets.ReadOnlyModelViewSet):
    """机构名录(只读,按管辖范围过滤:本辖区的机构和上级区划的机构)。"""

    serializer_class = BodySerializer

    def get_queryset(self):
        qs = Body.objects.visible_to(self.request.user).select_related("unit").order_by("pk")
        return filters.filtered(self.request, qs) if self.action == "list" else qs


routes = [("bodies", BodyViewSet, "body")]
