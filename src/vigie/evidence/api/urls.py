from django.urls import path

from vigie.evidence.api import views

app_name = "evidence-api"
urlpatterns = [
    path("evidence/items/", views.ItemList.as_view(), name="items"),
    path("evidence/items/<uuid:uuid>/", views.ItemDetail.as_view(), name="item"),
    path("evidence/items/<uuid:uuid>/content/", views.ItemContent.as_view(), name="item-content"),
    path("evidence/items/<uuid:uuid>/custody/", views.ItemCustody.as_view(), name="item-custody"),
    path("evidence/items/<uuid:uuid>/verify/", views.ItemVerify.as_view(), name="item-verify"),
    path("evidence/items/<uuid:uuid>/seal/", views.ItemSeal.as_view(), name="item-seal"),
    path("evidence/items/<uuid:uuid>/release/", views.ItemRelease.as_view(), name="item-release"),
    path(
        "evidence/items/<uuid:uuid>/access-requests/",
        views.ItemAccessRequest.as_view(),
        name="item-access-request",
    ),
    path(
        "evidence/items/<uuid:uuid>/transfer/", views.ItemTransfer.as_view(), name="item-transfer"
    ),
    path("evidence/access-requests/", views.ApprovalList.as_view(), name="approvals"),
    path(
        "evidence/access-requests/<id:pk>/approve/",
        views.ApprovalApprove.as_view(),
        name="approval-approve",
    ),
    path("evidence/log/", views.LogHead.as_view(), name="log"),
    path("evidence/log/consistency/", views.LogConsistency.as_view(), name="log-consistency"),
    path("evidence/uploads/", views.UploadStart.as_view(), name="uploads"),
    path("evidence/uploads/<uuid:uuid>/", views.UploadChunk.as_view(), name="upload"),
    path(
        "evidence/uploads/<uuid:uuid>/complete/",
        views.UploadComplete.as_view(),
        name="upload-complete",
    ),
    path("evidence/cases/<str:case>/export/", views.CaseExport.as_view(), name="case-export"),
    path(
        "evidence/exports/<uuid:pk>/download/",
        views.ExportDownload.as_view(),
        name="export-download",
    ),
]
