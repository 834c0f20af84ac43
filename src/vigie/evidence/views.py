"""Evidence pages: list, detail with custody timeline, upload, sealing, export."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import View

from vigie.evidence import selectors
from vigie.web.mixins import PermissionRequired


class ItemListView(PermissionRequired, View):
    required_permission = "evidence.view"

    def get(self, request: HttpRequest) -> HttpResponse:
        qs = selectors.visible_items(request.user)
        case = request.GET.get("case", "").strip()
        if case:
            qs = qs.filter(case_ref=case)
        page = Paginator(qs, 50).get_page(request.GET.get("page"))
        return render(
            request,
            "evidence/items.html",
            {"page": page, "case": case, "cases": selectors.case_refs(request.user)},
        )
