from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("xiangcun.core.urls")),
    path("accounts/", include("xiangcun.accounts.urls")),
    path("divisions/", include("xiangcun.divisions.urls")),
    path("assets/", include("xiangcun.assets.urls")),
    path("services/", include("xiangcun.services.urls")),
    path("indicators/", include("xiangcun.indicators.urls")),
    path("facilities/", include("xiangcun.facilities.urls")),
    path("api/v1/", include("xiangcun.api_urls")),
    path("admin/", admin.site.urls),
]

# Chinese error pages; JSON {"code", "message"} under /api/ (see core/errors.py). Used when DEBUG is off.
handler400 = "xiangcun.core.errors.bad_request"
handler403 = "xiangcun.core.errors.permission_denied"
handler404 = "xiangcun.core.errors.page_not_found"
handler500 = "xiangcun.core.errors.server_error"
