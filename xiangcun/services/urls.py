from django.urls import path

from . import views

app_name = "services"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("cases/new/", views.case_new, name="case_new"),
    path("cases/export.xlsx", views.case_export, name="case_export"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("cases/<int:pk>/transition/", views.case_transition, name="case_transition"),
    path("cases/<int:pk>/resident/", views.case_pii, name="case_pii"),
    path("items/", views.item_list, name="items"),
    path("items/export.xlsx", views.item_export, name="item_export"),
    path("items/import/", views.item_import, name="item_import"),
    path("items/import/template.xlsx", views.item_template, name="item_template"),
    path("items/<int:pk>/", views.item_detail, name="item"),
    path("lists/", views.list_index, name="lists"),
    path("lists/new/", views.list_new, name="list_new"),
    path("lists/<int:pk>/", views.list_detail, name="list"),
    path("lists/<int:pk>/export.xlsx", views.list_export, name="list_export"),
    path("lists/<int:pk>/new-version/", views.list_version, name="list_version"),
    path("network/", views.network, name="network"),
    path("network/export.xlsx", views.network_export, name="network_export"),
    path("network/points/new/", views.point_form, name="point_new"),
    path("network/points/<int:pk>/", views.point_form, name="point_edit"),
    path("network/points/<int:pk>/active/", views.point_active, name="point_active"),
    path("holidays/", views.holidays, name="holidays"),
    path("measures/", views.measures, name="measures"),
    path("measures/export.xlsx", views.measures_export, name="measures_export"),
]
