from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler

from vigie.core.errors import VigieError


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Service-layer errors become 400/403 with the service's own message; a
    :class:`VigieError` becomes its RFC 9457 problem document."""
    if isinstance(exc, VigieError):
        request = context.get("request")
        instance = request.get_full_path() if request is not None else ""
        return Response(
            exc.as_problem(instance), status=exc.status, content_type="application/problem+json"
        )
    if isinstance(exc, DjangoValidationError):
        detail: Any = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    return drf_handler(exc, context)
