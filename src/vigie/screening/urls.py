from django.urls import path

from vigie.screening import views

app_name = "screening"
urlpatterns = [
    path("screening/search/", views.SearchPage.as_view(), name="search"),
    path("screening/subjects/", views.SubjectsPage.as_view(), name="subjects"),
    path("screening/review/", views.ReviewPage.as_view(), name="review"),
    path("screening/review/<uuid:pk>/", views.DecidePage.as_view(), name="decide"),
    path("screening/batch/", views.BatchPage.as_view(), name="batch"),
    path("screening/jobs/<uuid:pk>/", views.JobPage.as_view(), name="job"),
    path("screening/jobs/<uuid:pk>/hits/", views.BatchHitsPage.as_view(), name="batch-hits"),
    path("screening/jobs/<uuid:pk>/download/", views.JobDownload.as_view(), name="job-download"),
    path("screening/lists/", views.ListsPage.as_view(), name="lists"),
    path("screening/lists/load/", views.LoadPage.as_view(), name="load"),
    path("screening/lists/versions/<id:pk>/", views.VersionPage.as_view(), name="version"),
]
