"""Pages: forms (upload, publish, monitoring), devices (issue with a QR code, revoke), and the
review queue (see a submission beside the form's labels, accept into a case or reject)."""

from __future__ import annotations

import base64
import io
import json
import zlib
from typing import Any

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from vigie.collection import adapters, imports, mapping, merge, selectors, services
from vigie.collection.forms import DeviceForm, ImportForm, MergeForm, RejectForm, UploadForm
from vigie.core import audit
from vigie.core.actor import actor_of_request
from vigie.core.errors import NotFound, VigieError
from vigie.core.models import Organisation
from vigie.web.mixins import PermissionRequired


class FormsView(PermissionRequired, View):
    required_permission = services.MANAGE

    def _orgs(self, request: HttpRequest) -> Any:
        return selectors.organisations_for(request.user, services.MANAGE)

    def _page(self, request: HttpRequest, form: UploadForm, status: int = 200) -> HttpResponse:
        orgs = self._orgs(request)
        return render(
            request,
            "collection/forms.html",
            {
                "form": form,
                "rows": selectors.monitoring(orgs),
                "devices": selectors.devices(orgs),
                "import_form": ImportForm(
                    auto_id="import_%s",
                    organisations=orgs,
                    form_ids=selectors.published_form_ids(orgs),
                ),
            },
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._page(request, UploadForm(organisations=self._orgs(request)))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = UploadForm(request.POST, request.FILES, organisations=self._orgs(request))
        if not form.is_valid():
            return self._page(request, form, 400)
        upload = form.cleaned_data["xlsform"]
        actor = actor_of_request(request)
        try:
            version = services.publish_form(
                actor,
                upload.read(),
                upload.name,
                list(form.cleaned_data["organisations"]),
                encrypt=form.cleaned_data["encrypt"],
                teams=form.cleaned_data["teams"],
            )
        except VigieError as exc:
            form.add_error("xlsform", exc.message)
            return self._page(request, form, exc.status)
        messages.success(
            request,
            _("Published %(form)s version %(version)s.")
            % {"form": version.form.form_id, "version": version.version},
        )
        return redirect("collection:forms")


def _qr_svg(payload: dict[str, Any]) -> str:
    # ODK Collect reads its settings QR as zlib-compressed, base64-encoded JSON
    text = base64.b64encode(zlib.compress(json.dumps(payload).encode())).decode()
    out = io.BytesIO()
    qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage).save(out)
    return out.getvalue().decode()


class DevicesView(PermissionRequired, View):
    required_permission = services.MANAGE

    def post(self, request: HttpRequest) -> HttpResponse:
        orgs = selectors.organisations_for(request.user, services.MANAGE)
        form = DeviceForm(request.POST, organisations=orgs)
        if not form.is_valid():
            messages.error(request, _("Give a label and an organisation."))
            return redirect("collection:forms")
        org: Organisation = form.cleaned_data["organisation"]
        issued = services.issue_device(
            actor_of_request(request),
            org,
            form.cleaned_data["label"],
            team=form.cleaned_data["team"],
        )
        url = request.build_absolute_uri(reverse("collection:or-forms", kwargs={"org": org.code}))
        settings_json = {
            "general": {
                "server_url": url.rsplit("/formList", 1)[0],
                "username": issued.device.username,
                "password": issued.secret,
            },
            "admin": {},
            "project": {"name": f"Vigie {org.code}"},
        }
        response = render(
            request,
            "collection/issued.html",
            {"issued": issued, "settings": settings_json, "qr": _qr_svg(settings_json)},
        )
        response["Cache-Control"] = "no-store"  # the secret is shown once
        return response


class RevokeView(PermissionRequired, View):
    required_permission = services.MANAGE

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        device = selectors.device_for(request.user, pk)
        services.revoke_device(actor_of_request(request), device)
        messages.success(request, _("Revoked: this device can no longer connect."))
        return redirect("collection:forms")


