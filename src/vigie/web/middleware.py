"""Pages answer a service's :class:`VigieError` like the API does: its status and message.

Views call services and let their errors through; this turns them into the error page of
their status (400, 403, 404, 409, 413, 503) with the service's own message (a database
lock that outlasted its wait is a 503 too, ``core.errors.busy``), so no view
catches them by hand and no page answers 500 for a refused input.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from vigie.core.errors import VigieError, busy

TEMPLATES = {403: "web/errors/403.html", 404: "web/errors/404.html"}


class VigieErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        exception = busy(exception) or exception
        if not isinstance(exception, VigieError):
            return None
        template = TEMPLATES.get(exception.status, "web/errors/400.html")
        response = render(
            request,
            template,
            {
                "status": exception.status,
                "title": str(exception.status),
                "message": exception.message,
            },
            status=exception.status,
        )
        retry = getattr(exception, "retry_after", None)
        if retry:
            response["Retry-After"] = str(retry)
        return response
