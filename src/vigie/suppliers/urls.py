from django.urls import path

from vigie.suppliers import views

app_name = "suppliers"
urlpatterns = [
    path("suppliers/", views.DashboardPage.as_view(), name="dashboard"),
    path("suppliers/queue/", views.QueuePage.as_view(), name="queue"),
    path("suppliers/queue/<int:pk>/", views.ReviewPage.as_view(), name="review"),
    path("suppliers/export/", views.ExportPage.as_view(), name="export"),
    path("suppliers/<int:pk>/", views.SupplierPage.as_view(), name="detail"),
    path("suppliers/<int:pk>/invite/", views.InvitePage.as_view(), name="invite"),
    path("suppliers/answers/<int:pk>/reviewed/", views.ReviewedPage.as_view(), name="reviewed"),
    path("suppliers/answer/<str:token>/", views.AnswerPage.as_view(), name="answer"),
]
