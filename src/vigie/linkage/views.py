"""Web pages: the review queue of suggested links (htmx), the threshold with its
precision/recall trade-off, and encoding the organisation's own records."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from vigie.core.actor import actor_for, actor_of_request
from vigie.core.errors import VigieError
from vigie.linkage import encoded, selectors, services
from vigie.linkage.forms import DecisionForm, EncodeForm, ThresholdForm
from vigie.linkage.models import Candidate
from vigie.web.mixins import PermissionRequired


def _sides(request: HttpRequest, cands: list[Candidate]) -> dict[int, dict[str, Any]]:
    """Each record's case and organisation; its name only where the user may see the
    identity in that organisation, the read written to the access log."""
    from vigie.cases.models import Victim
    from vigie.cases.selectors import may_see_identity, record_identity_read

    ids = {c.left_id for c in cands} | {c.right_id for c in cands}
    out: dict[int, dict[str, Any]] = {}
    shown_cases = {}
    for v in Victim.objects.filter(pk__in=ids).select_related("case", "case__organisation"):
        show = may_see_identity(request.user, v.case)
        out[v.pk] = {
            "case": v.case.reference,
            "source": v.case.source_record_id,
            "org": v.case.organisation.code,
            "name": " ".join(x for x in (v.given_name, v.other_names, v.family_name) if x)
            if show
            else None,
        }
        if show:
            shown_cases[v.case_id] = v.case
    for case in shown_cases.values():
        record_identity_read(request.user, case, "view", {"purpose": "linkage review"})
    return out


def _card(request: HttpRequest, c: Candidate, sides: dict[int, Any], done: str = "") -> Any:
    return {
        "c": c,
        "left": sides.get(c.left_id, {}),
        "right": sides.get(c.right_id, {}),
        "levels": selectors.level_words(c.levels),
        "form": DecisionForm(),
        "done": done,
    }


class ReviewPage(PermissionRequired, View):
    required_permission = "linkage.review"

    def get(self, request: HttpRequest) -> HttpResponse:
        actor = actor_of_request(request)
        queue = selectors.review_queue(actor, "victim", limit=25)
        sides = _sides(request, queue)
        t = selectors.threshold("victim")
        return render(
            request,
            "linkage/review.html",
            {
                "cards": [_card(request, c, sides) for c in queue],
                "threshold": t,
                "tradeoff": selectors.tradeoff(actor, "victim"),
                "threshold_form": ThresholdForm(initial={"threshold": t}),
            },
        )


class DecidePage(PermissionRequired, View):
    required_permission = "linkage.review"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        actor = actor_of_request(request)
        c = selectors.get_candidate_for(actor, pk)
        form = DecisionForm(request.POST)
        done = ""
        if form.is_valid():
            d = services.decide(actor, c, form.cleaned_data["verdict"], form.cleaned_data["reason"])
            done = str(d.get_verdict_display())
        if not request.htmx:  # type: ignore[attr-defined]
            if done:
                messages.success(request, _("Decision recorded."))
            else:
                messages.error(request, _("Choose a decision and give a reason."))
            return redirect("linkage:review")
        card = _card(request, c, _sides(request, [c]), done)
        if not done:
            card["form"] = form
        return render(request, "linkage/_card.html", card)


class ThresholdPage(PermissionRequired, View):
    required_permission = "linkage.run"

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ThresholdForm(request.POST)
        if form.is_valid():
            try:
                actor = actor_for(request.user, "linkage.run", request.POST.get("organisation"))
                persons = services.set_threshold(actor, form.cleaned_data["threshold"])
                messages.success(request, _("%(n)d persons at this threshold.") % {"n": persons})
            except VigieError as exc:
                messages.error(request, exc.message)
        else:
            messages.error(request, _("The threshold is a probability between 0 and 1."))
        return redirect("linkage:review")


class EncodePage(PermissionRequired, View):
    required_permission = "linkage.encode"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "linkage/encode.html", {"form": EncodeForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = EncodeForm(request.POST)
        if form.is_valid():
            actor = actor_of_request(request)
            try:
                e = encoded.encode_own(actor, form.cleaned_data["secret"].encode())
            except VigieError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("%(n)d records encoded and uploaded.") % {"n": e.count})
                return redirect("linkage:encode")
        return render(request, "linkage/encode.html", {"form": form})
