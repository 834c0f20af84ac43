from django.urls import path

from vigie.finance.api import views

app_name = "finance-api"
urlpatterns = [
    path("finance/alerts/", views.AlertList.as_view(), name="alerts"),
    path("finance/alerts/<uuid:pk>/", views.AlertDetail.as_view(), name="alert"),
    path("finance/alerts/<uuid:pk>/decision/", views.AlertDecision.as_view(), name="decide"),
    path("finance/alerts/<uuid:pk>/assign/", views.AlertAssign.as_view(), name="assign"),
    path("finance/alerts/<uuid:pk>/goaml/", views.AlertReport.as_view(), name="goaml"),
    path("finance/alerts/<uuid:pk>/rfi/", views.AlertRequest.as_view(), name="rfi"),
    path("finance/files/", views.FileList.as_view(), name="files"),
    path("finance/run/", views.Run.as_view(), name="run"),
    path("finance/accounts/<id:pk>/links/", views.AccountLinks.as_view(), name="account-links"),
    path("finance/links/<uuid:pk>/", views.CaseLinkDetail.as_view(), name="link"),
    path("finance/cases/<uuid:uuid>/panel/", views.CasePanel.as_view(), name="case-panel"),
    path("finance/cases/<uuid:uuid>/goaml/", views.CaseReport.as_view(), name="case-goaml"),
]
