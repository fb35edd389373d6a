"""Sign-in (with an optional TOTP second factor) and user management within a jurisdiction."""
import io

import pyotp
import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import BACKEND_SESSION_KEY, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme

from xiangcun.core import audit
from xiangcun.core.pii import record_full_view

from .forms import OtpForm, UserForm
from .models import Role, User, managed_by

PENDING = "otp_pending_user"
# Who lands on the reform dashboard after signing in: the county and above. Township staff and
# village agents land on the workbench, with their queues.
DASHBOARD_ROLES = {Role.ADMIN, Role.REFORM_OFFICE, Role.DEPARTMENT, Role.ANALYST}


def landing_url(user) -> str:
    if user.role in DASHBOARD_ROLES and user.jurisdiction_id is not None:
        try:
            return reverse("indicators:dashboard")
        except NoReverseMatch:  # a deployment without the indicators module
            pass
    return reverse("core:home")


class LoginView(auth_views.LoginView):
    """Password first; a user with TOTP enabled then confirms a code before the session is theirs."""

    template_name = "accounts/login.html"

    def form_valid(self, form):
        user = self.signed_in = form.get_user()
        if not user.totp_enabled:
            return super().form_valid(form)
        self.request.session[PENDING] = {"id": user.pk, "backend": user.backend, "next": self.get_success_url()}
        return redirect("accounts:otp")

    def get_default_redirect_url(self):
        """Without a ?next=, the county lands on the reform dashboard, others on the workbench."""
        return landing_url(self.signed_in)


@login_not_required
def otp_verify(request):
    pending = request.session.get(PENDING)
    if not pending:
        return redirect("accounts:login")
    user = get_object_or_404(User, pk=pending["id"], is_active=True)
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if pyotp.TOTP(user.totp_secret).verify(form.cleaned_data["code"], valid_window=1):
            del request.session[PENDING]
            user.backend = pending["backend"]
            login(request, user)
            target = pending.get("next") or landing_url(user)
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                target = landing_url(user)
            return redirect(target)
        form.add_error("code", "动态口令不正确或已过期")
    return render(request, "accounts/otp.html", {"form": form, "user_name": user})


def otp_setup(request):
    """Administrators may turn on a TOTP second factor (any authenticator app)."""
    user = request.user
    if not user.is_administrator:
        raise PermissionDenied("动态口令仅供系统管理员启用")
    if request.method == "POST" and request.POST.get("action") == "disable":
        user.totp_enabled, user.totp_secret = False, ""
        user.save(update_fields=["totp_enabled", "totp_secret"])
        messages.success(request, "已关闭动态口令")
        return redirect("accounts:otp_setup")
    secret = request.session.get("otp_setup_secret") or pyotp.random_base32()
    request.session["otp_setup_secret"] = secret
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if pyotp.TOTP(secret).verify(form.cleaned_data["code"], valid_window=1):
            user.totp_secret, user.totp_enabled = secret, True
            user.save(update_fields=["totp_secret", "totp_enabled"])
            del request.session["otp_setup_secret"]
            messages.success(request, "已启用动态口令,下次登录时需输入")
            return redirect("accounts:otp_setup")
        form.add_error("code", "动态口令不正确,请核对手机时间后重试")
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name="xiangcun")
    buf = io.BytesIO()
    qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage).save(buf)
    return render(request, "accounts/otp_setup.html", {
        "form": form, "secret": secret, "qr_svg": buf.getvalue().decode(), "enabled": user.totp_enabled})


def _managed_users(request):
    """Users the manager may see: those whose jurisdiction lies in the manager's scope (administrators
    only for administrators; see accounts.models.managed_by)."""
    if not request.user.may_manage_users():
        raise PermissionDenied("您的角色不能管理用户")
    return managed_by(request.user)


def user_list(request):
    qs = _managed_users(request)
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(username__contains=q) | Q(display_name__contains=q) | Q(jurisdiction__name__contains=q))
    role = request.GET.get("role")
    if role in Role.values:
        qs = qs.filter(role=role)
    page = Paginator(qs.order_by("jurisdiction__path", "username"), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    roles = Role.choices if request.user.is_administrator else [c for c in Role.choices if c[0] != Role.ADMIN]
    return render(request, "accounts/users.html", {"page": page, "roles": roles, "query": query.urlencode()})


def user_edit(request, pk=None):
    managed = _managed_users(request)  # checks the role first, for a new user too
    user = get_object_or_404(managed, pk=pk) if pk else None
    old_phone = user.phone if user else ""  # the form writes into the instance as it validates
    form = UserForm(request.POST or None, instance=user, manager=request.user)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save()
            # neither the hash nor the (encrypted) phone number goes into the trail: named events say
            # that they changed, and who changed them
            if user is not None and form.cleaned_data.get("password"):
                audit.log_event(saved, "user.password_reset")
            if user is not None and saved.phone != old_phone:
                audit.log_event(saved, "user.phone_change")
        messages.success(request, f"已保存用户“{saved}”")
        return redirect("accounts:users")
    if user is not None and user.phone and request.method == "GET":
        record_full_view(request, user, "phone")  # the form shows the number in full
    return render(request, "accounts/user_form.html", {"form": form, "edited": user})


def user_phone(request, pk):
    """The full phone number, for managers only; every view is recorded in the audit trail."""
    user = get_object_or_404(_managed_users(request), pk=pk)
    record_full_view(request, user, "phone")
    return render(request, "accounts/_phone.html", {"phone": user.phone})
