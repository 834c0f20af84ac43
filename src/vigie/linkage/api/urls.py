from django.urls import path

from vigie.linkage.api import views

app_name = "linkage-api"
urlpatterns = [
    path("linkage/runs/", views.RunView.as_view(), name="runs"),
    path("linkage/links/", views.LinksView.as_view(), name="links"),
    path("linkage/review/", views.ReviewView.as_view(), name="review"),
    path("linkage/links/<id:pk>/decision/", views.DecisionView.as_view(), name="decide"),
    path("linkage/threshold/", views.ThresholdView.as_view(), name="threshold"),
    path("linkage/encodings/", views.EncodingsView.as_view(), name="encodings"),
    path("linkage/match/", views.MatchView.as_view(), name="match"),
]
