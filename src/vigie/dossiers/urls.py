from django.urls import path

from vigie.dossiers import views

app_name = "dossiers"
urlpatterns = [
    path("dossiers/", views.ListPage.as_view(), name="list"),
    path("dossiers/<uuid:uuid>/", views.DetailPage.as_view(), name="detail"),
    path("dossiers/<uuid:uuid>/particulars/", views.ParticularsPost.as_view(), name="particulars"),
    path("dossiers/<uuid:uuid>/aliases/", views.AliasPost.as_view(), name="aliases"),
    path("dossiers/<uuid:uuid>/identifiers/", views.IdentifierPost.as_view(), name="identifiers"),
    path("dossiers/<uuid:uuid>/cases/", views.CasePost.as_view(), name="cases"),
    path("dossiers/<uuid:uuid>/facts/", views.FactPost.as_view(), name="facts"),
    path("dossiers/<uuid:uuid>/transition/", views.TransitionPost.as_view(), name="transition"),
    path("dossiers/<uuid:uuid>/export/", views.ExportPage.as_view(), name="export"),
]
