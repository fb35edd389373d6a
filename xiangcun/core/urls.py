from django.urls import path

from . import audit_views, views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("jobs/", views.job_list, name="jobs"),
    path("jobs/<int:pk>/", views.job_detail, name="job"),
    path("jobs/<int:pk>/progress/", views.job_progress, name="job_progress"),
    path("audit/", audit_views.audit_log, name="audit_log"),
    path("audit/history/<str:model>/<int:pk>/", audit_views.history, name="audit_history"),
]
