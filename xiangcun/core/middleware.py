import logging
import re
import uuid

logger = logging.getLogger("xiangcun.request")

# What a client may send as its own correlation id: kept for the logs only, never trusted as ours.
_CLIENT_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


class RequestIdMiddleware:
    """Give every request an id of our own (kept on the request and echoed in `X-Request-Id`) for the audit trail.

    The id is always generated here: a client-supplied `X-Request-Id` is never used as it, or one user's
    audit entries could share another's id. The client's value, if well-formed, is kept apart as
    `request.client_request_id`, echoed in `X-Client-Request-Id` and logged beside ours."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = uuid.uuid4().hex
        supplied = request.headers.get("X-Request-Id", "")
        request.client_request_id = supplied if _CLIENT_ID.fullmatch(supplied) else ""
        if request.client_request_id:
            logger.info("request %s carries client id %s", request.request_id, request.client_request_id,
                        extra={"request_id": request.request_id, "client_request_id": request.client_request_id})
        response = self.get_response(request)
        response["X-Request-Id"] = request.request_id
        if request.client_request_id:
            response["X-Client-Request-Id"] = request.client_request_id
        return response


class SecurityHeadersMiddleware:
    """A Content Security Policy that allows no outside origin, and related headers, on every response.

    It is the outermost middleware, so responses made by other middleware (django-axes' lock-out page,
    CSRF failures, the error pages, WhiteNoise's static files) carry the headers too."""

    def __init__(self, get_response):
        from django.conf import settings

        self.get_response = get_response
        self.policy = settings.CONTENT_SECURITY_POLICY
        self.headers = {
            "Content-Security-Policy": self.policy,
            "X-Content-Type-Options": "nosniff",
            "X-Frame-Options": getattr(settings, "X_FRAME_OPTIONS", "DENY"),
            "Referrer-Policy": getattr(settings, "SECURE_REFERRER_POLICY", None) or "same-origin",
            "Cross-Origin-Opener-Policy": "same-origin",
            "Permissions-Policy": "geolocation=(), camera=(), microphone=()",
        }

    def __call__(self, request):
        response = self.get_response(request)
        for name, value in self.headers.items():
            response.setdefault(name, value)
        return response


class BadParameterMiddleware:
    """A query parameter refused by core.params answers 400 with its Chinese reason (JSON under /api/)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from .errors import bad_request
        from .params import BadParameter

        # A NUL character is never meaningful in a parameter, and PostgreSQL cannot even compare against
        # one (psycopg refuses the query): refuse it here, once, for every page and API.
        for name, values in request.GET.lists():
            if "\x00" in name or any("\x00" in v for v in values):
                return bad_request(request, BadParameter(name.replace("\x00", "\\0"), "", "含有不允许的空字符(\\0)"))
        return self.get_response(request)

    def process_exception(self, request, exception):
        from .errors import bad_request
        from .params import BadParameter

        if isinstance(exception, BadParameter):
            return bad_request(request, exception)
        return None
