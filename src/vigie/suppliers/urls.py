from django.urls import path

from vigie.suppliers import views

app_name = "suppliers"
urlpatterns = [
    path("suppliers/", views.DashboardPage.as_view(), name="dashboard"),
    path("suppliers/queue/", views.QueuePage.as_view(), name="queue"),
    path("suppliers/queue/<id:pk>/", views.ReviewPage.as_view(), name="review"),
    path("suppliers/export/", views.ExportPage.as_view(), name="export"),
    path("suppliers/<id:pk>/", views.SupplierPage.as_view(), name="detail"),
    path("suppliers/<id:pk>/invite/", views.InvitePage.as_view(), name="invite"),
    path("suppliers/answers/<id:pk>/reviewed/", views.ReviewedPage.as_view(), name="reviewed"),
    path("suppliers/answer/<str:token>/", views.AnswerPage.as_view(), name="answer"),
]
