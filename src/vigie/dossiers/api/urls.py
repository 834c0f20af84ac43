from django.urls import path

from vigie.dossiers.api import views

app_name = "dossiers-api"
urlpatterns = [
    path("dossiers/", views.DossiersView.as_view(), name="dossiers"),
    path("dossiers/regimes/", views.RegimesView.as_view(), name="regimes"),
    path("dossiers/<uuid:uuid>/", views.DossierView.as_view(), name="dossier"),
    path("dossiers/<uuid:uuid>/aliases/", views.AliasesView.as_view(), name="aliases"),
    path("dossiers/<uuid:uuid>/identifiers/", views.IdentifiersView.as_view(), name="identifiers"),
    path("dossiers/<uuid:uuid>/cases/", views.CasesView.as_view(), name="cases"),
    path("dossiers/<uuid:uuid>/facts/", views.FactsView.as_view(), name="facts"),
    path("dossiers/<uuid:uuid>/facts/<uuid:fact>/", views.FactView.as_view(), name="fact"),
    path("dossiers/<uuid:uuid>/transition/", views.TransitionView.as_view(), name="transition"),
    path("dossiers/<uuid:uuid>/export/", views.ExportView.as_view(), name="export"),
]
