from django.urls import path

from . import views

app_name = "collective"
urlpatterns = [
    path("", views.org_list, name="list"),
    path("export/", views.org_export, name="export"),
    path("import/", views.OrganisationImportView.as_view(), name="import"),
    path("new/", views.org_form, name="new"),
    path("villages/", views.village_economy, name="villages"),
    path("accounts/import/", views.AccountImportView.as_view(), name="account_import"),
    path("members/import/", views.MemberImportView.as_view(), name="member_import"),
    path("members/export/", views.member_export, name="member_export"),
    path("integrations/", views.integration_list, name="integrations"),
    path("integrations/new/", views.integration_new, name="integration_new"),
    path("integrations/export/", views.integration_export, name="integration_export"),
    path("integrations/import/", views.IntegrationImportView.as_view(), name="integration_import"),
    path("integrations/<int:pk>/", views.integration_detail, name="integration"),
    path("<int:pk>/", views.org_detail, name="detail"),
    path("<int:pk>/edit/", views.org_form, name="edit"),
    path("<int:pk>/members/", views.members_full, name="members_full"),
]
