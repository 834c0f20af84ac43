"""The statistics dashboard, its data (JSON for the charts), downloads, and the privacy ledger."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View

from vigie.analytics import dashboard as dash
from vigie.analytics import exports, selectors
from vigie.analytics.engine import QueryError
from vigie.analytics.schema import FILTERS
from vigie.web.mixins import PermissionRequired


def _filters(request: HttpRequest) -> dict[str, list[str]]:
    return {k: [v for v in request.GET.getlist(k) if v] for k in FILTERS if request.GET.get(k)}


class Dashboard(PermissionRequired, View):
    required_permission = "stats.view"

    def get(self, request: HttpRequest) -> HttpResponse:
        filters = _filters(request)
        context: dict[str, Any] = {"filters": filters, "choices": dash.filter_choices()}
        try:
            panels = selectors.dashboard(request.user, filters)
        except QueryError as exc:
            context["error"] = str(exc)
            return render(request, "analytics/dashboard.html", context, status=400)
        context["panels"] = dash.panel_views(panels, get_language())
        context["state"] = selectors.snapshot_state(request.user)
        context["query"] = request.GET.urlencode()
        return render(request, "analytics/dashboard.html", context)


class DashboardData(PermissionRequired, View):
    """The charts' data: every panel's published cells, with labels in the page's language."""

    required_permission = "stats.view"

    def get(self, request: HttpRequest) -> JsonResponse:
        try:
            panels = selectors.dashboard(request.user, _filters(request))
        except QueryError as exc:
            return JsonResponse({"detail": str(exc)}, status=400)
        return JsonResponse(dash.chart_data(panels, get_language()))


class Download(PermissionRequired, View):
    """One panel's table as CSV or XLSX (the same protected cells as on the page)."""

    required_permission = "stats.view"

    def get(self, request: HttpRequest) -> HttpResponse:
        panel = request.GET.get("panel", "")
        fmt = request.GET.get("format", "csv")
        if fmt not in ("csv", "xlsx") or panel not in dash.DOWNLOADABLE:
            return HttpResponse(_("Unknown table or format."), status=400)
        try:
            panels = selectors.dashboard(request.user, _filters(request))
        except QueryError as exc:
            return HttpResponse(str(exc), status=400)
        release = dash.release_of(panels, panel)
        data = exports.render(release, fmt, panel)
        response = HttpResponse(data, content_type=exports.CONTENT_TYPES[fmt])
        response["Content-Disposition"] = f'attachment; filename="vigie-{panel}.{fmt}"'
        return response


class LedgerView(PermissionRequired, View):
    required_permission = "audit.view"

    def get(self, request: HttpRequest) -> HttpResponse:
        from vigie.analytics import privacy

        entries = selectors.visible_ledger(request.user)[:500]
        context = {
            "entries": entries,
            "spent": privacy.budget_spent(),
            "total": privacy.budget_total(),
        }
        return render(request, "analytics/ledger.html", context)
