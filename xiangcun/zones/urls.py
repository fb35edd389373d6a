from django.urls import path

from . import views

app_name = "zones"
urlpatterns = [
    path("", views.scheme_list, name="list"),
    path("propose/", views.propose, name="propose"),
    path("<int:pk>/", views.scheme_detail, name="scheme"),
    path("<int:pk>/geojson/", views.scheme_geojson, name="geojson"),
    path("<int:pk>/move/", views.move, name="move"),
    path("<int:pk>/export.xlsx", views.export, name="export"),
    path("designations/", views.designations, name="designations"),
    path("designations/export.xlsx", views.designations_export, name="designations_export"),
    path("plans/", views.plan_register, name="plans"),
    path("plans/coverage.xlsx", views.plans_export, name="plans_export"),
    path("plans/export.xlsx", views.plan_list_export, name="plan_list_export"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("farmland/", views.farmland_targets, name="farmland"),
    path("farmland/export.xlsx", views.farmland_export, name="farmland_export"),
    path("farmland/import/", views.FarmlandImportView.as_view(), name="farmland_import"),
    path("patches/", views.patches, name="patches"),
    path("patches/export.xlsx", views.patches_export, name="patches_export"),
    path("patches/<int:pk>/", views.patch_detail, name="patch"),
    path("patches/<int:pk>/evidence/", views.patch_evidence, name="patch_evidence"),
]
