"""Pages: case list, case page (with the route map), case form, export. Thin: services and
selectors do the work. The import pages are in vigie.cases.interchange.import_views."""

from __future__ import annotations

import uuid as uuidlib
from pathlib import Path
from typing import Any

from auditlog.models import LogEntry
from django.apps import apps as django_apps
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views import View

from vigie.cases import codelists, selectors, services
from vigie.cases.forms import (
    GRID_AGES,
    GRID_SEXES,
    CaseForm,
    form_to_record,
    formsets_valid,
    problem_field,
    quiet,
    record_to_initial,
    row_formsets,
)
from vigie.cases.models import Case, Incident, Referral
from vigie.core import access
from vigie.core.actor import Actor, Viewer, acting_organisation
from vigie.core.errors import Invalid
from vigie.core.models import Organisation
from vigie.web.mixins import PermissionRequired

FILTER_LISTS = {
    "situation": "conflict_situations",
    "form": "exploitation_forms",
    "sex": "sex",
    "age_group": "age_groups",
    "verification": "verification_status",
    "group": "armed_groups",
}


class CaseListView(PermissionRequired, View):
    required_permission = "case.view"

    def get(self, request: HttpRequest) -> HttpResponse:
        user = access.request_user(request)
        filters = selectors.CaseFilters.from_params(request.GET)
        qs = selectors.filter_cases(selectors.visible_cases(user), filters)
        page = selectors.case_page(qs, request.GET)
        visible_orgs = access.organisations_with(user, "case.view")
        orgs = Organisation.objects.filter(is_active=True)
        if visible_orgs is not None:
            orgs = orgs.filter(pk__in=visible_orgs)
        lists = {k: codelists.get(v).choices() for k, v in FILTER_LISTS.items()}
        countries = codelists.get("countries").sorted_choices()
        query = request.GET.copy()
        query.pop("page", None)
        return render(
            request,
            "cases/list.html",
            {
                "page": page,
                "filters": filters,
                "lists": lists,
                "countries": countries,
                "organisations": orgs,
                "query": query.urlencode(),
                "situations": codelists.get("conflict_situations"),
                "verification": codelists.get("verification_status"),
                "sources": codelists.get("data_source_types"),
                "can_create": access.has_perm(user, "case.create"),
                "can_import": access.has_perm(user, "case.import"),
                "can_export": access.has_perm(user, "case.export"),
            },
        )


def _labelled(record: dict[str, Any]) -> dict[str, Any]:
    """Labels for the codes a case page shows."""

    def lab(listname: str, code: Any) -> str:
        return codelists.get(listname).label(code) if code else ""

    def labs(listname: str, codes: list[str]) -> str:
        return ", ".join(lab(listname, c) for c in codes or [])

    out: dict[str, Any] = {
        "situation": lab("conflict_situations", record["conflict_situation"]),
        "context": lab("conflict_contexts", record["conflict_context"]),
        "source_type": lab("data_source_types", record["source_type"]),
        "verification": lab("verification_status", record["verification_status"]),
        "status": lab("case_status", record["status"]),
        "country": lab("countries", record["country"]),
        "investigation": lab("justice_status", record.get("investigation_status")),
        "prosecution": lab("justice_status", record.get("prosecution_status")),
        "conviction": lab("justice_status", record.get("conviction_status")),
        "victims": [],
        "incidents": [],
        "referrals": [],
        "exploitations": [],
        "perpetrators": [],
        "route": [],
    }
    for v in record["victims"]:
        out["victims"].append(
            {
                **v,
                "sex_l": lab("sex", v["sex"]),
                "band_l": lab("age_bands", v["age_band_at_identification"]),
                "citizenship_l": lab("countries", v["citizenship"]),
                "displacement_l": lab("displacement_status", v["displacement_status"]),
                "minority_l": lab("minority_groups", v["minority_group"]),
                "status_l": lab("trafficking_status", v["trafficking_status"]),
            }
        )
    linked = {v.get("incident") for v in record["victims"] if v.get("incident")}
    for i in record.get("incidents") or []:
        counted = sum(i.get(n) or 0 for n in Incident.COUNT_FIELDS)
        out["incidents"].append(
            {
                **i,
                "forms_l": labs("exploitation_forms", i["forms"]),
                "means_l": labs("means", i["means"]),
                "group_l": lab("armed_groups", i["armed_group"]),
                "country_l": lab("countries", i["country"]),
                "grid": [
                    (age, cells, sum(cells))
                    for code, age in GRID_AGES
                    for cells in [[i.get(f"count_{sex}_{code}") or 0 for sex, _l in GRID_SEXES]]
                ],
                "counted": counted,
                "total": max(i.get("total_reported") or 0, counted),
                "includes_person": i.get("uuid") in linked,
            }
        )
    statuses = dict(Referral.Status.choices)
    for r in record.get("referrals") or []:
        out["referrals"].append(
            {
                **r,
                "service_l": lab("referral_services", r["service"]),
                "status_l": capfirst(statuses.get(r["status"], r["status"])),
            }
        )
    for e in record["exploitations"]:
        out["exploitations"].append(
            {
                **e,
                "forms_l": labs("exploitation_forms", e["forms"]),
                "means_l": labs("means", e["means"]),
                "sectors_l": labs("labour_sectors", e["labour_sectors"]),
                "country_l": lab("countries", e["country"]),
            }
        )
    for p in record["perpetrators"]:
        out["perpetrators"].append(
            {
                **p,
                "type_l": lab("perpetrator_types", p["perpetrator_type"]),
                "group_l": lab("armed_groups", p["group_code"]) or p["group_name"],
                "role_l": lab("perpetrator_roles", p["role"]),
                "relationship_l": lab("relationships", p["relationship"]),
            }
        )
    for leg in record["route"]:
        out["route"].append(
            {
                **leg,
                "country_l": lab("countries", leg["country"]),
                "role_l": lab("route_leg_roles", leg["role"]),
                "transport_l": lab("transport_modes", leg["transport_mode"]),
                "corridor_l": lab("corridors", leg["corridor"]),
            }
        )
    return out


