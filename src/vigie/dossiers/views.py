"""Dossier pages: the list with the form to open one, the dossier (particulars, names,
documents, linked cases, facts mapped to criteria, sections, review and exports) and the
small forms that post to it. Thin: each calls a service and comes back to the dossier."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View

from vigie.core import access
from vigie.core.actor import Actor, actor_for, actor_of_request
from vigie.core.errors import NotFound, VigieError
from vigie.dossiers import exports, forms, regimes, selectors, services
from vigie.dossiers.models import Dossier
from vigie.web.mixins import PermissionRequired

VIEW, EDIT, REVIEW, EXPORT = "dossier.view", "dossier.edit", "dossier.review", "dossier.export"


def source_label(kind: str) -> str:
    """What a fact's source is, in words (services.SOURCE_KINDS holds the codes)."""
    labels = {
        "case": _("Case"),
        "evidence": _("Evidence item"),
        "hit": _("Screening hit"),
        "document": _("Document"),
    }
    return labels.get(kind, kind)


def _dossier(request: HttpRequest, uuid: Any, perm: str = VIEW) -> tuple[Actor, Dossier]:
    actor = actor_of_request(request)
    try:
        dossier = selectors.get_dossier_for(actor, uuid, perm)
    except NotFound:
        raise Http404 from None
    return actor.with_organisation(dossier.organisation_id), dossier


