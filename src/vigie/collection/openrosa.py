"""The OpenRosa 1.0 server ODK Collect, KoBoCollect and Enketo talk to (ADR 0900).

Server URL for a device: ``https://<host>/collect/<organisation code>``. The device calls
``formList``, downloads each form and its manifest, and sends instances to ``submission``
(HEAD pre-flight, then multipart POST). Devices authenticate with the credentials an
administrator issued, by HTTP Digest (``digest.py``) or Basic; a logged-in user holding
``collection.manage`` in the organisation may use the same endpoints from a browser (with
CSRF protection on POST).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any
from xml.sax.saxutils import escape

from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from vigie.collection import digest, receipt, services
from vigie.collection.models import Device, Publication
from vigie.core import access
from vigie.core.errors import TooLarge, VigieError
from vigie.core.models import Organisation

REALM = digest.REALM
XML = "text/xml; charset=utf-8"


def _headers(response: HttpResponse) -> HttpResponse:
    response["X-OpenRosa-Version"] = "1.0"
    response["X-OpenRosa-Accept-Content-Length"] = str(receipt.max_submission_bytes())
    return response


def _message(text: str, status: int, nature: str = "error") -> HttpResponse:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<OpenRosaResponse xmlns="http://openrosa.org/http/response">'
        f'<message nature="{nature}">{escape(text)}</message></OpenRosaResponse>'
    )
    return _headers(HttpResponse(body, status=status, content_type=XML))


def _challenge(text: str, *, stale: bool = False) -> HttpResponse:
    """401 with Digest (SHA-256, MD5) then Basic: a client answers the first it knows."""
    response = _message(text, 401)
    offers = [*digest.challenges(stale=stale), f'Basic realm="{REALM}", charset="UTF-8"']
    response["WWW-Authenticate"] = ", ".join(offers)
    return response


def _basic(request: HttpRequest) -> tuple[str, str] | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if not header.lower().startswith("basic "):
        return None
    try:
        raw = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    username, sep, secret = raw.partition(":")
    return (username, secret) if sep else None


def _no_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse()  # the CSRF check needs a view; it is never called


class Caller:
    """Who calls: a device of the organisation, or a logged-in manager of it."""

    def __init__(self, org: Organisation, device: Device | None) -> None:
        self.org = org
        self.device = device


def _resolve(request: HttpRequest, org_code: str) -> Caller | HttpResponse:
    org = Organisation.objects.filter(code=org_code, is_active=True).first()
    if request.META.get("HTTP_AUTHORIZATION", "").lower().startswith("digest "):
        outcome = digest.verify(request)
        device = outcome.device
        if device is None or org is None or device.organisation_id != org.pk:
            if outcome.stale:
                return _challenge(_("The nonce has expired; ask again."), stale=True)
            return _challenge(_("Unknown, revoked or mistyped device credentials."))
        return Caller(org, device)
    creds = _basic(request)
    if creds is not None:
        device = receipt.authenticate(*creds)
        if device is None or org is None or device.organisation_id != org.pk:
            return _challenge(_("Unknown, revoked or mistyped device credentials."))
        return Caller(org, device)
    user = request.user
    if user.is_authenticated and org is not None and access.has_perm(user, services.MANAGE, org.pk):
        if request.method == "POST":
            reason = CsrfViewMiddleware(lambda r: HttpResponse()).process_view(
                request, _no_view, (), {}
            )
            if reason is not None:
                return _message(_("CSRF check failed."), 403)
        return Caller(org, None)
    if user.is_authenticated:
        return _message(_("You may not use this organisation's collection server."), 403)
    return _challenge(_("Device credentials are required."))


class _BoundedInMemory(MemoryFileUploadHandler):
    """A submission's parts kept in memory, never in the disk temp directory (Django writes
    parts over 2.5 MB there, in clear: photos and recordings of victims are identity), and
    refused while they stream in once they exceed the size the server announces, whatever
    the request declared."""

    def __init__(self, request: HttpRequest) -> None:
        super().__init__(request)
        self.limit = receipt.max_submission_bytes()
        self.received = 0

    def handle_raw_input(self, *args: Any, **kwargs: Any) -> None:
        self.activated = True  # the body is bounded by `limit`, not by Django's memory size

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received > self.limit:
            raise TooLarge(_("The submission is larger than this server accepts."))
        return super().receive_data_chunk(raw_data, start)


def _endpoint(fn: Callable[..., HttpResponse]) -> Any:
    @csrf_exempt
    def view(request: HttpRequest, org: str, **kwargs: Any) -> HttpResponse:
        # before anything reads the body (the browser's CSRF check reads the form)
        request.upload_handlers = [_BoundedInMemory(request)]
        try:
            caller = _resolve(request, org)
            if isinstance(caller, HttpResponse):
                return caller
            return fn(request, caller, **kwargs)
        except VigieError as exc:
            return _message(exc.message, exc.status)

    view.__name__ = fn.__name__
    view.__module__ = fn.__module__
    return view


def _publications(caller: Caller) -> Any:
    """What the caller sees: a device, its team's forms and the organisation-wide ones; a
    manager in a browser, every open form of the organisation."""
    if caller.device is not None:
        qs = receipt.visible_publications(caller.device)
    else:
        qs = Publication.objects.filter(organisation=caller.org, is_open=True)
    return qs.select_related("form", "version")


@_endpoint
def form_list(request: HttpRequest, caller: Caller) -> HttpResponse:
    if request.method not in ("GET", "HEAD"):
        return _message(_("Method not allowed."), 405)
    rows = []
    pubs = _publications(caller).order_by("form_key")
    if request.GET.get("formID"):  # OpenRosa: the list may be asked for one form
        pubs = pubs.filter(form_key=request.GET["formID"])
    for pub in pubs:
        fid = pub.form.form_id
        kw = {"org": caller.org.code, "form_id": fid}
        download = request.build_absolute_uri(reverse("collection:or-form", kwargs=kw))
        manifest_url = request.build_absolute_uri(reverse("collection:or-manifest", kwargs=kw))
        rows.append(
            "<xform>"
            f"<formID>{escape(fid)}</formID><name>{escape(pub.form.title)}</name>"
            f"<version>{escape(pub.version.version)}</version>"
            f"<hash>md5:{pub.version.md5}</hash>"
            f"<downloadUrl>{escape(download)}</downloadUrl>"
            f"<manifestUrl>{escape(manifest_url)}</manifestUrl>"
            "</xform>"
        )
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<xforms xmlns="http://openrosa.org/xforms/xformsList">' + "".join(rows) + "</xforms>"
    )
    return _headers(HttpResponse(body, content_type=XML))


def _publication(caller: Caller, form_id: str) -> Publication | None:
    # one form per id in an organisation (a constraint): devices name forms by id alone
    return _publications(caller).filter(form_key=form_id).first()


@_endpoint
def form_xml(request: HttpRequest, caller: Caller, form_id: str) -> HttpResponse:
    pub = _publication(caller, form_id)
    if pub is None:
        return _message(_("This form is not published to your organisation."), 404)
    return _headers(HttpResponse(pub.version.xform, content_type=XML))


@_endpoint
def manifest(request: HttpRequest, caller: Caller, form_id: str) -> HttpResponse:
    if _publication(caller, form_id) is None:
        return _message(_("This form is not published to your organisation."), 404)
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest xmlns="http://openrosa.org/xforms/xformsManifest"></manifest>'
    )
    return _headers(HttpResponse(body, content_type=XML))


@_endpoint
def submission(request: HttpRequest, caller: Caller) -> HttpResponse:
    if request.method == "HEAD" or request.method == "GET":
        return _headers(HttpResponse(status=204))
    if request.method != "POST":
        return _message(_("Method not allowed."), 405)
    declared = int(request.META.get("CONTENT_LENGTH") or 0)
    if not declared:
        # Django reads no body without a length (a chunked upload reached us as it was sent):
        # say so, rather than "no xml_submission_file part"
        return _message(
            _("Send the submission with a Content-Length (chunked uploads are not accepted)."),
            411,
        )
    if declared > receipt.max_submission_bytes() + 64 * 1024:  # multipart framing allowed
        raise TooLarge(_("The submission is larger than this server accepts."))
    xml_file = request.FILES.get("xml_submission_file")
    if xml_file is None:
        return _message(_("The request has no xml_submission_file part."), 400)
    if caller.device is None:
        return _message(_("Submissions are sent with device credentials."), 400)
    uploads = [
        receipt.Upload(f.name or "file", f.content_type or "application/octet-stream", f.read())
        for key, files in request.FILES.lists()
        if key != "xml_submission_file"
        for f in files
    ]
    _sub, created = receipt.receive(caller.device, xml_file.read(), uploads)
    if created:
        return _message(_("Thank you: the submission was received."), 201, "submit_success")
    return _message(_("This submission was already received."), 202, "submit_success")
