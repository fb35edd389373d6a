"""The project's URLs plus views that fail, for the error-page tests (test_errors.py)."""
from django.core.exceptions import PermissionDenied
from django.urls import path
from rest_framework.views import APIView

from xiangcun.core.access import Access
from xiangcun.urls import handler400, handler403, handler404, handler500  # noqa: F401
from xiangcun.urls import urlpatterns as project


def boom(request):
    raise RuntimeError("the database went away")


def english_denial(request):
    raise PermissionDenied("Forbidden by policy")


class ApiBoom(APIView):
    def get(self, request):
        raise RuntimeError("a bug in a viewset")


urlpatterns = [
    path("boom/", boom, name="test-boom"),
    path("english-denial/", english_denial, name="test-english-denial"),
    path("api/v1/boom/", ApiBoom.as_view(), name="test-api-boom"),
    *project,
]

# open to every signed-in user: the tests add these to core.access.declared() (see `declare`)
DECLARED = {"test-boom": Access(), "test-english-denial": Access(), "test-api-boom": Access()}


def declare(monkeypatch):
    from xiangcun.core.access import declared

    for name, access in DECLARED.items():
        monkeypatch.setitem(declared(), name, access)
