from django.urls import path

from . import views

app_name = "prereview"
urlpatterns = [
    path("", views.application_list, name="list"),
    path("export/", views.application_export, name="export"),
    path("stats/", views.stats, name="stats"),
    path("stats/export/", views.stats_export, name="stats_export"),
    path("new/", views.application_new, name="new"),
    path("<int:pk>/", views.application_detail, name="detail"),
    path("<int:pk>/review/<str:aspect>/", views.review, name="review"),
    path("<int:pk>/approve/", views.application_approve, name="approve"),
]
