from django.urls import path

from . import views

app_name = "assets"
urlpatterns = [
    path("", views.asset_list, name="list"),
    path("export.xlsx", views.asset_export, name="export"),
    path("map/", views.asset_map, name="map"),
    path("new/", views.asset_new, name="new"),
    path("import/", views.asset_import, name="import"),
    path("import/template.xlsx", views.asset_template, name="template"),
    path("custody/refresh/", views.refresh_custody, name="refresh_custody"),
    path("<int:pk>/", views.asset_detail, name="detail"),
    path("<int:pk>/edit/", views.asset_edit, name="edit"),
    path("<int:pk>/transition/", views.asset_transition, name="transition"),
    path("<int:pk>/delete/", views.asset_delete, name="delete"),
    path("<int:pk>/restore/", views.asset_restore, name="restore"),
    path("deleted/", views.deleted_list, name="deleted"),
    path("<int:pk>/attachments/", views.asset_attach, name="attach"),
    path("<int:pk>/plan/", views.plan_new, name="plan_new"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("plans/<int:pk>/decide/", views.plan_decide, name="plan_decide"),
    path("plans/<int:pk>/outcome/", views.plan_outcome, name="plan_outcome"),
    path("plans/<int:pk>/deliberation/", views.plan_deliberation, name="plan_deliberation"),
    path("campaigns/", views.campaign_list, name="campaigns"),
    path("campaigns/new/", views.campaign_new, name="campaign_new"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign"),
    path("campaigns/<int:pk>/check/", views.campaign_check, name="campaign_check"),
    path("campaigns/<int:pk>/close/", views.campaign_close, name="campaign_close"),
    path("campaigns/<int:pk>/export.xlsx", views.campaign_export, name="campaign_export"),
    path("stats/", views.stats_page, name="stats"),
    path("stats/export.xlsx", views.stats_export, name="stats_export"),
]
