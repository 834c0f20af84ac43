from django.urls import path

from vigie.cases import views

app_name = "cases"
urlpatterns = [
    path("cases/", views.CaseListView.as_view(), name="list"),
    path("cases/new/", views.CaseFormView.as_view(), name="create"),
    path("cases/export/", views.ExportView.as_view(), name="export"),
    path("import/cases/", views.ImportView.as_view(), name="import"),
    path("import/cases/<uuid:job>/", views.ImportStatusView.as_view(), name="import-status"),
    path("cases/<uuid:uuid>/", views.CaseDetailView.as_view(), name="detail"),
    path("cases/<uuid:uuid>/edit/", views.CaseEditView.as_view(), name="edit"),
]
