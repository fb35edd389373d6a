"""REST API of collective economic organisations and integrations: read-only, scoped (members are not exposed:
personal data is read on the page, where each full view is logged)."""
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from xiangcun.core.openapi import RECORD_ID

from . import filters
from .models import Integration, IntegrationParty, Organisation, OrgLevel, OrgStatus


class OrganisationSerializer(serializers.ModelSerializer):
    level_label = serializers.CharField(source="get_level_display", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    village_name = serializers.CharField(source="village.name", read_only=True)
    village_code = serializers.CharField(source="village.code", read_only=True)
    member_count = serializers.IntegerField(source="members.count", read_only=True)

    class Meta:
        model = Organisation
        fields = ["id", "name", "code", "level", "level_label", "kind", "kind_label", "village", "village_name",
                  "village_code", "status", "status_label", "established", "closed_on", "successor", "member_count", "note"]


class PartySerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="organisation.name", read_only=True)

    class Meta:
        model = IntegrationParty
        fields = ["organisation", "name", "shares"]


class IntegrationSerializer(serializers.ModelSerializer):
    mode_label = serializers.CharField(source="get_mode_display", read_only=True)
    village_name = serializers.CharField(source="village.name", read_only=True)
    result_name = serializers.CharField(source="result.name", read_only=True)
    parties = PartySerializer(many=True, read_only=True)

    class Meta:
        model = Integration
        fields = ["id", "village", "village_name", "mode", "mode_label", "resolution_date", "eligible", "present",
                  "votes_for", "votes_against", "abstentions", "result", "result_name", "transition_until", "document",
                  "parties", "note"]


@extend_schema_view(list=extend_schema(parameters=[
    OpenApiParameter("level", str, enum=OrgLevel.values, description="层级:村级或组级"),
    OpenApiParameter("status", str, enum=OrgStatus.values, description="状态"),
    OpenApiParameter("unit", RECORD_ID, description="区划单位 id:该单位及并入单位范围内的组织"),
    OpenApiParameter("q", str, description="组织名称或统一社会信用代码/登记证书编号"),
]))
class OrganisationViewSet(viewsets.ReadOnlyModelViewSet):
    """农村集体经济组织(只读,按管辖范围过滤)。"""

    serializer_class = OrganisationSerializer

    def get_queryset(self):
        qs = Organisation.objects.visible_to(self.request.user).select_related("village").order_by("pk")
        return filters.filtered(self.request, qs) if self.action == "list" else qs


class IntegrationViewSet(viewsets.ReadOnlyModelViewSet):
    """合并村集体经济整合记录(只读,按管辖范围过滤)。"""

    serializer_class = IntegrationSerializer

    def get_queryset(self):
        return (Integration.objects.visible_to(self.request.user).select_related("village", "result")
                .prefetch_related("parties__organisation").order_by("pk"))


routes = [("collective/organisations", OrganisationViewSet, "collective-organisation"),
          ("collective/integrations", IntegrationViewSet, "collective-integration")]
