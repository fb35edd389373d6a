"""Who may use which URL, declared once per module (its `permissions.py`, a dict `URLS`), and enforced here.

The declaration is the enforcement: `AccessMiddleware` looks up the resolved URL name of every page
and `DeclaredPermission` (DRF's default permission class) that of every API call, and answer 403 with
the declared Chinese reason when the user's role may not use it. A URL nobody declared is refused
(fail closed); only the Django admin site, which checks staff status and model permissions itself,
is exempt. Views keep only the checks that depend on the object or its state, and jurisdiction:
an object outside the user's scope is a 404 from the scoped queryset (`visible_to`).

The permission matrix test (core/tests/test_matrix.py, its data in each app's tests/matrix.py) walks
every URL with users of every role in several jurisdictions against these declarations.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission

from xiangcun.core.discovery import app_modules

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
REFUSAL = "您的角色不能执行该操作"
UNDECLARED = "该地址未声明访问权限,已拒绝访问"
# Django's admin site checks is_staff and model permissions itself (and signs in through accounts:login)
EXEMPT_NAMESPACES = frozenset({"admin"})


def anyone(user) -> bool:
    return True


@dataclass(frozen=True)
class Access:
    allowed: Callable = anyone       # may this user use the URL at all (else 403)
    write: Callable | None = None    # who may also send an unsafe method (POST …); None: whoever is allowed
    public: bool = False             # reachable without signing in
    denied: str = REFUSAL            # the Chinese reason on the 403 page / in the API's JSON

    def permits(self, user, method: str = "GET") -> bool:
        if not self.allowed(user):
            return False
        if self.write is not None and method.upper() not in SAFE_METHODS:
            return bool(self.write(user))
        return True


_declared: dict[str, Access] | None = None


def declared() -> dict[str, Access]:
    """Every module's declarations, keyed by URL name ("divisions:detail", "division-list" …)."""
    global _declared
    if _declared is None:
        out: dict[str, Access] = {}
        for module in app_modules("permissions"):
            out.update(module.URLS)
        _declared = out
    return _declared


def access_for(resolver_match) -> Access | None:
    """The declaration of a resolved URL (None: nobody declared it)."""
    if resolver_match is None:
        return None
    return declared().get(resolver_match.view_name)


def _exempt(resolver_match) -> bool:
    return bool(resolver_match and EXEMPT_NAMESPACES.intersection(resolver_match.namespaces))


class AccessMiddleware:
    """Pages: 403 (core.errors' Chinese page) unless the URL's declaration lets this user use it.

    API views (DRF) authenticate by token inside DRF, so their check is `DeclaredPermission`."""

    def __init__(self, get_response):
        from rest_framework.views import APIView  # not at import time: DRF's settings import this module

        self.get_response = get_response
        self.api_view = APIView

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        cls = getattr(view_func, "cls", None)
        if isinstance(cls, type) and issubclass(cls, self.api_view):
            return None  # DeclaredPermission, inside DRF
        match = request.resolver_match
        if _exempt(match):
            return None
        access = access_for(match)
        if access is None:
            raise PermissionDenied(UNDECLARED)
        if access.public:
            return None
        user = request.user
        if not user.is_authenticated:  # a login_not_required view that is not declared public
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        if not access.permits(user, request.method):
            raise PermissionDenied(access.denied)
        return None


class DeclaredPermission(BasePermission):
    """The API's default permission class: the declaration of the resolved URL name (401 signed out,
    403 with the declared reason for a role that may not use it, 403 for an undeclared URL)."""

    message = REFUSAL

    def has_permission(self, request, view):
        access = access_for(getattr(request, "resolver_match", None))
        if access is None:
            self.message = UNDECLARED
            return False
        if access.public:
            return True
        user = request.user
        if not (user and user.is_authenticated):
            return False  # DRF answers 401 when an authenticator could have signed the request in
        if not access.permits(user, request.method):
            self.message = access.denied
            return False
        return True
