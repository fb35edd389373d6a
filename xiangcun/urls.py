from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("xiangcun.core.urls")),
    path("accounts/", include("xiangcun.accounts.urls")),
    path("divisions/", include("xiangcun.divisions.urls")),
    path("api/v1/", include("xiangcun.api_urls")),
    path("admin/", admin.site.urls),
]