class PublicationStateView(PermissionRequired, View):
    """Close a form publication (devices no longer see the form, submissions to it are
    refused) or reopen it; the URL says which (``is_open``)."""

    required_permission = services.MANAGE

    def post(self, request: HttpRequest, org: str, form_id: str, is_open: bool) -> HttpResponse:
        try:
            pub = selectors.publication_for(request.user, org, form_id)
        except NotFound:
            raise Http404 from None
        try:
            services.set_open(actor_of_request(request, pub.organisation_id), pub, is_open)
        except VigieError as exc:
            messages.error(request, exc.message)
            return redirect("collection:forms")
        done = (
            _("Reopened: devices of %(org)s see %(form)s again and may send to it.")
            if is_open
            else _("Closed: devices of %(org)s no longer see %(form)s; submissions are refused.")
        )
        messages.success(request, done % {"org": pub.organisation.code, "form": form_id})
        return redirect("collection:forms")


class QueueView(PermissionRequired, View):
    required_permission = services.REVIEW

    def get(self, request: HttpRequest) -> HttpResponse:
        status = request.GET.get("status", "waiting")
        subs = selectors.visible_submissions(request.user).filter(status=status)[:200]
        return render(request, "collection/queue.html", {"submissions": subs, "status": status})


class SubmissionView(PermissionRequired, View):
    required_permission = services.REVIEW

    def _render(self, request: HttpRequest, sub: Any, form: RejectForm, status: int = 200) -> Any:
        rows: list[dict[str, str]] = []
        if selectors.may_see_answers(request.user, sub):
            rows = selectors.labelled_answers(sub)
            audit.record_access(
                request.user,
                "view",
                "collection.submission",
                sub.pk,
                fields=["answers"],
                organisation_code=sub.organisation.code,
            )
        return render(
            request,
            "collection/submission.html",
            {
                "sub": sub,
                "rows": rows,
                "hidden": not rows and sub.answers != "[]",
                "reject_form": form,
                "problems": selectors.problems(sub) if rows else [],
            },
            status=status,
        )

    def get(self, request: HttpRequest, uuid: str) -> HttpResponse:
        return self._render(request, selectors.submission_for(request.user, uuid), RejectForm())


class DecideView(PermissionRequired, View):
    required_permission = services.REVIEW

    def post(self, request: HttpRequest, uuid: str, decision: str) -> HttpResponse:
        sub = selectors.submission_for(request.user, uuid)
        actor = actor_of_request(request, sub.organisation_id)
        try:
            if decision == "accept":
                case = services.accept(actor, sub)
                messages.success(
                    request, _("Accepted into case %(ref)s.") % {"ref": case.reference}
                )
            elif decision == "reject":
                form = RejectForm(request.POST)
                if not form.is_valid():
                    return SubmissionView()._render(request, sub, form, 400)
                services.reject(actor, sub, form.cleaned_data["reason"])
                messages.success(request, _("Rejected."))
            else:
                raise Http404
        except VigieError as exc:
            messages.error(request, exc.message)
            return redirect("collection:submission", uuid=sub.uuid)
        return redirect("collection:queue")


def _victim_choices(case: Any) -> list[tuple[str, str]]:
    """The case's victims as the reviewer may tell them apart without identities."""
    from vigie.cases import codelists

    out = []
    for n, v in enumerate(case.victims.order_by("created_at", "id"), start=1):
        sex = codelists.get("sex").label(v.sex) if v.sex else "—"
        age = v.age_at_identification if v.age_at_identification is not None else "—"
        out.append(
            (
                str(v.uuid),
                _("Victim %(n)s: %(sex)s, age %(age)s") % {"n": n, "sex": sex, "age": age},
            )
        )
    return out


