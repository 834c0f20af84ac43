from django.urls import path

from vigie.core.api import views

app_name = "core-api"
urlpatterns = [
    path("me/", views.MeView.as_view(), name="me"),
    path("organisations/", views.OrganisationList.as_view(), name="organisations"),
    path("organisations/<slug:code>/members/", views.OrganisationMembers.as_view(), name="members"),
    path(
        "organisations/<slug:code>/members/<id:user_id>/roles/",
        views.MemberRoles.as_view(),
        name="member-roles",
    ),
    path("audit/changes/", views.ChangeLog.as_view(), name="changes"),
    path("audit/access/", views.AccessLog.as_view(), name="access"),
    path("tokens/", views.TokenList.as_view(), name="tokens"),
    path("tokens/<id:pk>/", views.TokenRevoke.as_view(), name="token-revoke"),
    path("grants/", views.GrantList.as_view(), name="grants"),
    path("grants/<id:pk>/approve/", views.GrantApprove.as_view(), name="grant-approve"),
    path("grants/<id:pk>/refuse/", views.GrantRefuse.as_view(), name="grant-refuse"),
    path("jobs/", views.JobList.as_view(), name="jobs"),
    path("jobs/<uuid:pk>/", views.JobDetail.as_view(), name="job"),
    path("jobs/<uuid:pk>/cancel/", views.JobCancel.as_view(), name="job-cancel"),
    path("jobs/<uuid:pk>/retry/", views.JobRetry.as_view(), name="job-retry"),
]
