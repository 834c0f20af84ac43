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


class NulCharacterMiddleware:
    """Refuses, with 400, a request whose path, query or form fields hold a NUL character.

    No text Vigie keeps can hold U+0000 (PostgreSQL refuses it in text columns, and it
    means nothing in a name or a code), while views read parameters in many places: a
    NUL reaching a query gave PostgreSQL's DataError, a 500 (ADR 0059). Django's and DRF's
    form fields refuse it only for the fields they validate; this refuses it once for all.
    Last in the list, so that it runs after the CSRF check has read a form; the forms of
    views exempt from that check (the OpenRosa submission, DRF's views, whose serializer
    fields refuse NUL themselves) are not parsed here before their view chooses how."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponse],
        view_args: tuple[object, ...],
        view_kwargs: dict[str, object],
    ) -> HttpResponse | None:
        texts: list[object] = [request.path, *view_args, *view_kwargs.values()]
        texts += [*request.GET.keys(), *(v for vs in request.GET.lists() for v in vs[1])]
        form = request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data")
        if request.method == "POST" and form and not getattr(view_func, "csrf_exempt", False):
            texts += [*request.POST.keys(), *(v for vs in request.POST.lists() for v in vs[1])]
        if not any(isinstance(t, str) and "\x00" in t for t in texts):
            return None
        from django.http import JsonResponse
        from django.utils.translation import gettext as _

        from vigie.core.api.errors import PROBLEM
        from vigie.core.errors import Invalid
        from vigie.web.views import bad_request

        refusal = Invalid(
            _("The request holds a NUL character (U+0000), which no field accepts."),
            code="nul_character",
        )
        if request.path.startswith("/api/"):
            problem = refusal.as_problem(request.path)
            return JsonResponse(problem, status=400, content_type=PROBLEM)
        return bad_request(request)
