"""/api/v1/: every module's viewsets (its `api.routes`), token login, the OpenAPI schema and docs."""
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerSplitView
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.throttling import AnonRateThrottle

from xiangcun.core.discovery import app_modules


class TokenThrottle(AnonRateThrottle):
    scope = "token"


class ObtainToken(ObtainAuthToken):
    """POST username and password, get the API token (throttled)."""

    throttle_classes = [TokenThrottle]
    authentication_classes = []
    permission_classes = []

    def post(self, request, *args, **kwargs):
        serializer = self.serializer_class(data=request.data, context={"request": request})
        if not serializer.is_valid():
            return Response({"code": "invalid_credentials", "message": "用户名或密码不正确"}, status=400)
        return super().post(request, *args, **kwargs)


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

urlpatterns = _login_not_required([
    path("", include(router.urls)),
    path("auth/token/", ObtainToken.as_view(), name="api-token"),
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="api-schema"),
]) + [
    # the interactive docs are a page for people: signed in through the site's login
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
