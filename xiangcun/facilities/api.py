"""REST API of the facilities module: the facility ledger, read-only and scoped."""
from rest_framework import serializers, viewsets

from .models import Facility


class FacilitySerializer(serializers.ModelSerializer):
    type_label = serializers.CharField(source="get_type_display", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = Facility
        fields = ["id", "name", "type", "type_label", "unit", "unit_name", "lon", "lat", "classes", "enrolment", "beds",
                  "occupancy", "staff", "condition", "built_year"]


class FacilityViewSet(viewsets.ReadOnlyModelViewSet):
    """设施台账(只读,按管辖范围过滤)。"""

    serializer_class = FacilitySerializer

    def get_queryset(self):
        return Facility.objects.visible_to(self.request.user).select_related("unit").order_by("pk")


routes = [("facilities", FacilityViewSet, "facility")]
