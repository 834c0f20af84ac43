from django.urls import path

from vigie.collection.api import views

app_name = "collection-api"
urlpatterns = [
    path("collection/forms/", views.FormsView.as_view(), name="forms"),
    path(
        "collection/forms/<str:form_id>/publications/<slug:org>/close/",
        views.PublicationStateView.as_view(),
        {"is_open": False},
        name="close",
    ),
    path(
        "collection/forms/<str:form_id>/publications/<slug:org>/reopen/",
        views.PublicationStateView.as_view(),
        {"is_open": True},
        name="reopen",
    ),
    path("collection/imports/", views.ImportsView.as_view(), name="imports"),
    path("collection/devices/", views.DevicesView.as_view(), name="devices"),
    path("collection/devices/<id:pk>/revoke/", views.RevokeView.as_view(), name="revoke"),
    path("collection/submissions/", views.SubmissionsView.as_view(), name="submissions"),
    path("collection/submissions/<uuid:uuid>/", views.SubmissionView.as_view(), name="submission"),
    path(
        "collection/submissions/<uuid:uuid>/<str:decision>/",
        views.DecideView.as_view(),
        name="decide",
    ),
]
