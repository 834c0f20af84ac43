"""Every API error is an RFC 9457 problem document (``application/problem+json``), ADR 0009.

Members: ``type`` (``urn:vigie:error:<code>``), ``title`` (the message, in the request's
language), ``status``, ``code`` (stable, documented in docs/errors.md), ``instance`` (the
request path), ``detail`` (a mapping, when the error has one) and, for invalid input,
``errors``: one ``{"field", "message", "code"}`` per problem (``field`` is the path in the
request body, such as ``victims[0].sex``; ``""`` for the request as a whole). Service errors
(:class:`VigieError`), a database lock that outlasted its wait (503 ``database_busy``),
Django's and DRF's exceptions (400, 401, 403, 404, 405, 406, 415,
429) all take this shape; headers DRF adds (``WWW-Authenticate``, ``Retry-After``) stay.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler

from vigie.core.errors import VigieError, busy

PROBLEM = "application/problem+json"
# DRF error codes whose message repeats the value sent ('"Nadia" is not a valid choice.',
# 'Invalid pk "…"'): errors never carry identifying values, so these say what was wrong
# without it (Django's own sentence, translated in core's catalogue as in Django's).
ECHOING = frozenset({"invalid_choice", "does_not_exist"})


def field_errors(detail: Any, path: str = "") -> list[dict[str, str]]:
    """DRF's nested error detail (dicts of lists, lists of dicts) as a flat list."""
    out: list[dict[str, str]] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = "" if key in ("non_field_errors", "__all__") else str(key)
            if name.startswith("["):  # "[3]": the fourth item of a list body
                sub = f"{path}{name}"
            else:
                sub = f"{path}.{name}" if path and name else (name or path)
            out += field_errors(value, sub)
    elif isinstance(detail, list):
        for i, value in enumerate(detail):
            if isinstance(value, dict | list):
                out += field_errors(value, f"{path}[{i}]")
            else:
                out += field_errors(value, path)
    else:
        code = getattr(detail, "code", None) or "invalid"
        message = str(detail)
        if code in ECHOING:  # DRF quotes the value sent, which may identify someone
            message = _("Select a valid choice. That choice is not one of the available choices.")
        out.append({"field": path, "message": message, "code": str(code)})
    return out


def _problem(body: dict[str, Any], status: int, headers: Any = None) -> Response:
    return Response(body, status=status, headers=headers, content_type=PROBLEM)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    request = context.get("request")
    instance = request.get_full_path() if request is not None else ""
    exc = busy(exc) or exc
    if isinstance(exc, VigieError):
        problem = exc.as_problem(instance)
        if getattr(exc, "errors", None):
            problem["errors"] = exc.errors  # type: ignore[attr-defined]
        retry = getattr(exc, "retry_after", None)
        return _problem(problem, exc.status, {"Retry-After": str(retry)} if retry else None)
    if isinstance(exc, DjangoValidationError):
        detail: Any = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or None)
    response = drf_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response  # not an API error: the server's 500 (logged), never a stack here
    if isinstance(exc, exceptions.ValidationError):
        code = "invalid"
        title = _("The request is not valid: see “errors”.")
        errors = field_errors(exc.detail)
    else:
        code = str(exc.default_code)
        detail_text = exc.detail
        title = str(detail_text) if not isinstance(detail_text, dict | list) else code
        errors = []
    body: dict[str, Any] = {
        "type": f"urn:vigie:error:{code}",
        "title": title,
        "status": response.status_code,
        "code": code,
        "instance": instance,
    }
    if errors:
        body["errors"] = errors
    headers = {
        k: v
        for k, v in response.items()
        if k.lower() in ("www-authenticate", "retry-after", "allow")
    }
    return _problem(body, response.status_code, headers)
