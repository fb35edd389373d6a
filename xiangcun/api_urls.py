"""/api/v1/: every module's viewsets (its `api.routes`), token login, the OpenAPI schema and docs."""
import datetime as dt

from django.contrib.auth import authenticate
from django.urls import URLPattern, URLResolver, include, path
from django.utils import translation
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerSplitView
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from xiangcun.accounts import otp, tokens
from xiangcun.core.api import ErrorSerializer
from xiangcun.core.discovery import app_modules


class TokenThrottle(AnonRateThrottle):
    scope = "token"


class TokenRequest(serializers.Serializer):
    username = serializers.CharField(label="用户名", max_length=150)
    password = serializers.CharField(label="密码", max_length=4096, style={"input_type": "password"})
    otp = serializers.CharField(label="动态口令", required=False, allow_blank=True, max_length=6,
                                help_text="账号已启用动态口令时必填:身份验证器当前显示的 6 位数字")


class TokenResponse(serializers.Serializer):
    token = serializers.CharField(help_text="接口令牌,仅此一次返回;请求头 Authorization: Token <令牌>")
    expires = serializers.DateTimeField(help_text="到期时间")


class ObtainToken(APIView):
    """POST username and password (and `otp`, the current code, when the account has a second factor);
    get a new API token that expires after TOKEN_DAYS (throttled; each issue is audited)."""

    throttle_classes = [TokenThrottle]
    authentication_classes = []
    permission_classes = []

    @extend_schema(request=TokenRequest, responses={200: TokenResponse, 400: ErrorSerializer, 429: ErrorSerializer},
                   summary="获取接口令牌", auth=[])
    def post(self, request, *args, **kwargs):
        serializer = TokenRequest(data=request.data)
        user = None
        if serializer.is_valid():
            data = serializer.validated_data
            user = authenticate(request=request, username=data["username"], password=data["password"])
        if user is None or not user.is_active:
            return Response({"code": "invalid_credentials", "message": "用户名或密码不正确"}, status=400)
        if user.totp_enabled:
            if not data.get("otp"):
                return Response({"code": "otp_required",
                                 "message": "该账号已启用动态口令:请在 otp 字段中填写身份验证器当前显示的 6 位数字"},
                                status=400)
            try:
                otp.check_code(user, data["otp"])
            except otp.OtpError as exc:
                return Response({"code": exc.code, "message": exc.message},
                                status=429 if exc.code == "otp_locked" else 400)
        token, key = tokens.issue(user, actor=user)
        return Response({"token": key, "expires": token.expires.isoformat()})


def _login_not_required(patterns):
    """The API authenticates by token itself: exempt it from the site's login redirect."""
    for p in patterns:
        if isinstance(p, URLResolver):
            _login_not_required(p.url_patterns)
        elif isinstance(p, URLPattern):
            p.callback.login_required = False
    return patterns


router = DefaultRouter()
for module in app_modules("api"):
    if not hasattr(module, "routes"):  # core.api holds shared machinery, no routes
        continue
    for prefix, viewset, basename in module.routes:
        router.register(prefix, viewset, basename=basename)

class SchemaView(SpectacularJSONAPIView):
    """The OpenAPI schema. It is public (the same for every user: SERVE_PUBLIC), so it is generated once per
    API version, language and day and then served from memory; generating it walks every endpoint (~0.4 s)."""

    schemas: dict = {}

    def _get_schema_response(self, request):
        version = self.api_version or request.version or self._get_version_parameter(request)
        key = (version, translation.get_language(), dt.date.today())
        if key not in self.schemas:
            generator = self.generator_class(urlconf=self.urlconf, api_version=version, patterns=self.patterns)
            schema = generator.get_schema(request=request, public=self.serve_public)
            if len(self.schemas) > 16:
                self.schemas.clear()
            self.schemas[key] = schema
        return Response(data=self.schemas[key],
                        headers={"Content-Disposition": f'inline; filename="{self._get_filename(request, version)}"'})


urlpatterns = _login_not_required([
    path("", include(router.urls)),
    path("auth/token/", ObtainToken.as_view(), name="api-token"),
    path("openapi.json", SchemaView.as_view(), name="api-schema"),
]) + [
    # the interactive docs are a page for people: signed in through the site's login
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