def route_points(route: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The route legs as the case page's map draws them: number, ISO numeric country (the
    world map's feature id), coordinates when recorded (else the map uses the country's centre)
    and a short label."""
    countries = codelists.get("countries")
    out = []
    for n, leg in enumerate(route, 1):
        item = countries.codes.get(leg.get("country") or "")
        numeric = str(item.attrs.get("numeric") or "").zfill(3) if item else ""
        lat, lon = leg.get("latitude"), leg.get("longitude")
        out.append(
            {
                "n": n,
                "country": leg.get("country") or "",
                "numeric": numeric,
                "lat": lat if lat is not None and lon is not None else None,
                "lon": lon if lat is not None and lon is not None else None,
                "label": ", ".join(
                    x for x in (leg.get("country_l"), leg.get("area"), leg.get("role_l")) if x
                ),
            }
        )
    return out


def _evidence_panel(user: Viewer, case: Case) -> dict[str, Any] | None:
    """The evidence app's panel data, if that app is installed (cases does not need it)."""
    if not django_apps.is_installed("vigie.evidence"):
        return None
    from vigie.evidence.selectors import case_panel

    return case_panel(user, case)


def _screening(user: Viewer, case: Any) -> list[dict[str, Any]] | None:
    """The sanctions screening panel's rows, when the screening app is installed."""
    if not django_apps.is_installed("vigie.screening"):
        return None
    from vigie.screening.selectors import case_screening

    return case_screening(user, case)


def _finance_panel(user: Viewer, case: Any) -> dict[str, Any] | None:
    """The financial profile of the case (accounts linked by a financial intelligence unit)."""
    if not django_apps.is_installed("vigie.finance"):
        return None
    from vigie.finance.caselinks import case_panel

    return case_panel(user, case)


class CaseDetailView(PermissionRequired, View):
    """The case page. Identities appear only after "Show identities" (POST), which is logged."""

    required_permission = "case.view"

    def get(self, request: HttpRequest, uuid: uuidlib.UUID, identity: bool = False) -> HttpResponse:
        user = access.request_user(request)
        case = selectors.get_case_for(user, uuid)
        record = selectors.case_record_for(user, case, identity=identity)
        labels = _labelled(record)
        history = LogEntry.objects.get_for_object(case).select_related("actor")[:50]
        return render(
            request,
            "cases/detail.html",
            {
                "case": case,
                "record": record,
                "labels": labels,
                "route_points": route_points(labels["route"]),
                "grid_sexes": [label for _sex, label in GRID_SEXES],
                "identity_shown": identity and selectors.may_see_identity(user, case),
                "may_see_identity": selectors.may_see_identity(user, case),
                "may_change": access.can(user, "case.change", case),
                "history": history,
                "evidence_panel": _evidence_panel(user, case),
                "screening": _screening(user, case),
                "finance_panel": _finance_panel(user, case),
            },
        )

    def post(self, request: HttpRequest, uuid: uuidlib.UUID) -> HttpResponse:
        user = access.request_user(request)
        case = selectors.get_case_for(user, uuid)
        if not selectors.may_see_identity(user, case):
            raise PermissionDenied
        return self.get(request, uuid, identity=True)


