from django.urls import path

from vigie.screening.api import views

app_name = "screening-api"
urlpatterns = [
    path("screening/search/", views.SearchView.as_view(), name="search"),
    path("screening/batch/", views.BatchView.as_view(), name="batch"),
    path("screening/match/", views.MatchView.as_view(), name="match"),
    path("screening/lists/", views.ListsView.as_view(), name="lists"),
    path("screening/versions/<id:pk>/", views.VersionChangesView.as_view(), name="version"),
    path("screening/subjects/", views.SubjectsView.as_view(), name="subjects"),
    path("screening/alerts/", views.AlertsView.as_view(), name="alerts"),
    path("screening/alerts/<uuid:pk>/decision/", views.DecisionView.as_view(), name="decide"),
    path("screening/decisions/", views.DecisionsView.as_view(), name="decisions"),
]
