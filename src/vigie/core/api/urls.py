from django.urls import path

from vigie.core.api import views

app_name = "core-api"
urlpatterns = [
    path("me/", views.MeView.as_view(), name="me"),
    path("organisations/", views.OrganisationList.as_view(), name="organisations"),
    path("organisations/<slug:code>/members/", views.OrganisationMembers.as_view(), name="members"),
    path(
        "organisations/<slug:code>/members/<int:user_id>/roles/",
        views.MemberRoles.as_view(),
        name="member-roles",
    ),
    path("audit/changes/", views.ChangeLog.as_view(), name="changes"),
    path("audit/access/", views.AccessLog.as_view(), name="access"),
    path("tokens/", views.TokenList.as_view(), name="tokens"),
    path("tokens/<int:pk>/", views.TokenRevoke.as_view(), name="token-revoke"),
]