class MergeView(PermissionRequired, View):
    """Accept into an existing case: pick the case (by reference) and, if it is the same
    person, one of its victims; see what would be filled and what conflicts; then accept."""

    required_permission = services.REVIEW

    def _page(self, request: HttpRequest, sub: Any, data: Any, status: int = 200) -> HttpResponse:
        actor = actor_of_request(request, sub.organisation_id)
        case, preview, error = None, None, ""
        victims: list[tuple[str, str]] = []
        if data.get("case"):
            try:
                case = adapters.editable_case(actor, sub.organisation, data["case"])
                victims = _victim_choices(case)
                chosen = data.get("victim") or None
                if chosen not in dict(victims):
                    chosen = None
                preview = merge.plan(
                    case,
                    mapping.of_submission(sub).record,
                    sub.instance_id,
                    victim=chosen,
                    on_conflict="keep",
                )
            except VigieError as exc:
                error, status = exc.message, exc.status if status == 200 else status
        form = MergeForm(data or None, victims=victims)
        return render(
            request,
            "collection/merge.html",
            {"sub": sub, "form": form, "case": case, "preview": preview, "error": error},
            status=status,
        )

    def get(self, request: HttpRequest, uuid: str) -> HttpResponse:
        sub = selectors.submission_for(request.user, uuid)
        return self._page(request, sub, request.GET)

    def post(self, request: HttpRequest, uuid: str) -> HttpResponse:
        sub = selectors.submission_for(request.user, uuid)
        actor = actor_of_request(request, sub.organisation_id)
        try:
            case = adapters.editable_case(actor, sub.organisation, request.POST.get("case", ""))
            form = MergeForm(request.POST, victims=_victim_choices(case))
            if not form.is_valid():
                return self._page(request, sub, request.POST, 400)
            case = services.accept(
                actor,
                sub,
                case,
                victim=form.cleaned_data["victim"] or None,
                on_conflict=form.cleaned_data["on_conflict"],
            )
        except VigieError as exc:
            messages.error(request, exc.message)
            return self._page(request, sub, request.POST, exc.status)
        messages.success(request, _("Accepted into case %(ref)s.") % {"ref": case.reference})
        return redirect("collection:queue")


class ImportView(PermissionRequired, View):
    """Upload a KoBoToolbox or ODK Central export: a job imports it (progress on its page)."""

    required_permission = services.MANAGE

    def post(self, request: HttpRequest) -> HttpResponse:
        orgs = selectors.organisations_for(request.user, services.MANAGE)
        form = ImportForm(
            request.POST,
            request.FILES,
            organisations=orgs,
            form_ids=selectors.published_form_ids(orgs),
        )
        if not form.is_valid():
            for errors in form.errors.values():
                messages.error(request, " ".join(str(e) for e in errors))
            return redirect("collection:forms")
        org = form.cleaned_data["organisation"]
        upload = form.cleaned_data["export"]
        try:
            pub = selectors.publication_for(request.user, org.code, form.cleaned_data["form"])
            job = imports.start_import(
                actor_of_request(request, org.pk),
                org,
                pub.form,
                upload.chunks(),
                upload.name,
            )
        except VigieError as exc:
            messages.error(request, exc.message)
            return redirect("collection:forms")
        return redirect("collection:import-report", pk=job.pk)


class ImportReportView(PermissionRequired, View):
    """An export's import: its progress, then its report (every bad row with file, row,
    column, value and why), for the managers of the organisation it imports into."""

    required_permission = services.MANAGE

    def get(self, request: HttpRequest, pk: Any) -> HttpResponse:
        from vigie.collection.tasks import IMPORT
        from vigie.core.models import Job

        orgs = selectors.organisations_for(request.user, services.MANAGE)
        job = (
            Job.objects.select_related("organisation", "created_by")
            .filter(kind=IMPORT, organisation__in=orgs, pk=pk)
            .first()
        )
        if job is None:
            raise Http404
        return render(request, "collection/import.html", {"job": job, "report": job.result or {}})
