from django.urls import path

from vigie.network.api import views

app_name = "network-api"
urlpatterns = [
    path("network/graph/", views.Graph.as_view(), name="graph"),
    path("network/nodes/<id:pk>/", views.NodeDetail.as_view(), name="node"),
    path("network/search/", views.Search.as_view(), name="search"),
    path("network/stats/", views.Stats.as_view(), name="stats"),
    path("network/path/", views.Path.as_view(), name="path"),
    path("network/timeline/", views.Timeline.as_view(), name="timeline"),
    path("network/export/", views.Export.as_view(), name="export"),
    path("network/import/", views.Import.as_view(), name="import"),
    path("network/xref/", views.Xref.as_view(), name="xref"),
    path("network/rebuild/", views.Rebuild.as_view(), name="rebuild"),
]
