from django.urls import path

from vigie.cases import views
from vigie.cases.interchange import import_views

app_name = "cases"
urlpatterns = [
    path("cases/", views.CaseListView.as_view(), name="list"),
    path("cases/new/", views.CaseFormView.as_view(), name="create"),
    path("cases/export/", views.ExportView.as_view(), name="export"),
    path("import/cases/", import_views.ImportView.as_view(), name="import"),
    path(
        "import/cases/upload/<str:token>/",
        import_views.ImportPreviewView.as_view(),
        name="import-preview",
    ),
    path("import/cases/<uuid:job>/", import_views.ImportStatusView.as_view(), name="import-status"),
    path("import/profiles/", import_views.ProfileListView.as_view(), name="profiles"),
    path("import/profiles/new/", import_views.ProfileFormView.as_view(), name="profile-create"),
    path("import/profiles/<id:pk>/", import_views.ProfileFormView.as_view(), name="profile-edit"),
    path(
        "import/profiles/<id:pk>/yaml/",
        import_views.ProfileYamlView.as_view(),
        name="profile-yaml",
    ),
    path(
        "import/profiles/<id:pk>/delete/",
        import_views.ProfileDeleteView.as_view(),
        name="profile-delete",
    ),
    path("cases/<uuid:uuid>/", views.CaseDetailView.as_view(), name="detail"),
    path("cases/<uuid:uuid>/edit/", views.CaseEditView.as_view(), name="edit"),
]
