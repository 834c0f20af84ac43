from django.urls import path

from vigie.core import views

app_name = "core"
urlpatterns = [
    path("account/", views.AccountView.as_view(), name="account"),
    path("admin/users/", views.OrganisationUsersView.as_view(), name="users"),
    path("admin/orgs/<slug:code>/users/", views.OrganisationUsersView.as_view(), name="org-users"),
    path("admin/orgs/<slug:code>/users/<id:user_id>/", views.MemberView.as_view(), name="member"),
    path("admin/orgs/<slug:code>/sharing/", views.SharingView.as_view(), name="sharing"),
    path("admin/grants/", views.GrantsView.as_view(), name="grants"),
    path("admin/organisations/", views.OrganisationsView.as_view(), name="organisations"),
    path("audit/", views.AuditView.as_view(), name="audit"),
    path("jobs/", views.JobsView.as_view(), name="jobs"),
    path("jobs/<uuid:pk>/", views.JobView.as_view(), name="job"),
]
