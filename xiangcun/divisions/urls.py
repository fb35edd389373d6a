from django.urls import path

from . import views

app_name = "divisions"
urlpatterns = [
    path("", views.division_list, name="list"),
    path("export.xlsx", views.division_export, name="export"),
    path("<int:pk>/", views.division_detail, name="detail"),
    path("<int:pk>/lineage.json", views.division_lineage, name="lineage"),
    path("<int:pk>/children/", views.division_children, name="children"),
    path("<int:pk>/groups/add/", views.group_add, name="group_add"),
    path("<int:pk>/groups/import/", views.group_import, name="group_import"),
    path("groups/template.xlsx", views.group_template, name="group_template"),
    path("events/", views.event_list, name="events"),
    path("events/new/", views.event_new, name="event_new"),
    path("events/import/", views.event_import, name="event_import"),
    path("events/template.xlsx", views.event_template, name="event_template"),
    path("stats/", views.stats_page, name="stats"),
    path("map/", views.map_page, name="map"),
    path("geojson/", views.geojson, name="geojson"),
    path("editions/", views.edition_list, name="editions"),
    path("baseline/", views.baseline, name="baseline"),
    path("reconcile/", views.run_list, name="runs"),
    path("reconcile/<int:pk>/", views.run_detail, name="run"),
    path("proposals/<int:pk>/decide/", views.proposal_decide, name="proposal_decide"),
]