class ListPage(PermissionRequired, View):
    required_permission = VIEW

    def _render(
        self, request: HttpRequest, form: forms.CreateForm, status: int = 200
    ) -> HttpResponse:
        actor = actor_of_request(request)
        rows = list(selectors.visible_dossiers(actor, request.GET.get("status") or None)[:100])
        selectors.record_list_view(actor, rows)
        lang = get_language() or "en"
        known = regimes.catalogue().regimes
        listed = [(d, known[d.regime].label(lang) if d.regime in known else d.regime) for d in rows]
        return render(
            request,
            "dossiers/list.html",
            {"rows": listed, "form": form, "can_create": access.has_perm(request.user, EDIT)},
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, forms.CreateForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = forms.CreateForm(request.POST)
        if not form.is_valid():
            return self._render(request, form, status=400)
        try:
            actor = actor_for(request.user, EDIT, request.POST.get("organisation") or None)
            dossier = services.create_dossier(actor, **form.cleaned_data)
        except VigieError as exc:
            messages.error(request, exc.message)
            return self._render(request, form, status=exc.status)
        return redirect("dossiers:detail", uuid=dossier.uuid)


class DetailPage(PermissionRequired, View):
    required_permission = VIEW

    def get(self, request: HttpRequest, uuid: Any) -> HttpResponse:
        actor, dossier = _dossier(request, uuid)
        identities = request.GET.get("identities") == "1"
        lang = (get_language() or "en")[:2]
        parts = selectors.view(actor, dossier, identities=identities, language=lang)
        regime = regimes.catalogue().get(dossier.regime)
        draft = dossier.status == Dossier.Status.DRAFT
        can_edit = draft and actor.has_perm(EDIT, dossier.organisation_id)
        facts = []
        for fact in dossier.facts.all():
            criterion = regime.criteria.get(fact.criterion)
            label = criterion.label(lang) if criterion else fact.criterion
            sources = [(source_label(src["kind"]), src["ref"]) for src in fact.sources]
            facts.append({"fact": fact, "criterion": criterion, "label": label, "sources": sources})
        particulars = forms.ParticularsForm(
            initial={
                "primary_name": dossier.primary_name, "title": dossier.title,
                "designation": dossier.designation, "birth_date": dossier.birth_date,
                "birth_place": dossier.birth_place, "gender": dossier.gender,
                "nationalities": " ".join(dossier.nationalities), "address": dossier.address,
                "narrative": dossier.narrative, "other_information": dossier.other_information,
            }
        )  # fmt: skip
        context = {
            "dossier": dossier,
            "regime": regime,
            "regime_label": regime.label(lang),
            "committee": regime.committee_name(lang),
            "sections": parts,
            "facts": facts,
            "identities": identities,
            "can_edit": can_edit,
            "can_move": actor.has_perm(EDIT, dossier.organisation_id)
            or actor.has_perm(REVIEW, dossier.organisation_id),
            "can_export": actor.has_perm(EXPORT, dossier.organisation_id),
            "particulars": particulars,
            "alias_form": forms.AliasForm(),
            "identifier_form": forms.IdentifierForm(),
            "case_form": forms.LinkCaseForm(),
            "fact_form": forms.FactForm(dossier),
            "transition_form": forms.TransitionForm(),
            "exports": dossier.exports.select_related("exported_by")[:20],
        }
        return render(request, "dossiers/detail.html", context)


class _Post(PermissionRequired, View):
    """A form posted from the dossier page: call the service, say what happened, go back."""

    required_permission = EDIT
    form_class: Any = None

    def form(self, request: HttpRequest, dossier: Dossier) -> Any:
        return self.form_class(request.POST)

    def act(self, actor: Actor, dossier: Dossier, data: dict[str, Any], form: Any) -> str:
        raise NotImplementedError

    def post(self, request: HttpRequest, uuid: Any) -> HttpResponse:
        actor, dossier = _dossier(request, uuid)
        form = self.form(request, dossier)
        if not form.is_valid():
            for field, errors in form.errors.items():
                label = form.fields[field].label if field in form.fields else ""
                messages.error(
                    request, f"{label}: {' '.join(errors)}" if label else " ".join(errors)
                )
            return redirect("dossiers:detail", uuid=dossier.uuid)
        try:
            messages.success(request, self.act(actor, dossier, form.cleaned_data, form))
        except VigieError as exc:
            messages.error(request, exc.message)
        return redirect("dossiers:detail", uuid=dossier.uuid)


class ParticularsPost(_Post):
    form_class = forms.ParticularsForm

    def act(self, actor: Actor, dossier: Dossier, data: dict[str, Any], form: Any) -> str:
        services.update_dossier(actor, dossier, **data)
        return _("Saved.")


class AliasPost(_Post):
    form_class = forms.AliasForm

    def act(self, actor: Actor, dossier: Dossier, data: dict[str, Any], form: Any) -> str:
        services.add_alias(actor, dossier, data["name"], kind=data["kind"], quality=data["quality"])
        return _("Name added.")


class IdentifierPost(_Post):
    form_class = forms.IdentifierForm

    def act(self, actor: Actor, dossier: Dossier, data: dict[str, Any], form: Any) -> str:
        services.add_identifier(actor, dossier, **data)
        return _("Document added.")


class CasePost(_Post):
    form_class = forms.LinkCaseForm

    def act(self, actor: Actor, dossier: Dossier, data: dict[str, Any], form: Any) -> str:
        from vigie.cases.models import Case

        qs = Case.objects.filter(reference=data["case"].strip())
        orgs = actor.organisations_with("case.view")
        if orgs is not access.ALL:
            qs = qs.filter(organisation_id__in=sorted(orgs))
        case = qs.order_by("id").first()
        if case is None:
            raise NotFound(_("No case you may see has this reference."))
        perpetrator = case.perpetrators.order_by("id").first()
        services.link_case(actor, dossier, case.uuid, perpetrator.uuid if perpetrator else None)
        return _("Case linked.")


class FactPost(_Post):
    def form(self, request: HttpRequest, dossier: Dossier) -> Any:
        return forms.FactForm(dossier, request.POST)

    def act(self, actor: Actor, dossier: Dossier, data: dict[str, Any], form: Any) -> str:
        services.add_fact(
            actor, dossier, criterion=data["criterion"], statement=data["statement"],
            sources=form.sources(), date_from=data["date_from"], date_to=data["date_to"],
        )  # fmt: skip
        return _("Fact added.")


class TransitionPost(_Post):
    required_permission = VIEW
    form_class = forms.TransitionForm

    def act(self, actor: Actor, dossier: Dossier, data: dict[str, Any], form: Any) -> str:
        services.record_transition(actor, dossier, data["action"], data["reason"])
        return _("The dossier is now %(status)s.") % {"status": dossier.get_status_display()}


class ExportPage(PermissionRequired, View):
    required_permission = EXPORT

    def get(self, request: HttpRequest, uuid: Any) -> HttpResponse:
        actor, dossier = _dossier(request, uuid, EXPORT)
        try:
            out = exports.export(
                actor, dossier, request.GET.get("output", "pdf"), request.GET.get("lang", "en"),
                identities=request.GET.get("identities") == "1",
            )  # fmt: skip
        except VigieError as exc:
            messages.error(request, exc.message)
            return redirect("dossiers:detail", uuid=dossier.uuid)
        response = HttpResponse(out.content, content_type=out.content_type)
        response["Content-Disposition"] = f'attachment; filename="{out.filename}"'
        return response
