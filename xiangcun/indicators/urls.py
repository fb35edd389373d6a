from django.urls import path

from . import views

app_name = "indicators"
urlpatterns = [
    path("", views.dashboard_view, name="dashboard"),
    path("report.docx", views.report, name="report"),
    path("print/", views.dashboard_print, name="print"),
    path("catalogue/", views.element_list, name="elements"),
    path("catalogue/new/", views.element_form, name="element_new"),
    path("catalogue/<int:pk>/", views.element_form, name="element_edit"),
    path("values/", views.value_overview, name="values"),
    path("values/export/", views.export, name="export"),
    path("values/import/", views.ValueImportView.as_view(), name="import"),
    path("entry/<int:pk>/<str:period>/", views.entry, name="entry"),
    path("unit/<int:pk>/", views.unit_page, name="unit"),
    path("collective/", views.collective, name="collective"),
    path("collective/<int:pk>/<int:year>/", views.collective_edit, name="collective_edit"),
    path("collective/threshold/", views.threshold, name="threshold"),
    path("collective/export/", views.collective_export, name="collective_export"),
    path("collective/import/", views.CollectiveImportView.as_view(), name="collective_import"),
    path("targets/", views.targets, name="targets"),
    path("targets/new/", views.target_form, name="target_new"),
    path("targets/<int:pk>/", views.target_form, name="target_edit"),
]
