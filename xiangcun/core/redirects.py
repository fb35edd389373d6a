"""Going back to where the user came from (?next= or a posted `next`), never to another site."""
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request, fallback: str) -> str:
    """The posted (or queried) `next` if it points into this site, else `fallback`.

    `url_has_allowed_host_and_scheme` refuses what a bare startswith("/") check lets through:
    "//evil.example", "/\\evil.example" (browsers read it as //), "https://evil.example", "javascript:…".
    """
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return fallback


def redirect_next(request, fallback: str):
    return redirect(safe_next(request, fallback))
