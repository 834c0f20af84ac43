from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.generic import TemplateView

from vigie.core import access
from vigie.web import home
from vigie.web.mixins import PermissionRequired


class HomeView(PermissionRequired, TemplateView):
    template_name = "web/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        memberships = list(user.memberships.select_related("organisation"))  # type: ignore[union-attr]
        ctx["memberships"] = memberships
        ctx["has_roles"] = bool(access.grants(user).by_org)
        if ctx["has_roles"]:
            ctx["queues"] = home.queues(user)
            ctx["actions"] = home.actions(user)
            ctx["summaries"] = home.role_summaries([m.role for m in memberships])
        return ctx


def _error(request: HttpRequest, status: int, title: str, template: str) -> HttpResponse:
    return render(request, template, {"status": status, "title": title}, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 400, "400", "web/errors/400.html")


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 403, "403", "web/errors/403.html")


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 404, "404", "web/errors/404.html")


def server_error(request: HttpRequest) -> HttpResponse:
    return _error(request, 500, "500", "web/errors/500.html")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _error(request, 403, "403", "web/errors/csrf.html")
