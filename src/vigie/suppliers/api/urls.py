from django.urls import path

from vigie.suppliers.api import views

app_name = "suppliers-api"
urlpatterns = [
    path("suppliers/", views.SuppliersView.as_view(), name="suppliers"),
    path("suppliers/<id:pk>/", views.SupplierView.as_view(), name="supplier"),
    path("suppliers/<id:pk>/invitations/", views.InviteView.as_view(), name="invite"),
    path("suppliers/import/", views.ImportView.as_view(), name="import"),
    path("suppliers/alerts/", views.AlertsView.as_view(), name="alerts"),
    path("suppliers/alerts/<id:pk>/review/", views.ReviewView.as_view(), name="review"),
    path("suppliers/dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("suppliers/export/", views.ExportView.as_view(), name="export"),
    path("suppliers/answer/<str:token>/", views.AnswerView.as_view(), name="answer"),
    path(
        "suppliers/answer/<str:token>/files/", views.AnswerFileView.as_view(), name="answer-files"
    ),
]
