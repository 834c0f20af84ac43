"""Evidence pages: list, detail with custody timeline, upload, sealing, approvals, export."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views import View

from vigie.core import access
from vigie.core.actor import Actor, Viewer
from vigie.core.errors import Forbidden
from vigie.evidence import exports, selectors, services
from vigie.evidence.forms import AddForm, ExportForm, ReasonForm
from vigie.evidence.models import SignedTreeHead
from vigie.evidence.verify import verify_all
from vigie.web.mixins import PermissionRequired


def _link_cases(user: Viewer, items: Any) -> None:
    """``case_url`` on each item: its case's page, if the user may see that case."""
    from django.urls import reverse

    from vigie.cases.selectors import visible_cases

    refs = {it.case_ref for it in items if it.case_ref}
    found = dict(visible_cases(user).filter(reference__in=refs).values_list("reference", "uuid"))
    for it in items:
        case_uuid = found.get(it.case_ref)
        it.case_url = reverse("cases:detail", kwargs={"uuid": case_uuid}) if case_uuid else ""


class ItemListView(PermissionRequired, View):
    required_permission = "evidence.view"

    def get(self, request: HttpRequest) -> HttpResponse:
        qs = selectors.visible_items(request.user)
        case = request.GET.get("case", "").strip()
        if case:
            qs = qs.filter(case_ref=case)
        page = Paginator(qs, 50).get_page(request.GET.get("page"))
        _link_cases(request.user, list(page))  # list(page) fixes the page's objects
        services.log_names_shown(access.request_user(request), list(page))  # ADR 0045
        return render(
            request,
            "evidence/items.html",
            {
                "page": page,
                "case": case,
                "cases": selectors.case_refs(request.user),
                "export_form": ExportForm(
                    initial={
                        "case": case,
                        "lang": request.LANGUAGE_CODE
                        if request.LANGUAGE_CODE in ("fr", "en")
                        else "en",
                    }
                ),
                "can_add": access.has_perm(request.user, "evidence.add"),
                "can_export": access.has_perm(request.user, "evidence.export"),
                "approvals": selectors.pending_approvals(request.user)[:20]
                if access.has_perm(request.user, "evidence.seal")
                else [],
                "head": SignedTreeHead.objects.first(),
            },
        )


class ItemDetailView(PermissionRequired, View):
    required_permission = "evidence.view"

    def get(self, request: HttpRequest, uuid: str, verification: Any = None) -> HttpResponse:
        item = selectors.get_item_for(request.user, uuid)
        user = access.request_user(request)
        services.view_item(Actor(user=user, organisation_id=item.organisation_id), item)
        return render(
            request,
            "evidence/item.html",
            {
                "item": item,
                "meta": getattr(item.blob, "metadata", None),
                "may_see_identity": selectors.may_see_identity(user, item),
                "custody": selectors.custody_of(item),
                "derived": selectors.visible_items(user).filter(source=item),
                "duplicates": selectors.visible_items(user).filter(duplicate_of=item),
                "may_open": selectors.may_open(user, item),
                "can_seal": access.can(user, "evidence.seal", item),
                "verification": verification,
                "reason_form": ReasonForm(),
                "my_requests": item.approvals.filter(requested_by=user)[:5],
                "record_links": selectors.record_links(user, item),
            },
        )

    def post(self, request: HttpRequest, uuid: str) -> HttpResponse:
        """Verify now: re-hash the object and check its custody entries."""
        item = selectors.get_item_for(request.user, uuid)
        return self.get(request, uuid, verification=verify_all(item))


class ItemDownloadView(PermissionRequired, View):
    required_permission = "evidence.view"

    def get(self, request: HttpRequest, uuid: str) -> HttpResponseBase:
        item = selectors.get_item_for(request.user, uuid)
        actor = Actor(user=access.request_user(request), organisation_id=item.organisation_id)
        try:
            chunks = services.open_content(actor, item)
        except Forbidden as exc:
            raise PermissionDenied(exc.message) from None
        response = StreamingHttpResponse(chunks, content_type="application/octet-stream")
        name = selectors.download_name(actor, item)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["Content-Length"] = str(item.blob.size)
        return response


