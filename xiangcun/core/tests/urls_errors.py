"""The project's URLs plus views that fail, for the error-page tests (test_errors.py)."""
from django.core.exceptions import PermissionDenied
from django.urls import path
from rest_framework.views import APIView

from xiangcun.urls import handler400, handler403, handler404, handler500, urlpatterns as project  # noqa: F401


def boom(request):
    raise RuntimeError("the database went away")


def english_denial(request):
    raise PermissionDenied("Forbidden by policy")


class ApiBoom(APIView):
    def get(self, request):
        raise RuntimeError("a bug in a viewset")


urlpatterns = [
    path("boom/", boom),
    path("english-denial/", english_denial),
    path("api/v1/boom/", ApiBoom.as_view()),
    *project,
]
