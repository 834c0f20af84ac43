from django.urls import path

from vigie.network import views

app_name = "network"
urlpatterns = [
    path("network/", views.ChartPage.as_view(), name="chart"),
]
