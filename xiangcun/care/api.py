"""REST API of the care registry: read-only, the same people as the list page (those the user sees in full), and
masked — name, 身份证号 and phone never leave the server in full through the API."""
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from xiangcun.core.openapi import RECORD_ID

from . import filters
from .models import CATEGORIES, Person, RiskLevel


class PersonSerializer(serializers.ModelSerializer):
    name_masked = serializers.CharField(source="masked_name", read_only=True, help_text="姓名(脱敏),如“张*”")
    id_number_masked = serializers.CharField(source="masked_id_number", read_only=True,
                                             help_text="身份证号(脱敏),如“513***********1234”")
    village_name = serializers.CharField(source="village.name", read_only=True)
    categories = serializers.ListField(child=serializers.CharField(), source="category_labels", read_only=True)
    age = serializers.IntegerField(read_only=True)
    risk_label = serializers.CharField(source="get_risk_level_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Person
        fields = ["id", "name_masked", "id_number_masked", "sex", "age", "village", "village_name", "categories",
                  "risk_level", "risk_label", "status", "status_label", "registered_on"]


@extend_schema_view(list=extend_schema(parameters=[
    OpenApiParameter("category", str, enum=list(CATEGORIES), description="关爱类别"),
    OpenApiParameter("risk", str, enum=[r for r, _ in RiskLevel.choices], description="风险等级"),
    OpenApiParameter("status", str, enum=[s for s, _ in filters.STATUS], description="在册(默认)、已退出或全部"),
    OpenApiParameter("unit", RECORD_ID, description="区划单位 id:该单位及并入单位范围内的关爱对象"),
]))
class PersonViewSet(viewsets.ReadOnlyModelViewSet):
    """关爱对象(只读、脱敏;仅限关爱责任人、所在村、乡镇社会事务办公室、县民政和残联部门)。"""

    serializer_class = PersonSerializer

    def get_queryset(self):
        qs = Person.objects.identified_for(self.request.user).select_related("village").order_by("pk")
        if self.action == "list":
            params = self.request.GET.copy()
            params.pop("id", None)  # no lookup by 身份证号 through the API
            return filters.filtered(filters.Params(params, self.request.user), qs)
        return qs


routes = [("care/people", PersonViewSet, "care-person")]