class CaseFormView(PermissionRequired, View):
    """Create (no uuid) or edit a case. A failed submit shows every value as typed."""

    required_permission = "case.create"

    def _context(self, request: HttpRequest, uuid: uuidlib.UUID | None) -> tuple[Actor, Any, Any]:
        """The actor (resolved once: the user for the case's organisation, or, for a new
        case, for the organisation of the one rule, ``acting_organisation``: the one named
        by ``?organisation=CODE``, else their only one), that organisation and the case."""
        user = access.request_user(request)
        if uuid is None:
            code = request.GET.get("organisation") or None
            org = acting_organisation(user, "case.create", code)
            return Actor(user=user, organisation_id=org.pk), org, None
        case = selectors.get_case_for(user, uuid, "case.change")
        return Actor(user=user, organisation_id=case.organisation_id), case.organisation, case

    def _choose(self, request: HttpRequest) -> HttpResponse:
        """A user who may create cases in several organisations names the one first."""
        user = access.request_user(request)
        allowed = access.organisations_with(user, "case.create")
        orgs = Organisation.objects.filter(is_active=True).order_by("name")
        if allowed is not access.ALL:
            orgs = orgs.filter(pk__in=list(allowed))
        return render(request, "cases/choose_organisation.html", {"organisations": orgs})

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return super().dispatch(request, *args, **kwargs)
        except Invalid as exc:
            if exc.code != "organisation_required":
                raise
            return self._choose(request)

    def get(self, request: HttpRequest, uuid: uuidlib.UUID | None = None) -> HttpResponse:
        actor, org, case = self._context(request, uuid)
        show = services.may_record_identity(actor, org)
        refer = services.may_refer(actor, org)
        if case is None:
            form = CaseForm(initial={"status": "active", "verification_status": "reported"})
            rows = row_formsets(refer=refer, identity=show)
        else:
            record = selectors.case_record_for(actor, case, identity=show)
            form = CaseForm(initial=record_to_initial(record))
            rows = row_formsets(record=record, refer=refer, identity=show)
        return self._render(request, form, rows, case)

    def _render(
        self,
        request: HttpRequest,
        form: CaseForm,
        rows: dict[str, Any],
        case: Any,
        status: int = 200,
        focus: str = "",
    ) -> HttpResponse:
        # suggestions for a referral's receiving organisation (free text: partners outside
        # Vigie are named too)
        names = Organisation.objects.filter(is_active=True).order_by("name")
        return render(
            request,
            "cases/form.html",
            {
                "form": form,
                "rows": rows,
                "case": case,
                "focus": focus,
                "failed": status == 400,
                "receiving_organisations": names.values_list("name", flat=True),
            },
            status=status,
        )

    def post(self, request: HttpRequest, uuid: uuidlib.UUID | None = None) -> HttpResponse:
        actor, org, case = self._context(request, uuid)
        show = services.may_record_identity(actor, org)
        add = request.POST.get("add_row", "")
        form = CaseForm(request.POST)
        rows = row_formsets(
            request.POST, add=add, refer=services.may_refer(actor, org), identity=show
        )
        if add in rows:
            # "Add another" without JavaScript: the same page with one more empty row, nothing
            # saved, every value kept; focus goes to the new row
            total = len(rows[add].forms)
            quiet(form, rows)
            return self._render(request, form, rows, case, focus=f"{add}-{total - 1}")
        if not (form.is_valid() and formsets_valid(rows)):
            return self._render(request, form, rows, case, 400)
        data = dict(form.cleaned_data)
        if "save_draft" in request.POST:
            data["status"] = "draft"
        existing = selectors.case_record_for(actor, case, identity=show) if case else None
        if existing:
            for key in ("uuid", "organisation", "standard_version", "created_at", "updated_at"):
                existing.pop(key, None)
        record, where = form_to_record(data, rows, existing)
        try:
            saved = services.save_record(actor, org, record, instance=case)
        except services.RecordInvalid as exc:
            for p in exc.problems:
                prefix, index, name = problem_field(p.path, where)
                if prefix:
                    row = rows[prefix].forms[index]
                    row.add_error(name if name in row.fields else None, p.message)
                elif name in form.fields:
                    form.add_error(name, p.message)
                else:
                    form.add_error(None, f"{p.path}: {p.message}")
            return self._render(request, form, rows, case, 400)
        messages.success(request, _("Case %(ref)s saved.") % {"ref": saved.reference})
        return redirect("cases:detail", uuid=saved.uuid)


class CaseEditView(CaseFormView):
    required_permission = "case.change"


EXPORT_TYPES = {
    "csv": ("text/csv", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "parquet": ("application/vnd.apache.parquet", "parquet"),
    "ctdc": ("text/csv", "csv"),
    "htcds": ("application/json", "json"),
    "htcds-csv": ("text/csv", "csv"),
    "htcds-xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "json": ("application/json", "json"),
}


class ExportView(PermissionRequired, View):
    """Download the cases of the list's current filters, without identities (logged)."""

    required_permission = "case.export"

    def get(self, request: HttpRequest) -> HttpResponseBase:
        import tempfile

        from django.http import FileResponse

        from vigie.cases.interchange import exporter

        fmt = request.GET.get("format", "csv")
        if fmt not in EXPORT_TYPES:
            raise Http404
        user = access.request_user(request)
        filters = selectors.CaseFilters.from_params(request.GET)
        content_type, suffix = EXPORT_TYPES[fmt]
        handle = tempfile.NamedTemporaryFile(suffix=f".{suffix}")  # noqa: SIM115 (FileResponse closes it)
        exporter.export(user, fmt, Path(handle.name), filters=filters)
        handle.seek(0)
        name = f"vigie-cases-{fmt}.{suffix}"
        return FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)
