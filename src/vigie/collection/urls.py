from django.urls import path

from vigie.collection import mapping_views, openrosa, views

app_name = "collection"
urlpatterns = [
    path("collection/forms/", views.FormsView.as_view(), name="forms"),
    path("collection/imports/", views.ImportView.as_view(), name="import"),
    path("collection/imports/<uuid:pk>/", views.ImportReportView.as_view(), name="import-report"),
    path(
        "collection/forms/<slug:org>/<str:form_id>/mapping/",
        mapping_views.MappingEditorView.as_view(),
        name="mapping",
    ),
    path(
        "collection/forms/<slug:org>/<str:form_id>/close/",
        views.PublicationStateView.as_view(),
        {"is_open": False},
        name="close",
    ),
    path(
        "collection/forms/<slug:org>/<str:form_id>/reopen/",
        views.PublicationStateView.as_view(),
        {"is_open": True},
        name="reopen",
    ),
    path("collection/devices/", views.DevicesView.as_view(), name="devices"),
    path("collection/devices/<id:pk>/revoke/", views.RevokeView.as_view(), name="revoke"),
    path("collection/submissions/", views.QueueView.as_view(), name="queue"),
    path("collection/submissions/<uuid:uuid>/", views.SubmissionView.as_view(), name="submission"),
    path("collection/submissions/<uuid:uuid>/merge/", views.MergeView.as_view(), name="merge"),
    path(
        "collection/submissions/<uuid:uuid>/<str:decision>/",
        views.DecideView.as_view(),
        name="decide",
    ),
    # OpenRosa 1.0: the device's server URL is /collect/<organisation code>
    path("collect/<slug:org>/formList", openrosa.form_list, name="or-forms"),
    path("collect/<slug:org>/forms/<str:form_id>/form.xml", openrosa.form_xml, name="or-form"),
    path("collect/<slug:org>/forms/<str:form_id>/manifest", openrosa.manifest, name="or-manifest"),
    path("collect/<slug:org>/submission", openrosa.submission, name="or-submission"),
]
