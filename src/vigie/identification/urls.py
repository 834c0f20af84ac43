from django.urls import path

from vigie.identification import views

app_name = "identification"
urlpatterns = [
    path("identification/", views.InterviewsPage.as_view(), name="interviews"),
    path("identification/<uuid:uuid>/", views.InterviewPage.as_view(), name="interview"),
    path("identification/<uuid:uuid>/decide/", views.DecidePage.as_view(), name="decide"),
    path("referrals/case/<uuid:uuid>/", views.ReferPage.as_view(), name="refer"),
    path("referrals/<uuid:uuid>/", views.ReferralPage.as_view(), name="referral"),
    path("services/", views.ServicesPage.as_view(), name="services"),
    path("caseload/", views.CaseloadPage.as_view(), name="caseload"),
]
