"""Pages: the dashboard (risk by supplier, product and country on the map; waiting; expired),
the procurement queue with its decisions, a supplier, and the supplier's own questionnaire
page reached by its link (no account)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from vigie.core.actor import Actor, acting_organisation
from vigie.core.errors import VigieError
from vigie.suppliers import countries, duediligence, exports, questionnaire, selectors, services
from vigie.suppliers.models import Alert
from vigie.web.mixins import PermissionRequired


def _actor(request: HttpRequest) -> Actor:
    return Actor(user=request.user)  # type: ignore[arg-type]


class DashboardPage(PermissionRequired, View):
    required_permission = "suppliers.view"

    def get(self, request: HttpRequest) -> HttpResponse:
        d = selectors.dashboard(_actor(request))
        map_rows = [
            {
                "id": countries.numeric_of(r["country"]),
                "risk": r["risk"],
                "n": r["n"],
                "name": countries.name_of(r["country"]),
            }
            for r in d["by_country"]
        ]
        for r in d["by_country"]:
            r["name"] = countries.name_of(r["country"])
        return render(request, "suppliers/dashboard.html", {**d, "map_rows": map_rows})


class QueuePage(PermissionRequired, View):
    required_permission = "suppliers.review"

    def get(self, request: HttpRequest) -> HttpResponse:
        status = request.GET.get("status", "open")
        if status not in {*Alert.Status.values, "all"}:
            status = "open"
        alerts = selectors.queue(_actor(request), status)[:200]
        return render(request, "suppliers/queue.html", {"alerts": alerts, "status": status})


class ReviewPage(PermissionRequired, View):
    required_permission = "suppliers.review"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        actor = _actor(request)
        alert = selectors.get_alert_for(actor, pk)
        try:
            services.record_review(
                actor, alert, request.POST.get("decision", ""), request.POST.get("reason", "")
            )
        except VigieError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Decision recorded."))
        return redirect("suppliers:queue")


class SupplierPage(PermissionRequired, View):
    required_permission = "suppliers.view"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        actor = _actor(request)
        supplier = selectors.get_supplier_for(actor, pk)
        q = questionnaire.current()
        invitations = list(supplier.invitations.all()[:10])
        lang = (request.LANGUAGE_CODE or "en")[:2]
        answered = [
            (
                i,
                [
                    (
                        x.label(lang),
                        q.choice_label(i.answers.get(x.code, ""), lang),
                        x.choices.get(i.answers.get(x.code, ""), 0),
                    )
                    for x in q.questions
                ],
                list(i.files.all()),
            )
            for i in invitations
            if i.submitted_at
        ]
        return render(
            request,
            "suppliers/supplier.html",
            {
                "supplier": supplier,
                "country": countries.name_of(supplier.country),
                "parties": selectors.parties_shown(actor, supplier),
                "products": list(supplier.products.all()),
                "alerts": list(supplier.alerts.all()[:50]),
                "reviews": list(supplier.reviews.select_related("reviewer")[:50]),
                "invitations": invitations,
                "answered": answered,
                "can_manage": actor.has_perm("suppliers.manage", supplier.organisation_id),
                "can_review": actor.has_perm("suppliers.review", supplier.organisation_id),
                "link": request.session.pop(f"supplier-link-{supplier.pk}", ""),
            },
        )


class InvitePage(PermissionRequired, View):
    required_permission = "suppliers.manage"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        actor = _actor(request)
        supplier = selectors.get_supplier_for(actor, pk, "suppliers.manage")
        try:
            _inv, token = duediligence.create_invitation(
                actor, supplier, language=request.POST.get("language", "en")
            )
        except VigieError as exc:
            messages.error(request, exc.message)
        else:
            request.session[f"supplier-link-{supplier.pk}"] = request.build_absolute_uri(
                f"/suppliers/answer/{token}/"
            )
        return redirect("suppliers:detail", pk=supplier.pk)


class ReviewedPage(PermissionRequired, View):
    """The officer has read a supplier's submitted answers."""

    required_permission = "suppliers.review"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        actor = _actor(request)
        invitation = selectors.get_invitation_for(actor, pk, "suppliers.review")
        try:
            duediligence.mark_reviewed(actor, invitation)
        except VigieError as exc:
            messages.error(request, exc.message)
        return redirect("suppliers:detail", pk=invitation.supplier_id)


class ExportPage(PermissionRequired, View):
    required_permission = "suppliers.export"

    def get(self, request: HttpRequest) -> HttpResponse:
        fmt = request.GET.get("format", "csv")
        org = acting_organisation(request.user, "suppliers.export", request.GET.get("organisation"))
        actor = Actor(user=request.user, organisation_id=org.pk)  # type: ignore[arg-type]
        data = exports.export(actor, fmt if fmt in exports.FORMATS else "csv")
        kind = (
            "text/csv"
            if fmt != "xlsx"
            else ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        )
        response = HttpResponse(data, content_type=kind)
        response["Content-Disposition"] = (
            f'attachment; filename="suppliers.{"xlsx" if fmt == "xlsx" else "csv"}"'
        )
        return response


class AnswerPage(View):
    """The supplier's questionnaire, in the language the link was made for."""

    def _render(
        self, request: HttpRequest, token: str, status: int = 200, **extra: Any
    ) -> HttpResponse:
        from django.utils import translation

        try:
            invitation = duediligence.invitation_for(token)
        except VigieError as exc:
            return render(
                request, "suppliers/answer_closed.html", {"message": exc.message}, status=exc.status
            )
        q = questionnaire.current()
        lang = invitation.language
        translation.activate(lang)
        request.LANGUAGE_CODE = lang
        # A refused post is shown again with what the supplier gave (a statement may be long
        # to retype); only the document must be chosen again, as browsers allow no other way.
        given = request.POST
        questions = [
            (x, x.label(lang), [(c, q.choice_label(c, lang)) for c in x.choices], given.get(x.code))
            for x in q.questions
        ]
        problems = extra.pop("problems", None) or {}
        return render(
            request,
            "suppliers/answer.html",
            {
                "invitation": invitation,
                "title": q.title.get(lang, q.title["en"]),
                "questions": questions,
                "given": given,
                "faulty": {problems.get("field", "")} | set(problems),
                **extra,
            },
            status=status,
        )

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        return self._render(request, token)

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        q = questionnaire.current()
        answers = {x.code: request.POST.get(x.code, "") for x in q.questions}
        year = request.POST.get("statement_year", "")
        try:
            upload: Any = request.FILES.get("document")
            document = None if upload is None else (upload, upload.name or "document")
            duediligence.submit_answers(
                token,
                answers,
                request.POST.get("statement", ""),
                int(year) if year.isdigit() else None,
                document=document,
            )
        except VigieError as exc:
            if exc.status in {400, 413}:  # the link stays open: the supplier corrects and resends
                return self._render(
                    request, token, error=exc.message, problems=exc.detail, status=exc.status
                )
            return render(
                request, "suppliers/answer_closed.html", {"message": exc.message}, status=exc.status
            )
        return render(request, "suppliers/answer_closed.html", {"thanks": True})
