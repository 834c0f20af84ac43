"""Request id and client address for the audit trail; Content-Security-Policy on every page."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from vigie.core import context

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

# Every asset is served by Vigie itself: no CDN, no inline script. Inline style attributes
# are allowed for the vendored charting and map libraries, which set element sizes.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; worker-src 'self' blob:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        supplied = request.headers.get("X-Request-ID", "")
        request_id = supplied if _SAFE_ID.match(supplied) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        token = context.set_context(
            context.RequestContext(request_id, request.META.get("REMOTE_ADDR"), request)
        )
        try:
            response = self.get_response(request)
        finally:
            context.reset_context(token)
        response["X-Request-ID"] = request_id
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        """A service's :class:`VigieError` that a web view let through becomes Django's own
        403, 404 or 400 page (the API renders it as a problem document instead)."""
        from django.core.exceptions import BadRequest, PermissionDenied
        from django.http import Http404

        from vigie.core.errors import VigieError

        if not isinstance(exception, VigieError):
            return
        if exception.status in (401, 403):
            raise PermissionDenied(exception.message) from exception
        if exception.status == 404:
            raise Http404(exception.message) from exception
        if 400 <= exception.status < 500:
            raise BadRequest(exception.message) from exception


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CSP)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response
