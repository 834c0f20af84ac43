from django.urls import path

from vigie.evidence import views

app_name = "evidence"
urlpatterns = [
    path("evidence/", views.ItemListView.as_view(), name="items"),
    path("evidence/add/", views.AddView.as_view(), name="add"),
    path("evidence/export/", views.ExportView.as_view(), name="export"),
    path("evidence/exports/<uuid:pk>/", views.ExportJobView.as_view(), name="export-job"),
    path(
        "evidence/exports/<uuid:pk>/download/",
        views.ExportDownloadView.as_view(),
        name="export-download",
    ),
    path("evidence/approvals/<id:pk>/approve/", views.ApproveView.as_view(), name="approve"),
    path("evidence/<uuid:uuid>/", views.ItemDetailView.as_view(), name="item"),
    path("evidence/<uuid:uuid>/download/", views.ItemDownloadView.as_view(), name="download"),
    path("evidence/<uuid:uuid>/seal/", views.ItemSealView.as_view(), name="seal"),
    path("evidence/<uuid:uuid>/release/", views.ItemReleaseView.as_view(), name="release"),
    path("evidence/<uuid:uuid>/request/", views.ItemRequestView.as_view(), name="request"),
]
