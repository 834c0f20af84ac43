from django.urls import path

from vigie.evidence import views

app_name = "evidence"
urlpatterns = [
    path("evidence/", views.ItemListView.as_view(), name="items"),
]
