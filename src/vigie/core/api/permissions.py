from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import permissions

from vigie.core import access, mfa
from vigie.core.errors import Forbidden
from vigie.core.models import ApiToken


def required_permission(view: Any, method: str) -> str | None:
    """A view declares ``required_permission`` (one code) or ``required_permissions``
    (method -> code). ``None`` means only "logged in"."""
    by_method: dict[str, str] | None = getattr(view, "required_permissions", None)
    if by_method is not None:
        return by_method.get(method, by_method.get("*"))
    return getattr(view, "required_permission", None)


class HasVigiePermission(permissions.BasePermission):
    """Authenticated, enrolled in two-factor authentication where a role requires it, within
    the token's scope, and holding the view's permission somewhere; objects are checked
    against their organisation through :mod:`vigie.core.access`."""

    def has_permission(self, request: Any, view: Any) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        mfa.check_api(request.user)
        token = request.auth if isinstance(request.auth, ApiToken) else None
        if (
            token is not None
            and token.is_read_only
            and request.method not in permissions.SAFE_METHODS
        ):
            raise Forbidden(
                _("This API token is read-only."),
                code="token_read_only",
                detail={"method": request.method},
            )
        perm = required_permission(view, request.method)
        return perm is None or access.has_perm(request.user, perm)

    def has_object_permission(self, request: Any, view: Any, obj: Any) -> bool:
        perm = required_permission(view, request.method)
        org_field = getattr(view, "org_field", "organisation")
        if perm is None or not hasattr(obj, f"{org_field}_id"):
            return True
        return access.can(request.user, perm, obj, org_field)
