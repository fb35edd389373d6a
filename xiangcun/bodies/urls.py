from django.urls import path

from . import views

app_name = "bodies"
urlpatterns = [
    path("", views.body_list, name="list"),
    path("export/", views.body_export, name="export"),
    path("import/", views.BodyImportView.as_view(), name="import"),
    path("new/", views.body_form, name="new"),
    path("<int:pk>/", views.body_detail, name="detail"),
    path("<int:pk>/edit/", views.body_form, name="edit"),
]
