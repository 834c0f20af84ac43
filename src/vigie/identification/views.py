"""Pages: the interview (phone width, draft kept on the server, Arabic), the referral form
with consent, a referral as its receiver sees it, the service search and the caseload."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from vigie.core.actor import Actor, acting_organisation, actor_of_request
from vigie.core.errors import Forbidden, NotFound, VigieError
from vigie.core.models import Organisation
from vigie.identification import (
    caseload,
    directory,
    forms,
    indicators,
    notifications,
    referrals,
    selectors,
    services,
)
from vigie.identification.indicators import label
from vigie.web.mixins import PermissionRequired

INTERVIEW = "identification.interview"


def _actor(request: HttpRequest) -> Actor:
    return actor_of_request(request)


def _get_or_404(fn: Any, *args: Any) -> Any:
    try:
        return fn(*args)
    except NotFound:
        raise Http404 from None


class InterviewsPage(PermissionRequired, View):
    required_permission = INTERVIEW

    def get(self, request: HttpRequest) -> HttpResponse:
        rows = selectors.visible_interviews(_actor(request))[:50]
        return render(
            request, "identification/interviews.html", {"rows": rows, "form": forms.StartForm()}
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        form = forms.StartForm(request.POST)
        if not form.is_valid():
            rows = selectors.visible_interviews(_actor(request))[:50]
            return render(
                request, "identification/interviews.html", {"rows": rows, "form": form}, status=400
            )
        org = acting_organisation(request.user, INTERVIEW, request.POST.get("organisation") or None)
        actor = Actor(user=request.user, organisation_id=org.pk)  # type: ignore[arg-type]
        interview = services.start_interview(
            actor, form.cleaned_data["list_code"], form.cleaned_data["language"]
        )
        return redirect("identification:interview", uuid=interview.uuid)


def _interview_context(interview: Any, person: forms.PersonForm | None = None) -> dict[str, Any]:
    iset = indicators.indicator_set(interview.indicator_set)
    ldef = iset.list(interview.list_code)
    # a decided interview shows the result it was decided on (and that set's version)
    result = (
        indicators.Result.from_dict(interview.result)
        if interview.result
        else indicators.score(interview.list_code, interview.present, interview.indicator_set)
    )
    present = set(interview.present)
    elements: list[dict[str, Any]] = []
    for code, (group, labels) in iset.elements.items():
        items = [
            {
                "code": f"{code}.{ind}",
                "strength": strength,
                "label": label(iset.indicators[ind].labels),
                "checked": f"{code}.{ind}" in present,
                "source": iset.indicators[ind].source,
            }
            for strength in indicators.STRENGTHS
            for ind in ldef.items.get(code, {}).get(strength, ())
        ]
        elements.append(
            {
                "code": code,
                "label": label(labels),
                "group": label(iset.groups[group]),
                "items": items,
            }
        )
    by_code = {e.code: e for e in result.elements}
    for e in elements:
        r = by_code[e["code"]]
        e["present"] = r.present
        e["drivers"] = [label(iset.indicators[k.split(".", 1)[1]].labels) for k in r.drivers]
    person = person or forms.PersonForm(
        initial={
            k: getattr(interview, k)
            for k in (
                "given_name",
                "family_name",
                "sex",
                "age",
                "citizenship",
                "displacement_status",
                "country",
            )
        }
    )
    return {
        "interview": interview,
        "elements": elements,
        "result": result,
        "set_title": label(iset.labels),
        "list_label": label(ldef.labels),
        "person": person,
        "conflict": [label(iset.indicators[i].labels) for i in result.conflict],
    }


class InterviewPage(PermissionRequired, View):
    """GET shows the interview; POST saves the draft (htmx posts on every change)."""

    required_permission = INTERVIEW

    def get(self, request: HttpRequest, uuid: Any) -> HttpResponse:
        actor = _actor(request)
        interview = _get_or_404(selectors.get_interview_for, actor, uuid)
        person = forms.PersonForm(initial=selectors.interview_person(actor, interview))
        return render(
            request, "identification/interview.html", _interview_context(interview, person)
        )

    def post(self, request: HttpRequest, uuid: Any) -> HttpResponse:
        actor = _actor(request)
        interview = _get_or_404(selectors.get_interview_for, actor, uuid)
        person = forms.PersonForm(request.POST)
        changes: dict[str, Any] = {"present": request.POST.getlist("present")}
        if person.is_valid():
            data = {k: v for k, v in person.cleaned_data.items() if v not in (None, "")}
            if not actor.has_perm("victim.identity.view", interview.organisation_id):
                data.pop("given_name", None)
                data.pop("family_name", None)
            changes.update(data)
        try:
            interview = services.save_draft(
                actor.with_organisation(interview.organisation_id), interview, **changes
            )
        except VigieError as exc:
            messages.error(request, exc.message)
        ctx = _interview_context(interview, person)
        if request.headers.get("HX-Request"):
            return render(request, "identification/_result.html", ctx)
        messages.success(request, _("Draft saved."))
        return redirect("identification:interview", uuid=interview.uuid)


class DecidePage(PermissionRequired, View):
    required_permission = INTERVIEW

    def post(self, request: HttpRequest, uuid: Any) -> HttpResponse:
        actor = _actor(request)
        interview = _get_or_404(selectors.get_interview_for, actor, uuid)
        try:
            interview = services.decide(
                actor.with_organisation(interview.organisation_id),
                interview,
                request.POST.get("open_case") == "1",
            )
        except VigieError as exc:
            messages.error(request, exc.message)
            return redirect("identification:interview", uuid=interview.uuid)
        if interview.case is not None:
            messages.success(
                request,
                _("Case %(ref)s opened from the interview.") % {"ref": interview.case.reference},
            )
            return redirect("identification:refer", uuid=interview.case.uuid)
        messages.success(request, _("Recorded: trafficking not indicated."))
        return redirect("identification:interviews")


def _other_orgs(case_org_id: int) -> list[tuple[str, str]]:
    return list(
        Organisation.objects.filter(is_active=True)
        .exclude(pk=case_org_id)
        .values_list("code", "name")
    )


def _np_initial(np: Any) -> dict[str, Any]:
    if np is None:
        return {}
    return {
        "compelled_offences": ", ".join(np.compelled_offences),
        "legal_status": np.legal_status,
        "detained": np.detained,
        "prosecuted": np.prosecuted,
        "released_from_armed_group": np.released_from_armed_group,
        "checklist": [k for k, v in np.checklist.items() if v],
    }


class ReferPage(PermissionRequired, View):
    """Consent and referral for one case: record consent, see routing suggestions, refer."""

    required_permission = "referral.manage"

    def _ctx(self, request: HttpRequest, case: Any, **extra: Any) -> dict[str, Any]:
        orgs = _other_orgs(case.organisation_id)
        np = selectors.non_punishment_of(case)
        needs = referrals.config()["service_types"]
        closure = selectors.closure_of(case)
        sent = (
            referrals.visible_referrals(_actor(request))
            .filter(case=case)
            .select_related("receiving_organisation")
        )
        return {
            "case": case,
            "consents": selectors.consents_of(case)[:20],
            "routes": referrals.suggest_routes(case),
            "sent": sent,
            "consent_form": extra.get("consent_form")
            or forms.ConsentForm(
                organisations=orgs, initial={"language": request.LANGUAGE_CODE[:2]}
            ),
            "referral_form": extra.get("referral_form") or forms.ReferralForm(organisations=orgs),
            "plan": [
                (
                    item,
                    label(needs[item.need]) if item.need in needs else item.need,
                    forms.PlanUpdateForm(
                        initial={
                            "item": item.uuid,
                            "status": item.status,
                            "follow_up_date": item.follow_up_date,
                            "due_date": item.due_date,
                        },
                        prefix=f"p{item.pk}",
                    ),
                )
                for item in selectors.plan_of(case)
            ],
            "plan_form": extra.get("plan_form") or forms.PlanItemForm(organisations=orgs),
            "closure": closure,
            "closure_reason": forms.CLOSURE_REASONS.get(closure.reason, closure.reason)
            if closure
            else "",
            "closure_form": extra.get("closure_form") or forms.ClosureForm(),
            "np": np,
            "np_form": extra.get("np_form") or forms.NonPunishmentForm(initial=_np_initial(np)),
            "responsible": referrals.responsible_organisation(case),
        }

    def get(self, request: HttpRequest, uuid: Any) -> HttpResponse:
        case = _get_or_404(selectors.get_case_for, _actor(request), uuid, "referral.manage")
        return render(request, "identification/refer.html", self._ctx(request, case))

    def post(self, request: HttpRequest, uuid: Any) -> HttpResponse:
        actor = _actor(request)
        case = _get_or_404(selectors.get_case_for, actor, uuid, "referral.manage")
        actor = actor.with_organisation(case.organisation_id)
        orgs = _other_orgs(case.organisation_id)
        try:
            action = request.POST.get("action")
            if action == "plan":
                return self._plan(request, actor, case, orgs)
            if action == "plan_update":
                return self._plan_update(request, actor, case)
            if action == "close":
                return self._close(request, actor, case)
            if action == "non_punishment":
                return self._non_punishment(request, actor, case)
            if action == "consent":
                cf = forms.ConsentForm(request.POST, organisations=orgs)
                if not cf.is_valid():
                    return render(
                        request,
                        "identification/refer.html",
                        self._ctx(request, case, consent_form=cf),
                        status=400,
                    )
                d = dict(cf.cleaned_data)
                code = d.pop("recipient")
                recipient = Organisation.objects.get(code=code) if code else None
                services.record_consent(
                    actor, case, d.pop("purpose"), d.pop("decision"), recipient=recipient, **d
                )
                messages.success(request, _("Consent recorded."))
            else:
                rf = forms.ReferralForm(request.POST, organisations=orgs)
                if not rf.is_valid():
                    return render(
                        request,
                        "identification/refer.html",
                        self._ctx(request, case, referral_form=rf),
                        status=400,
                    )
                d = rf.cleaned_data
                ref = referrals.create_referral(
                    actor,
                    case,
                    Organisation.objects.get(code=d["receiving_organisation"]),
                    list(d["shared_fields"]),
                    service_type=d["service_type"],
                    urgency=d["urgency"],
                    kind=d["kind"],
                )
                messages.success(request, _("Referral sent."))
                return redirect("identification:referral", uuid=ref.uuid)
        except VigieError as exc:
            messages.error(request, exc.message)
            status = 403 if isinstance(exc, Forbidden) else 400
            return render(
                request, "identification/refer.html", self._ctx(request, case), status=status
            )
        return redirect("identification:refer", uuid=case.uuid)

    def _plan(self, request: HttpRequest, actor: Actor, case: Any, orgs: Any) -> HttpResponse:
        form = forms.PlanItemForm(request.POST, organisations=orgs)
        if not form.is_valid():
            ctx = self._ctx(request, case, plan_form=form)
            return render(request, "identification/refer.html", ctx, status=400)
        d = form.cleaned_data
        code = d["responsible_organisation"]
        services.add_plan_item(
            actor,
            case,
            d["need"],
            follow_up_date=d["follow_up_date"],
            responsible_organisation=Organisation.objects.filter(code=code).first()
            if code
            else None,
        )
        messages.success(request, _("Added to the case plan."))
        return redirect("identification:refer", uuid=case.uuid)

    def _plan_update(self, request: HttpRequest, actor: Actor, case: Any) -> HttpResponse:
        prefix = request.POST.get("prefix", "")
        form = forms.PlanUpdateForm(request.POST, prefix=prefix or None)
        if not form.is_valid():
            messages.error(request, _("Check the status and the dates of the plan item."))
            return render(
                request, "identification/refer.html", self._ctx(request, case), status=400
            )
        d = form.cleaned_data
        item = selectors.get_plan_item_for(actor, d.pop("item"))
        if item.case_id != case.pk:
            raise NotFound(_("No such plan item."), code="plan_item_not_found")
        services.update_plan_item(actor, item, **d)
        messages.success(request, _("Case plan updated."))
        return redirect("identification:refer", uuid=case.uuid)

    def _close(self, request: HttpRequest, actor: Actor, case: Any) -> HttpResponse:
        form = forms.ClosureForm(request.POST)
        if not form.is_valid():
            ctx = self._ctx(request, case, closure_form=form)
            return render(request, "identification/refer.html", ctx, status=400)
        services.close_case(actor, case, form.cleaned_data["reason"], form.cleaned_data["note"])
        messages.success(request, _("Case closed."))
        return redirect("identification:refer", uuid=case.uuid)

    def _non_punishment(self, request: HttpRequest, actor: Actor, case: Any) -> HttpResponse:
        form = forms.NonPunishmentForm(request.POST)
        if not form.is_valid():
            ctx = self._ctx(request, case, np_form=form)
            return render(request, "identification/refer.html", ctx, status=400)
        d = dict(form.cleaned_data)
        d["compelled_offences"] = [
            x.strip() for x in d["compelled_offences"].split(",") if x.strip()
        ]
        d["checklist"] = {item: True for item in d["checklist"]}
        services.assess_non_punishment(actor, case, **d)
        messages.success(request, _("Non-punishment assessment saved."))
        return redirect("identification:refer", uuid=case.uuid)


class ReferralPage(PermissionRequired, View):
    """A referral: the sender sees its state; the receiver sees exactly what was shared."""

    required_permission = "referral.manage"

    def get(self, request: HttpRequest, uuid: Any) -> HttpResponse:
        actor = _actor(request)
        ref = _get_or_404(referrals.get_referral_for, actor, uuid)
        receiver = actor.has_perm("referral.manage", ref.receiving_organisation_id)
        moves = [
            (to, referrals.Referral.State(to).label)
            for to in referrals.TRANSITIONS[ref.state]
            if (to in referrals.BY_RECEIVER) == receiver or actor.is_system
        ]
        order = list(referrals.Referral.State.values)
        moves.sort(key=lambda m: order.index(m[0]))
        return render(
            request,
            "identification/referral.html",
            {
                "ref": ref,
                "shared": referrals.shared_view(actor, ref),
                "moves": moves,
                "receiver": receiver,
                "events": ref.events.all(),
            },
        )

    def post(self, request: HttpRequest, uuid: Any) -> HttpResponse:
        actor = _actor(request)
        ref = _get_or_404(referrals.get_referral_for, actor, uuid)
        form = forms.TransitionForm(request.POST)
        if form.is_valid():
            try:
                referrals.move(actor, ref, form.cleaned_data["to"], form.cleaned_data["reason"])
                messages.success(request, _("Referral updated."))
            except VigieError as exc:
                messages.error(request, exc.message)
        return redirect("identification:referral", uuid=ref.uuid)


class ServicesPage(PermissionRequired, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        g = request.GET
        age = g.get("age", "")
        need = directory.Need(
            g.get("need", ""), g.get("country", "").upper()[:2], g.get("admin1", ""),
            g.get("admin2", ""),
            int(age) if age.isdigit() else None, g.get("sex", ""), g.get("legal_status", ""),
            g.get("nationality", "").upper()[:2], g.get("language", ""),
        )  # fmt: skip
        searched = any(v for v in g.values())
        rows = directory.search(need).prefetch_related("areas") if searched else []
        types = [(k, label(v)) for k, v in referrals.config()["service_types"].items()]
        return render(
            request,
            "identification/services.html",
            {"rows": rows, "q": g, "types": types, "searched": searched},
        )


class CaseloadPage(PermissionRequired, View):
    required_permission = "referral.manage"

    def get(self, request: HttpRequest) -> HttpResponse:
        org = acting_organisation(
            request.user, "referral.manage", request.GET.get("organisation") or None
        )
        return render(
            request,
            "identification/caseload.html",
            {
                "load": caseload.caseload(org.pk),
                "org": org,
                "notices": [(n, notifications.text(n)) for n in notifications.latest(org.pk)],
            },
        )
