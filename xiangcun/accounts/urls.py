from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", login_not_required(views.LoginView.as_view()), name="login"),
    path("login/otp/", views.otp_verify, name="otp"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("otp/", views.otp_setup, name="otp_setup"),
    path("users/", views.user_list, name="users"),
    path("users/new/", views.user_edit, name="user_new"),
    path("users/<int:pk>/", views.user_edit, name="user_edit"),
    path("users/<int:pk>/phone/", views.user_phone, name="user_phone"),
    path("users/<int:pk>/tokens/revoke/", views.user_tokens_revoke, name="user_tokens_revoke"),
    path("users/<int:pk>/otp/reset/", views.user_otp_reset, name="user_otp_reset"),
    path("me/", views.me, name="me"),
]
