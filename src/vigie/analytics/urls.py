from django.urls import path

from vigie.analytics import views

app_name = "analytics"
urlpatterns = [
    path("stats/", views.Dashboard.as_view(), name="dashboard"),
    path("stats/data/", views.DashboardData.as_view(), name="dashboard-data"),
    path("stats/download/", views.Download.as_view(), name="download"),
    path("stats/privacy/", views.LedgerView.as_view(), name="ledger"),
]
