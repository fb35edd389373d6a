"""Sign-in (with an optional TOTP second factor) and user management within a jurisdiction."""
import base64
import io
import secrets

import pyotp
import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from xiangcun.core import audit, params
from xiangcun.core.paging import CappedPaginator
from xiangcun.core.pii import record_full_view

from . import otp, tokens
from .forms import OtpForm, UserForm
from .models import ApiToken, Role, User
from .permissions import managed_by

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
    return reverse("workbench:home")


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
        try:
            otp.check_code(user, form.cleaned_data["code"])
        except otp.OtpError as exc:
            form.add_error("code", exc.message)
        else:
            del request.session[PENDING]
            user.backend = pending["backend"]
            login(request, user)
            otp.mark_verified(request, user)
            target = pending.get("next") or landing_url(user)
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                target = landing_url(user)
            return redirect(target)
    return render(request, "accounts/otp.html", {"form": form, "user_name": user})


def otp_setup(request):
    """Administrators may turn on a TOTP second factor (any authenticator app); turning it off takes a
    current code (or an administrator's reset on the user's page)."""
    user = request.user
    if user.totp_enabled:
        form = OtpForm(request.POST or None)
        if request.method == "POST" and request.POST.get("action") == "disable" and form.is_valid():
            try:
                otp.check_code(user, form.cleaned_data["code"])
            except otp.OtpError as exc:
                form.add_error("code", exc.message)
            else:
                otp.reset(user)
                messages.success(request, "已关闭动态口令")
                return redirect("accounts:otp_setup")
        elif request.method == "POST" and not form.errors:
            form.add_error("code", "关闭动态口令需要输入当前的动态口令")
        return render(request, "accounts/otp_setup.html", {"form": form, "enabled": True})
    secret = request.session.get("otp_setup_secret") or pyotp.random_base32()
    request.session["otp_setup_secret"] = secret
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            otp.check_code(user, form.cleaned_data["code"], secret=secret)
        except otp.OtpError as exc:
            form.add_error("code", exc.message)
        else:
            user.totp_secret, user.totp_enabled = secret, True
            user.save(update_fields=["totp_secret", "totp_enabled"])
            otp.mark_verified(request, user)  # this session proved the code; it stays signed in
            del request.session["otp_setup_secret"]
            messages.success(request, "已启用动态口令,下次登录时需输入")
            return redirect("accounts:otp_setup")
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name="xiangcun")
    buf = io.BytesIO()
    qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage).save(buf)
    return render(request, "accounts/otp_setup.html", {
        "form": form, "secret": secret, "qr_src": "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue()).decode(), "enabled": False})


def me(request):
    """The signed-in user's own page: their API tokens (created, last used, expires), issue and 撤销."""
    user = User.objects.get(pk=request.user.pk)  # the model instance (the audit trail keys on its class)
    new_key = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "issue":
            # each page carries a one-time form id: refreshing the page that showed a new key (the browser posts the
            # form again) must not issue a second token, and the key itself is never kept anywhere to show it again
            pending = request.session.get(ISSUE_FORMS, [])
            form_id = request.POST.get("form_id", "")
            if form_id not in pending:
                messages.warning(request, "这次签发已经完成(刷新页面不会再签发新令牌);如需新令牌,请再点“签发新令牌”。")
                return redirect("accounts:me")
            request.session[ISSUE_FORMS] = [f for f in pending if f != form_id]
            token, new_key = tokens.issue(user, actor=user)
            messages.success(request, "已签发新的接口令牌。请立即复制保存:离开本页后将无法再次查看。")
        elif action == "revoke":
            token = get_object_or_404(ApiToken, pk=_int_or_404(request.POST.get("token")), user=user)
            if tokens.revoke(token, ApiToken.Revoked.OWNER, actor=user):
                messages.success(request, f"已撤销令牌 {token}")
            return redirect("accounts:me")
        else:
            return redirect("accounts:me")
    form_id = secrets.token_urlsafe(16)
    request.session[ISSUE_FORMS] = (request.session.get(ISSUE_FORMS, []) + [form_id])[-5:]
    response = render(request, "accounts/me.html", {
        "tokens": user.api_tokens.all()[:100], "new_key": new_key, "token_days": settings.TOKEN_DAYS, "form_id": form_id})
    response["Cache-Control"] = "no-store"  # a new key must not be kept in the browser's cache either
    return response


ISSUE_FORMS = "token_issue_forms"  # the session's open 签发新令牌 forms (one-time ids)


def _int_or_404(value) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise Http404("没有这个令牌") from None
    if not 0 < number < 2**31:
        raise Http404("没有这个令牌")
    return number


def admin_login(request):
    """The Django admin site's own login form would take the password alone: send it to ours."""
    from django.contrib.auth.views import redirect_to_login

    target = request.GET.get("next") or reverse("admin:index")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("admin:index")
    return redirect_to_login(target, reverse("accounts:login"))


def _managed_users(request):
    """Users the manager may see: those whose jurisdiction lies in the manager's scope (administrators
    only for administrators; see accounts.models.managed_by). Who manages at all: permissions.URLS."""
    return managed_by(request.user)


def user_list(request):
    qs = _managed_users(request)
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(username__contains=q) | Q(display_name__contains=q) | Q(jurisdiction__name__contains=q))
    role = request.GET.get("role")
    if role in Role.values:
        qs = qs.filter(role=role)
    page = CappedPaginator(qs.order_by("jurisdiction__path", "username"), 50).get_page(params.get_page(request.GET))
    query = request.GET.copy()
    query.pop("page", None)
    roles = Role.choices if request.user.is_administrator else [c for c in Role.choices if c[0] != Role.ADMIN]
    return render(request, "accounts/users.html", {"page": page, "roles": roles, "query": query.urlencode()})


def user_edit(request, pk=None):
    managed = _managed_users(request)
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
    return render(request, "accounts/user_form.html", {
        "form": form, "edited": user, "tokens": user.api_tokens.all()[:100] if user else [],
        "may_reset_otp": user is not None and user.totp_enabled and request.user.is_administrator})


@require_POST
def user_tokens_revoke(request, pk):
    """A manager revokes every API token of a user they manage (audited)."""
    user = get_object_or_404(_managed_users(request), pk=pk)
    count = tokens.revoke_all(user, ApiToken.Revoked.ADMIN, actor=request.user)
    messages.success(request, f"已撤销用户“{user}”的 {count} 个接口令牌" if count else f"用户“{user}”没有有效的接口令牌")
    return redirect("accounts:user_edit", pk=user.pk)


@require_POST
def user_otp_reset(request, pk):
    """An administrator turns off a user's second factor (a lost phone); recorded in the audit trail."""
    user = get_object_or_404(_managed_users(request), pk=pk)
    if user.totp_enabled:
        with transaction.atomic():
            otp.reset(user)
            audit.log_event(user, "user.otp_reset")
        messages.success(request, f"已重置用户“{user}”的动态口令,其下次登录只需密码,可重新启用")
    return redirect("accounts:user_edit", pk=user.pk)


def user_phone(request, pk):
    """The full phone number, for managers only; every view is recorded in the audit trail."""
    user = get_object_or_404(_managed_users(request), pk=pk)
    record_full_view(request, user, "phone")
    return render(request, "accounts/_phone.html", {"phone": user.phone})
