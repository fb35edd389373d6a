from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path

from xiangcun.accounts.views import admin_login

urlpatterns = [
    path("", include("xiangcun.core.urls")),
    path("", include("xiangcun.workbench.urls")),
    path("accounts/", include("xiangcun.accounts.urls")),
    path("divisions/", include("xiangcun.divisions.urls")),
    path("bodies/", include("xiangcun.bodies.urls")),
    path("supervision/", include("xiangcun.supervision.urls")),
    path("assets/", include("xiangcun.assets.urls")),
    path("services/", include("xiangcun.services.urls")),
    path("indicators/", include("xiangcun.indicators.urls")),
    path("facilities/", include("xiangcun.facilities.urls")),
    path("zones/", include("xiangcun.zones.urls")),
    path("prereview/", include("xiangcun.prereview.urls")),
    path("care/", include("xiangcun.care.urls")),
    path("collective/", include("xiangcun.collective.urls")),
    path("governance/", include("xiangcun.governance.urls")),
    path("api/v1/", include("xiangcun.api_urls")),
    # the admin site signs in through the platform's login (password, then the second factor if enabled)
    path("admin/login/", login_not_required(admin_login), name="admin_login"),
    path("admin/", admin.site.urls),
]

# Chinese error pages; JSON {"code", "message"} under /api/ (see core/errors.py). Used when DEBUG is off.
handler400 = "xiangcun.core.errors.bad_request"
handler403 = "xiangcun.core.errors.permission_denied"
handler404 = "xiangcun.core.errors.page_not_found"
handler500 = "xiangcun.core.errors.server_error"
