"""What every module's REST API shares: pagination and Chinese JSON errors.

A module's `api.py` defines viewsets whose `get_queryset` goes through the jurisdiction choke point
(`Model.objects.visible_to(user)`) and lists them in `routes`; `xiangcun/api_urls.py` mounts them.
(This module is imported by DRF's settings, so it must not import DRF's views or routers.)
"""
from django.http import Http404
from rest_framework import exceptions, pagination, serializers, status
from rest_framework.views import exception_handler as drf_exception_handler

from .paging import CappedPaginator


class Pagination(pagination.PageNumberPagination):
    """Pages of 50 (page_size up to 1000). A page or page_size that is not a positive whole number is
    refused with a Chinese 400, not silently replaced by the default (clients would read the wrong page)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 1000
    max_page = 10**9

    def _positive(self, request, name, maximum):
        raw = request.query_params.getlist(name)
        if not raw or (len(raw) == 1 and not raw[0].strip()):  # blank is missing, as for every query parameter
            return None
        value = raw[-1].strip()
        if len(raw) > 1 or not value.isdigit() or not 1 <= int(value) <= maximum:
            raise ApiError(f"参数 {name}=“{','.join(raw)[:40]}”无效,应为 1 到 {maximum} 之间的整数")
        return int(value)

    def get_page_size(self, request):
        return self._positive(request, self.page_size_query_param, self.max_page_size) or self.page_size

    def paginate_queryset(self, queryset, request, view=None):
        self._positive(request, self.page_query_param, self.max_page)
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        limits = {self.page_query_param: self.max_page, self.page_size_query_param: self.max_page_size}
        for parameter in parameters:
            if parameter["name"] in limits:
                parameter["schema"] = {**parameter["schema"], "minimum": 1, "maximum": limits[parameter["name"]]}
        return parameters


class CappedPagination(Pagination):
    """For lists that may hold a province's million rows: `count` stops at 10,000 and `count_capped`
    says there are more (pages run to the cap; filter to see the rest)."""

    django_paginator_class = CappedPaginator

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["count_capped"] = self.page.paginator.capped
        return response

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["count_capped"] = {"type": "boolean", "description": "为 true 时实际条数超过 count"}
        schema["required"] = [*schema.get("required", []), "count_capped"]
        return schema


CODES = {
    400: ("invalid", "请求参数有误"),
    401: ("not_authenticated", "未提供有效的身份认证令牌"),
    403: ("permission_denied", "您没有执行该操作的权限"),
    404: ("not_found", "未找到该对象,或不在您的管辖范围内"),
    405: ("method_not_allowed", "不支持该请求方法"),
    429: ("throttled", "请求过于频繁,请稍后再试"),
}


def exception_handler(exc, context):
    """Every error is JSON: {"code": ..., "message": Chinese text, "errors": field errors if any}."""
    from .params import BadParameter

    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, BadParameter):  # a query parameter refused by core.params
        exc = ApiError(str(exc))
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    code, message = CODES.get(response.status_code, ("error", "请求失败"))
    body = {"code": code, "message": message}
    detail = response.data
    if isinstance(detail, dict) and set(detail) == {"detail"}:
        text = str(detail["detail"])
        if response.status_code not in (401, 404):
            body["message"] = text
    elif detail:
        body["errors"] = detail
    response.data = body
    return response


class ErrorSerializer(serializers.Serializer):
    """The shape of every error answer (documented for each operation in the OpenAPI schema)."""

    code = serializers.CharField(help_text="错误代码,如 invalid、not_authenticated、not_found")
    message = serializers.CharField(help_text="中文说明")
    errors = serializers.JSONField(required=False, help_text="逐字段的错误(如有)")


class ApiError(exceptions.APIException):
    """A refused request with a Chinese message, e.g. from a domain service."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"
