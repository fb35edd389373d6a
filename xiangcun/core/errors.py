"""Error pages in Chinese (handler400/403/404/500 in xiangcun/urls.py; used when DEBUG is off).

Under /api/ every error answers the API's JSON shape {"code", "message"} (see core/api.py), also for
paths no route matches and for unexpected exceptions. Elsewhere 400, 403 and 404 render in the
site's layout; the 500 page is a self-contained template rendered without the request, so it needs
neither the database nor the context processors (which may be what failed).
"""
import logging
import re
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.template import loader

from .api import CODES

API_PREFIX = "/api/"
SERVER_ERROR = ("server_error", "服务器内部错误,请稍后再试;如果反复出现,请联系系统管理员")
CJK = re.compile(r"[\u3400-\u9fff]")
logger = logging.getLogger("xiangcun.errors")

# (heading, message, hint) of each page; a 403's message is the view's own when it gave one in Chinese
# (PermissionDenied("您的角色不能管理用户")), not Django's English.
PAGES = {
    400: ("请求有误", "请求无法处理:提交的内容不完整或格式有误。", "请返回后重新操作。"),
    403: ("无权访问", "您没有权限访问此页面或执行该操作。", "如需此权限,请联系本级两项改革办或系统管理员。"),
    404: ("页面不存在", "您访问的页面不存在,或该对象不在您的管辖范围内。",
          "请检查地址是否正确;如果是从平台内的链接进入的,该对象可能已被删除或不在您的管辖范围内。"),
}


def _is_api(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


def _api_error(status: int) -> JsonResponse:
    code, message = CODES.get(status, SERVER_ERROR if status >= 500 else ("error", "请求失败"))
    return JsonResponse({"code": code, "message": message}, status=status,
                        json_dumps_params={"ensure_ascii": False})


def user_message(exception) -> str:
    """The exception's own message if it is meant for users (Chinese), else ""."""
    text = str(exception).strip() if exception is not None else ""
    return text if CJK.search(text) else ""


def _page(request, status: int, exception=None):
    if _is_api(request):
        response = _api_error(status)
        if status == 400 and user_message(exception):  # e.g. core.params: which parameter, what is wrong
            response = JsonResponse({"code": "invalid", "message": user_message(exception)}, status=400,
                                    json_dumps_params={"ensure_ascii": False})
        return response
    heading, message, hint = PAGES[status]
    if status in (400, 403):
        message = user_message(exception) or message
    body = loader.render_to_string(f"{status}.html", {
        "status": status, "heading": heading, "message": message, "hint": hint}, request)
    return HttpResponse(body, status=status)


def bad_request(request, exception):
    return _page(request, 400, exception)


def permission_denied(request, exception):
    return _page(request, 403, exception)


def page_not_found(request, exception):
    return _page(request, 404, exception)


FALLBACK_500 = ("<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>服务器内部错误</title>"
                "<h1>服务器内部错误</h1><p>请稍后再试;如果反复出现,请联系系统管理员。</p><p><a href=\"/\">返回首页</a></p>")


def server_error(request):
    # Django calls this inside its `except`: a database that is down answers 503, not 500
    if isinstance(sys.exc_info()[1], (OperationalError, InterfaceError)):
        logger.warning("database unavailable: %s", sys.exc_info()[1])
        return service_unavailable(request)
    if _is_api(request):
        return _api_error(500)
    request_id = str(getattr(request, "request_id", "") or "")[:64]
    try:
        # no request: the context processors (database, session) are not run
        body = loader.get_template("500.html").render({"request_id": request_id})
    except Exception:  # the page must come out even if templates are what broke
        logger.exception("500.html could not be rendered")
        body = FALLBACK_500
    return HttpResponseServerError(body)


UNAVAILABLE = ("unavailable", "数据库暂时无法连接,请稍后再试;如果持续出现,请联系系统管理员")


def service_unavailable(request):
    """503 while the database is unreachable: self-contained like the 500 page (no database needed)."""
    if _is_api(request):
        code, message = UNAVAILABLE
        response = JsonResponse({"code": code, "message": message}, status=503,
                                json_dumps_params={"ensure_ascii": False})
    else:
        try:
            body = loader.get_template("503.html").render({})
        except Exception:  # noqa: BLE001
            body = FALLBACK_500.replace("服务器内部错误", "服务暂时不可用")
        response = HttpResponse(body, status=503)
    response["Retry-After"] = "30"
    return response
