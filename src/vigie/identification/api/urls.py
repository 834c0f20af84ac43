from django.urls import path

from vigie.identification.api import views

app_name = "identification-api"
urlpatterns = [
    path("identification/indicators/", views.IndicatorSetView.as_view(), name="indicators"),
    path("identification/interviews/", views.InterviewsView.as_view(), name="interviews"),
    path("identification/interviews/<uuid:uuid>/", views.InterviewView.as_view(), name="interview"),
    path(
        "identification/interviews/<uuid:uuid>/decide/", views.DecideView.as_view(), name="decide"
    ),
    path(
        "identification/cases/<uuid:uuid>/consents/", views.ConsentsView.as_view(), name="consents"
    ),
    path("identification/cases/<uuid:uuid>/routes/", views.RoutesView.as_view(), name="routes"),
    path("identification/cases/<uuid:uuid>/plan/", views.PlanView.as_view(), name="plan"),
    path("identification/cases/<uuid:uuid>/closure/", views.ClosureView.as_view(), name="closure"),
    path(
        "identification/cases/<uuid:uuid>/non-punishment/",
        views.NonPunishmentView.as_view(),
        name="non-punishment",
    ),
    path("identification/plan-items/<uuid:uuid>/", views.PlanItemView.as_view(), name="plan-item"),
    path("services/", views.ServicesView.as_view(), name="services"),
    path("referrals/", views.ReferralsView.as_view(), name="referrals"),
    path("referrals/statistics/", views.ReferralStatisticsView.as_view(), name="statistics"),
    path("referrals/<uuid:uuid>/", views.ReferralView.as_view(), name="referral"),
    path("referrals/<uuid:uuid>/transition/", views.TransitionView.as_view(), name="transition"),
    path("caseload/", views.CaseloadView.as_view(), name="caseload"),
    path("referrals/notifications/", views.NotificationsView.as_view(), name="notifications"),
]
