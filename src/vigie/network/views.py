"""The link chart page. The chart itself is drawn by static/network/chart.js (cytoscape.js,
vendored) from the API; this view renders the search, the filters and the starting points."""

from __future__ import annotations

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import View

from vigie.core.actor import Actor
from vigie.core.models import Organisation
from vigie.network import selectors
from vigie.network.models import Node
from vigie.web.mixins import PermissionRequired

STARTING_POINTS = 10


class ChartPage(PermissionRequired, View):
    required_permission = selectors.PERMISSION

    def get(self, request: HttpRequest) -> HttpResponse:
        scope = selectors.scope_for(Actor(user=request.user))  # type: ignore[arg-type]
        q = request.GET.get("q", "").strip()[:300]
        found = selectors.find_nodes(scope, q) if q else []
        node = request.GET.get("node", "")
        start = int(node) if node.isdigit() else None
        hubs = []
        if start is None and not q:
            # the most linked visible nodes, as places to start from
            counts = (
                scope.edges()
                .values("source_id")
                .annotate(n=Count("pk"))
                .order_by("-n", "source_id")[:STARTING_POINTS]
            )
            ids = {row["source_id"] for row in counts}
            rows = selectors._edge_rows(scope.edges().filter(source_id__in=ids))
            hubs = list(selectors.chart(scope, ids, rows, "start").nodes.values())
        return render(
            request,
            "network/chart.html",
            {
                "q": q,
                "found": found,
                "hubs": hubs,
                "start": start,
                "kinds": Node.Kind.choices,
                "organisations": Organisation.objects.filter(is_active=True).order_by("code"),
            },
        )
