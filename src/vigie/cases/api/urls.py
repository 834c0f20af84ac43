from django.urls import path

from vigie.cases.api import views

app_name = "cases-api"
urlpatterns = [
    path("cases/", views.CaseList.as_view(), name="cases"),
    path("cases/bulk/", views.CaseBulkCreate.as_view(), name="cases-bulk"),
    path("cases/<uuid:uuid>/", views.CaseDetail.as_view(), name="case"),
    path("codelists/", views.CodeLists.as_view(), name="codelists"),
]
