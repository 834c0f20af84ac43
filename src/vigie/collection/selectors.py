"""Reads with permission checks: organisations a user manages collection for, devices,
submissions visible to a reviewer, monitoring counts, answers beside the form's labels."""

from __future__ import annotations

import json
import re
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from vigie.collection import mapping, services
from vigie.collection.models import Device, Form, Publication, Submission
from vigie.core import access
from vigie.core.actor import Viewer
from vigie.core.errors import NotFound
from vigie.core.models import Organisation


def organisations_for(user: Viewer, perm: str) -> QuerySet[Organisation]:
    orgs = access.organisations_with(user, perm)
    qs = Organisation.objects.filter(is_active=True)
    return qs if orgs is access.ALL else qs.filter(pk__in=orgs)


def devices(orgs: QuerySet[Organisation]) -> QuerySet[Device]:
    return (
        Device.objects.filter(organisation__in=orgs)
        .select_related("organisation", "team")
        .annotate(received=Count("submissions"), last_submission=Max("submissions__received_at"))
    )


def device_for(user: Viewer, pk: int) -> Device:
    device = devices(organisations_for(user, services.MANAGE)).filter(pk=pk).first()
    if device is None:
        raise Http404
    return device


def monitoring(orgs: QuerySet[Organisation]) -> list[dict[str, Any]]:
    """Per form: published versions and organisations, submissions received, waiting,
    rejected and the last one (counted over the given organisations only), and the same per
    field team of the sending devices ("" for devices of no team and imported rows)."""
    rows = []
    forms = Form.objects.filter(publications__organisation__in=orgs).distinct()
    for form in forms.prefetch_related(
        "publications__organisation", "publications__version", "publications__teams"
    ):
        subs = Submission.objects.filter(form_version__form=form, organisation__in=orgs)
        counts = subs.aggregate(
            received=Count("id"),
            waiting=Count("id", filter=Q(status=Submission.Status.WAITING)),
            rejected=Count("id", filter=Q(status=Submission.Status.REJECTED)),
            last=Max("received_at"),
        )
        pubs = [p for p in form.publications.all() if p.organisation in orgs]
        teams = [
            {
                "team": t["device__team__name"] or "",
                **{k: t[k] for k in ("received", "waiting", "rejected", "last")},
            }
            for t in subs.values("device__team__name")
            .annotate(
                received=Count("id"),
                waiting=Count("id", filter=Q(status=Submission.Status.WAITING)),
                rejected=Count("id", filter=Q(status=Submission.Status.REJECTED)),
                last=Max("received_at"),
            )
            .order_by("device__team__name")
        ]
        rows.append({"form": form, "publications": pubs, "teams": teams, **counts})
    return rows


def published_form_ids(orgs: Any) -> list[str]:
    """The ids of the forms published to ``orgs`` (one form per id in each)."""
    ids = Publication.objects.filter(organisation__in=orgs).values_list("form_key", flat=True)
    return sorted(set(ids))


def publication_for(user: Viewer, org_code: str, form_id: str) -> Publication:
    """The form's publication to an organisation where ``user`` manages collection
    (``NotFound`` otherwise: whether it exists elsewhere is not told)."""
    pub = (
        Publication.objects.select_related("form", "organisation", "version")
        .filter(
            organisation__in=organisations_for(user, services.MANAGE),
            organisation__code=org_code,
            form_key=form_id,
        )
        .first()
    )
    if pub is None:
        raise NotFound(
            _("This form is not published to this organisation."), code="form_not_published"
        )
    return pub


def visible_submissions(user: Viewer) -> QuerySet[Submission]:
    qs = Submission.objects.select_related("form_version__form", "device", "organisation")
    return access.filter_visible(qs, user, services.REVIEW)


def submission_for(user: Viewer, uuid: Any) -> Submission:
    try:
        return visible_submissions(user).get(uuid=uuid)
    except Submission.DoesNotExist:
        raise Http404 from None


def may_see_answers(user: Viewer, sub: Submission) -> bool:
    """Answers may name a victim: they are shown only with the identity permission."""
    return access.has_perm(user, "victim.identity.view", sub.organisation_id)


def labelled_answers(sub: Submission) -> list[dict[str, str]]:
    """Each answer with its question's label and, for choices, the choices' labels."""
    questions: dict[str, Any] = sub.form_version.questions
    out = []
    for path, value in json.loads(sub.answers or "[]"):
        q = questions.get(re.sub(r"\[\d+\]", "", path)) or {}
        choices = q.get("choices") or {}
        shown = " · ".join(choices.get(v, v) for v in value.split()) if choices else value
        out.append({"path": path, "label": q.get("label", ""), "value": value, "shown": shown})
    return out


def problems(sub: Submission) -> list[mapping.MappingProblem]:
    return mapping.of_submission(sub).problems
