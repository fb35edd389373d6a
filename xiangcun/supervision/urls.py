from django.urls import path

from . import views

app_name = "supervision"
urlpatterns = [
    path("", views.task_list, name="list"),
    path("export/", views.task_export, name="export"),
    path("progress.xlsx", views.progress_sheet, name="progress"),
    path("import/", views.TaskImportView.as_view(), name="import"),
    path("rounds/", views.rounds, name="rounds"),
    path("ranking/", views.ranking, name="ranking"),
    path("new/", views.task_new, name="new"),
    path("scheme/", views.scheme, name="scheme"),
    path("ranking/publish/", views.publish, name="publish"),
    path("bulletin.docx", views.bulletin, name="bulletin"),
    path("<int:pk>/", views.task_detail, name="detail"),
    path("<int:pk>/edit/", views.task_edit, name="edit"),
    path("<int:pk>/report/", views.report_form, name="report"),
    path("<int:pk>/milestone/", views.milestone_new, name="milestone_new"),
    path("<int:pk>/remind/", views.remind, name="remind"),
    path("<int:pk>/notice/", views.notice_new, name="notice_new"),
    path("<int:pk>/escalate/", views.escalate, name="escalate"),
    path("<int:pk>/close/", views.close, name="close"),
    path("reports/<int:pk>/review/", views.review, name="review"),
    path("evidence/<int:pk>/", views.evidence, name="evidence"),
    path("notices/<int:pk>/reply/", views.notice_reply, name="notice_reply"),
    path("notices/<int:pk>/docx/", views.notice_docx, name="notice_docx"),
]
