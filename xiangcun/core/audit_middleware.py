"""Attribute the audit entries written while handling a request to its user and request id."""
import uuid

from . import audit


class AuditContextMiddleware:
    """Sets the audit context for the request (after RequestIdMiddleware and AuthenticationMiddleware).

    The user is read when an entry is written, so API requests authenticated by token inside the
    view are attributed too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # never the client's X-Request-Id: RequestIdMiddleware generated ours
        request_id = getattr(request, "request_id", None) or uuid.uuid4().hex
        with audit.context(request=request, request_id=request_id):
            return self.get_response(request)
