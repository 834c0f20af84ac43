from django.urls import path

from vigie.finance import views

app_name = "finance"
urlpatterns = [
    path("finance/alerts/", views.AlertsPage.as_view(), name="alerts"),
    path("finance/alerts/<uuid:pk>/", views.AlertPage.as_view(), name="alert"),
    path("finance/alerts/<uuid:pk>/goaml.xml", views.AlertGoaml.as_view(), name="goaml"),
    path("finance/files/", views.FilesPage.as_view(), name="imports"),
    path("finance/jobs/<uuid:pk>/", views.JobPage.as_view(), name="job"),
]
