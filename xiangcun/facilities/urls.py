from django.urls import path

from . import views

app_name = "facilities"
urlpatterns = [
    path("", views.home, name="home"),
    path("list/", views.facility_list, name="list"),
    path("list/export/", views.facility_export, name="export"),
    path("list/import/", views.FacilityImportView.as_view(), name="import"),
    path("grades/import/", views.GradeImportView.as_view(), name="grade_import"),
    path("grades/export/", views.grade_export, name="grade_export"),
    path("new/", views.facility_form, name="new"),
    path("<int:pk>/", views.facility_detail, name="detail"),
    path("<int:pk>/edit/", views.facility_form, name="edit"),
    path("<int:pk>/grades/", views.facility_grades, name="grades"),
    path("demand/", views.demand, name="demand"),
    path("demand/export/", views.demand_export, name="demand_export"),
    path("demand/import/", views.CohortImportView.as_view(), name="demand_import"),
    path("demand/<int:pk>/<int:year>/", views.demand_entry, name="demand_entry"),
    path("travel/", views.travel_page, name="travel"),
    path("travel/roads.geojson", views.roads, name="roads"),
    path("candidates/new/", views.candidate_new, name="candidate_new"),
    path("candidates/assets/", views.candidate_assets, name="candidate_assets"),
    path("rules/", views.rule_list, name="rules"),
    path("scenarios/", views.scenario_list, name="scenarios"),
    path("scenarios/new/", views.scenario_form, name="scenario_new"),
    path("scenarios/compare/", views.scenario_compare, name="compare"),
    path("scenarios/<int:pk>/", views.scenario_detail, name="scenario"),
    path("scenarios/<int:pk>/edit/", views.scenario_form, name="scenario_edit"),
    path("scenarios/<int:pk>/run/", views.scenario_run, name="scenario_run"),
    path("scenarios/<int:pk>/adopt/", views.scenario_adopt, name="scenario_adopt"),
    path("scenarios/<int:pk>/export/", views.scenario_export, name="scenario_export"),
    path("scenarios/<int:pk>/print/", views.scenario_print, name="scenario_print"),
]
