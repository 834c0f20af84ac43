"""What every Vigie page view does first: log in, then hold the page's permission."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase

from vigie.core import access


class PermissionRequired(LoginRequiredMixin):
    """``required_permission``: a code from roles.yaml, or None for any logged-in user."""

    required_permission: str | None = None

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        perm = self.required_permission
        if perm is not None and not access.has_perm(request.user, perm):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)
