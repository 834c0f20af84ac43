"""Pages: the alert queue, one alert (triage, goAML download), transaction files."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from vigie.core import access, audit, jobs
from vigie.core.actor import Actor, acting_organisation
from vigie.core.errors import VigieError
from vigie.core.models import Job
from vigie.finance import reports, rules, selectors, services, tasks, uploads
from vigie.finance.forms import DecisionForm, UploadForm
from vigie.finance.mapping import CHANNEL_LABELS
from vigie.finance.models import Account, Alert
from vigie.finance.scoring import FEATURE_LABELS
from vigie.web.mixins import PermissionRequired


def _actor(request: HttpRequest) -> Actor:
    return Actor(user=access.request_user(request))


class AlertsPage(PermissionRequired, View):
    required_permission = "finance.view"

    def get(self, request: HttpRequest) -> HttpResponse:
        status = request.GET.get("status", "open")
        if status not in {*Alert.Status.values, "all"}:
            status = "open"
        rule = request.GET.get("rule", "")
        qs = selectors.visible_alerts(
            _actor(request),
            status=None if status == "all" else status,
            rule=rule if rule in rules.library().rules else None,
        ).order_by("-account__score", "-created_at")
        page = Paginator(qs, 25).get_page(request.GET.get("page"))
        lang = request.LANGUAGE_CODE
        lib = rules.library().rules
        items = [
            {
                "alert": a,
                "label": lib[a.rule].label_in(lang) if a.rule in lib else a.rule,
                "explanation": lib[a.rule].explanation(a.facts, lang) if a.rule in lib else "",
            }
            for a in page
        ]
        return render(
            request,
            "finance/alerts.html",
            {
                "page": page,
                "items": items,
                "status": status,
                "rule": rule,
                "rules": [(code, r.label_in(lang)) for code, r in lib.items()],
                "statuses": Alert.Status.choices,
            },
        )


class AlertPage(PermissionRequired, View):
    required_permission = "finance.view"

    def _render(self, request: HttpRequest, alert: Alert, form: DecisionForm) -> HttpResponse:
        lang = request.LANGUAGE_CODE
        rule = rules.library().rules.get(alert.rule)
        transactions = reports.alert_transactions(alert)
        numbers = {
            a.number_key: a
            for a in Account.objects.filter(
                organisation_id=alert.organisation_id,
                number_key__in={
                    k for t in transactions for k in (t["from_account"], t["to_account"]) if k
                },
            )
        }
        audit.record_access(
            request.user,
            "view",
            "finance.alert",
            str(alert.pk),
            fields=["account.number"],
            organisation_code=alert.organisation.code,
        )
        return render(
            request,
            "finance/alert.html",
            {
                "alert": alert,
                "rule": rule,
                "label": rule.label_in(lang) if rule else alert.rule,
                "explanation": rule.explanation(alert.facts, lang) if rule else "",
                "drivers": [
                    str(FEATURE_LABELS.get(d, d))
                    for d in (alert.account.score_detail or {}).get("drivers", [])
                ],
                "transactions": [
                    {
                        **t,
                        "channel_label": CHANNEL_LABELS.get(t["channel"], t["channel"] or ""),
                        "from_number": numbers[t["from_account"]].number
                        if t["from_account"] in numbers
                        else "",
                        "to_number": numbers[t["to_account"]].number
                        if t["to_account"] in numbers
                        else "",
                    }
                    for t in transactions
                ],
                "form": form,
                "may_report": access.has_perm(
                    request.user, "finance.report", alert.organisation_id
                ),
                "open": alert.status not in Alert.CLOSED,
            },
        )

    def get(self, request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
        alert = selectors.get_alert_for(_actor(request), pk)
        return self._render(request, alert, DecisionForm())

    def post(self, request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
        actor = _actor(request)
        alert = selectors.get_alert_for(actor, pk)
        if request.POST.get("assign") == "me":
            services.assign_alert(actor, alert, actor.user)
            messages.success(request, _("The alert is assigned to you."))
            return redirect("finance:alert", pk=alert.pk)
        form = DecisionForm(request.POST)
        if form.is_valid():
            try:
                services.decide_alert(
                    actor, alert, form.cleaned_data["status"], form.cleaned_data["note"]
                )
            except VigieError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Decision recorded."))
                return redirect("finance:alert", pk=alert.pk)
        return self._render(request, alert, form)


class AlertGoaml(PermissionRequired, View):
    required_permission = "finance.report"

    def get(self, request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
        actor = _actor(request)
        alert = selectors.get_alert_for(actor, pk)
        data = reports.goaml_str(actor, alert)
        response = HttpResponse(data, content_type="application/xml")
        response["Content-Disposition"] = f'attachment; filename="goaml-str-{alert.pk}.xml"'
        return response


class FilesPage(PermissionRequired, View):
    required_permission = "finance.view"

    def _render(self, request: HttpRequest, form: UploadForm) -> HttpResponse:
        files = selectors.visible_files(_actor(request))[:200]
        return render(request, "finance/files.html", {"files": files, "form": form})

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, UploadForm())

    def post(self, request: HttpRequest) -> HttpResponseBase:
        if "run" in request.POST:
            user = access.request_user(request)
            org = acting_organisation(user, "finance.view", request.POST.get("org"))
            job = jobs.start(tasks.RUN, user=user, organisation=org, params={})
            return redirect("finance:job", pk=job.pk)
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._render(request, form)
        user = access.request_user(request)
        try:
            org = acting_organisation(user, "finance.import", request.POST.get("org"))
            job = uploads.start_import(
                Actor(user=user, organisation_id=org.pk),
                org,
                form.cleaned_data["file"],
                form.cleaned_data["mapping"],
                partial=form.cleaned_data["partial"],
            )
        except VigieError as exc:
            form.add_error(None, exc.message)
            return self._render(request, form)
        return redirect("finance:job", pk=job.pk)


class JobPage(PermissionRequired, View):
    required_permission = "finance.view"

    def get(self, request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
        job = Job.objects.filter(pk=pk, kind__startswith="finance.").first()
        if job is None or job.created_by_id != request.user.pk:
            raise Http404
        template = "finance/_job.html" if request.headers.get("HX-Request") else "finance/job.html"
        return render(request, template, {"job": job})
