from django.urls import path

from . import views

app_name = "care"
urlpatterns = [
    path("", views.care_stats, name="stats"),
    path("people/", views.person_list, name="list"),
    path("people/export/", views.person_export, name="export"),
    path("people/import/", views.PersonImportView.as_view(), name="import"),
    path("people/new/", views.person_form, name="new"),
    path("people/<int:pk>/", views.person_detail, name="detail"),
    path("people/<int:pk>/edit/", views.person_form, name="edit"),
    path("people/<int:pk>/end/", views.person_end, name="end"),
    path("people/<int:pk>/visit/", views.visit_new, name="visit_new"),
    path("people/<int:pk>/refer/", views.refer, name="refer"),
    path("visits/", views.visits_due, name="visits_due"),
    path("referrals/", views.referral_list, name="referrals"),
    path("referrals/<int:pk>/", views.referral_detail, name="referral"),
    path("rules/", views.rules, name="rules"),
]
