"""REST API of the township responsibility lists (with their items) and of 事项准入: read-only and scoped."""
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from xiangcun.core.openapi import DATE, RECORD_ID

from . import filters
from .models import Admission, AdmissionStatus, Delegation, DutyItem, ListKind, ListStatus, LocalItem, ResponsibilityList, Staff


class DutyItemSerializer(serializers.ModelSerializer):
    category_label = serializers.CharField(source="get_category_display", read_only=True)
    body_name = serializers.CharField(source="body.name", read_only=True, allow_null=True, default=None)

    class Meta:
        model = DutyItem
        fields = ["id", "name", "category", "category_label", "legal_basis", "body", "body_name", "office_name", "duties",
                  "accountability"]


class LocalItemSerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True)

    class Meta:
        model = LocalItem
        fields = ["id", "name", "department", "department_name", "cooperation", "legal_basis", "admission"]


class ListSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    duty_items = DutyItemSerializer(many=True, read_only=True)
    local_items = LocalItemSerializer(many=True, read_only=True)

    class Meta:
        model = ResponsibilityList
        fields = ["id", "kind", "kind_label", "unit", "unit_name", "is_template", "version", "title", "status", "doc_number",
                  "effective_from", "effective_to", "based_on", "duty_items", "local_items"]


@extend_schema_view(list=extend_schema(parameters=[
    OpenApiParameter("kind", str, enum=[k for k, _ in ListKind.choices], description="清单类别"),
    OpenApiParameter("status", str, enum=[s for s, _ in ListStatus.choices], description="草案或已发布"),
    OpenApiParameter("unit", RECORD_ID, description="区划单位 id"),
    OpenApiParameter("on", DATE, description="日期(yyyy-mm-dd):只列当日有效的版本"),
]))
class ListViewSet(viewsets.ReadOnlyModelViewSet):
    """乡镇权责清单和属地管理事项责任清单的各个版本及其事项(按管辖范围过滤;乡镇还能看到本县的模板)。"""

    serializer_class = ListSerializer

    def get_queryset(self):
        qs = (ResponsibilityList.objects.visible_to(self.request.user).select_related("unit")
              .prefetch_related("duty_items__body", "local_items__department").order_by("pk"))
        if self.action != "list":
            return qs
        return filters.filtered_lists(self.request, qs)


class AdmissionSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)

    class Meta:
        model = Admission
        fields = ["id", "unit", "department", "department_name", "name", "cooperation", "legal_basis", "reason", "townships",
                  "status", "status_label", "decision_note", "filed_at", "decided_at"]


@extend_schema_view(list=extend_schema(parameters=[
    OpenApiParameter("status", str, enum=[s for s, _ in AdmissionStatus.choices], description="审批状态"),
]))
class AdmissionViewSet(viewsets.ReadOnlyModelViewSet):
    """事项准入申请(县级部门提出、改革办审批;按管辖范围过滤)。"""

    serializer_class = AdmissionSerializer

    def get_queryset(self):
        qs = Admission.objects.visible_to(self.request.user).select_related("department").prefetch_related("townships").order_by("pk")
        if self.action != "list":
            return qs
        return filters.filtered_admissions(self.request, qs)


class StaffSerializer(serializers.ModelSerializer):
    """A staff member with 身份证号 and phone masked: the API never gives personal data in full."""

    id_number = serializers.CharField(source="masked_id", read_only=True, help_text="身份证号(脱敏)")
    phone = serializers.CharField(source="masked_phone", read_only=True, help_text="联系电话(脱敏)")
    body_name = serializers.CharField(source="body.name", read_only=True)
    post_name = serializers.CharField(source="post.name", read_only=True, allow_null=True, default=None)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Staff
        fields = ["id", "name", "id_number", "phone", "body", "body_name", "post", "post_name", "kind", "kind_label", "rank",
                  "leader", "non_leader", "secondment", "left_on"]


class StaffViewSet(viewsets.ReadOnlyModelViewSet):
    """乡镇工作人员(身份证号、电话脱敏;按管辖范围过滤)。"""

    serializer_class = StaffSerializer

    def get_queryset(self):
        return Staff.objects.visible_to(self.request.user).select_related("body", "post").order_by("pk")


class DelegationSerializer(serializers.ModelSerializer):
    mode_label = serializers.CharField(source="get_mode_display", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)

    class Meta:
        model = Delegation
        fields = ["id", "unit", "name", "legal_basis", "department", "department_name", "mode", "mode_label", "townships",
                  "valid_from", "valid_to", "doc_number"]


class DelegationViewSet(viewsets.ReadOnlyModelViewSet):
    """扩权赋能:县级部门赋予乡镇的权力事项及承接乡镇(本县及其乡镇可见)。"""

    serializer_class = DelegationSerializer

    def get_queryset(self):
        return (Delegation.objects.visible_to(self.request.user).select_related("department").prefetch_related("townships")
                .order_by("pk"))


routes = [("governance/lists", ListViewSet, "governance-list"), ("governance/admissions", AdmissionViewSet, "governance-admission"),
          ("governance/staff", StaffViewSet, "governance-staff"), ("governance/delegations", DelegationViewSet, "governance-delegation")]
