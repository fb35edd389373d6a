"""What every module's REST API shares: pagination and Chinese JSON errors.

A module's `api.py` defines viewsets whose `get_queryset` goes through the jurisdiction choke point
(`Model.objects.visible_to(user)`) and lists them in `routes`; `xiangcun/api_urls.py` mounts them.
(This module is imported by DRF's settings, so it must not import DRF's views or routers.)
"""
from django.http import Http404
from rest_framework import exceptions, pagination, status
from rest_framework.views import exception_handler as drf_exception_handler

from .paging import CappedPaginator


class Pagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 1000


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
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
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


class ApiError(exceptions.APIException):
    """A refused request with a Chinese message, e.g. from a domain service."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"
