from django.urls import path

from vigie.linkage import views

app_name = "linkage"
urlpatterns = [
    path("linkage/review/", views.ReviewPage.as_view(), name="review"),
    path("linkage/review/<id:pk>/", views.DecidePage.as_view(), name="decide"),
    path("linkage/threshold/", views.ThresholdPage.as_view(), name="threshold"),
    path("linkage/encode/", views.EncodePage.as_view(), name="encode"),
]
