"""A session whose user has a second factor counts only once that factor was confirmed in it."""
from django.contrib.auth import logout

from .otp import VERIFIED


class SecondFactorMiddleware:
    """Whatever signed the session in (the Django admin site's own login form, any other login view),
    a user with TOTP enabled who has not confirmed a code in this session is signed out again: they
    reach no page, no admin page and no session-authenticated API call without the code."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.totp_enabled \
                and request.session.get(VERIFIED) != user.pk:
            logout(request)  # also sets request.user to AnonymousUser
        return self.get_response(request)