class _ReasonAction(PermissionRequired, View):
    required_permission = "evidence.seal"

    # The service that performs the action: (user, item, reason) -> result.
    service: Callable[[Any, Any, str], Any]

    def post(self, request: HttpRequest, uuid: str) -> HttpResponse:
        item = selectors.get_item_for(request.user, uuid)
        form = ReasonForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Say why (the reason is recorded in the custody log)."))
            return redirect("evidence:item", uuid=item.uuid)
        try:
            actor = Actor(user=access.request_user(request), organisation_id=item.organisation_id)
            self.service(actor, item, form.cleaned_data["reason"])
        except services.EvidenceError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, self.done_message())
        return redirect("evidence:item", uuid=item.uuid)

    def done_message(self) -> str:
        return ""


class ItemSealView(_ReasonAction):
    service = staticmethod(services.seal_item)

    def done_message(self) -> str:
        return _("Item sealed. Its contents now open only with a second person's approval.")


class ItemReleaseView(_ReasonAction):
    service = staticmethod(services.release_item)

    def done_message(self) -> str:
        return _("Item released.")


class ItemRequestView(_ReasonAction):
    required_permission = "evidence.view"

    service = staticmethod(services.request_access)

    def done_message(self) -> str:
        return _("Request sent. Another person entitled to seal must approve it.")


class ApproveView(PermissionRequired, View):
    required_permission = "evidence.seal"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        approval = selectors.approval_for(request.user, pk)
        try:
            actor = Actor(
                user=access.request_user(request), organisation_id=approval.item.organisation_id
            )
            services.approve_access(actor, approval)
        except services.EvidenceError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Access approved for 24 hours."))
        return redirect("evidence:items")


class AddView(PermissionRequired, View):
    required_permission = "evidence.add"

    def get(self, request: HttpRequest) -> HttpResponse:
        """The upload page; ``?case=`` (or ``?case_ref=``, sent by htmx when the case field
        changes) chooses the case whose perpetrators and incidents are offered."""
        case_ref = request.GET.get("case_ref", request.GET.get("case", ""))[:100]
        perpetrators, incidents = selectors.linkable_records(access.request_user(request), case_ref)
        form = AddForm(
            initial={"case_ref": case_ref}, perpetrators=perpetrators, incidents=incidents
        )
        return render(
            request,
            "evidence/add.html",
            {"form": form, "case_ref": case_ref},
        )


class ExportView(PermissionRequired, View):
    """Starts the export of a case as a background job and shows its page."""

    required_permission = "evidence.export"

    def post(self, request: HttpRequest) -> HttpResponseBase:
        form = ExportForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose a case and a report language."))
            return redirect("evidence:items")
        user = access.request_user(request)
        case = form.cleaned_data["case"]
        try:
            job = exports.start_export(user, case, form.cleaned_data["lang"])
        except services.EvidenceError as exc:
            messages.error(request, str(exc))
            query = urlencode({"case": case})
            return redirect(f"{reverse('evidence:items')}?{query}")
        return redirect("evidence:export-job", pk=job.pk)


class ExportJobView(PermissionRequired, View):
    """The export's progress (htmx polls the partial) and, when done, its download."""

    required_permission = "evidence.export"

    def get(self, request: HttpRequest, pk: Any) -> HttpResponse:
        job = selectors.export_job_for(access.request_user(request), pk)
        context = {"job": job, "archive": exports.archive_of(job)}
        if request.headers.get("HX-Request") == "true":
            return render(request, "evidence/_export_status.html", context)
        return render(request, "evidence/export_job.html", context)


class ExportDownloadView(PermissionRequired, View):
    """The zip of a finished export, for the person who asked; logged in each item's chain."""

    required_permission = "evidence.export"

    def get(self, request: HttpRequest, pk: Any) -> HttpResponseBase:
        user = access.request_user(request)
        job = selectors.export_job_for(user, pk)
        archive = exports.archive_of(job)
        if archive is None:
            raise Http404("this export is not ready or no longer kept")
        exports.record_archive_download(user, job)
        return exports.archive_response(archive, job)
