from django.urls import path

from vigie.analytics.api import views

app_name = "analytics-api"
urlpatterns = [
    path("stats/typology/", views.Typology.as_view(), name="typology"),
    path("stats/trends/", views.Trends.as_view(), name="trends"),
    path("stats/routes/", views.Routes.as_view(), name="routes"),
    path("stats/snapshot/", views.Snapshot.as_view(), name="snapshot"),
    path("stats/privacy-ledger/", views.Ledger.as_view(), name="ledger"),
]
