"""Reads of evidence, with permission checks (every query of items goes through here)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from vigie.core import access
from vigie.core.actor import Reader, Viewer, person_of
from vigie.core.errors import VigieError
from vigie.evidence.models import AccessApproval, CustodyEntry, Item


def may_see_identity(user: Viewer, item: Item) -> bool:
    """File names and extracted metadata (EXIF GPS, device serials, authors) are identity:
    shown only with ``victim.identity.view`` in the item's organisation (ADR 0045)."""
    return access.can(user, "victim.identity.view", item)


def shown_name(user: Viewer, item: Item) -> str:
    """The item's file name, or a neutral label for a user who may not see identities."""
    if may_see_identity(user, item):
        return item.original_name or ""
    return _("item %(ref)s") % {"ref": str(item.uuid)[:8]}


def download_name(user: Viewer, item: Item) -> str:
    """A name for Content-Disposition: the file name if the user may see it (quotes and
    control characters removed), else the item's id and the detected extension."""
    if may_see_identity(user, item) and item.original_name:
        name = "".join(c for c in item.original_name if c.isprintable() and c not in '"\\')
        if name.strip():
            return name
    ext = f".{item.blob.extension}" if item.blob.extension else ""
    return f"{item.uuid}{ext}"


def visible_items(user: Viewer, perm: str = "evidence.view") -> QuerySet[Item]:
    qs = Item.objects.select_related("blob", "organisation", "source", "duplicate_of")
    return access.filter_visible(qs, user, perm)


def get_item_for(user: Viewer, item_uuid: Any, perm: str = "evidence.view") -> Item:
    """The item, if ``user`` may ``perm`` it; 404 otherwise (its existence is not revealed)."""
    try:
        return visible_items(user, perm).get(uuid=item_uuid)
    except (Item.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404("no such evidence item") from None


def valid_approval(user: Viewer, item: Item) -> AccessApproval | None:
    return (
        AccessApproval.objects.filter(
            item=item,
            requested_by=person_of(user),
            approved_at__isnull=False,
            expires_at__gt=timezone.now(),
        )
        .order_by("-approved_at")
        .first()
    )


def may_open(user: Viewer, item: Item) -> bool:
    """Contents of a sealed item open only under an approval given by a second person."""
    if not access.can(user, "evidence.view", item):
        return False
    return not item.sealed or valid_approval(user, item) is not None


def custody_of(item: Item) -> QuerySet[CustodyEntry]:
    return CustodyEntry.objects.filter(item=item).order_by("seq")


def pending_approvals(user: Viewer) -> QuerySet[AccessApproval]:
    """Requests this user may decide (evidence.seal in the item's organisation, not their own)."""
    qs = AccessApproval.objects.filter(approved_at__isnull=True).select_related(
        "item", "requested_by"
    )
    qs = access.filter_visible(qs, user, "evidence.seal", org_field="item__organisation")
    return qs.exclude(requested_by=person_of(user))


def case_refs(user: Viewer) -> list[str]:
    return list(
        visible_items(user).order_by("case_ref").values_list("case_ref", flat=True).distinct()
    )


def linkable_records(user: Viewer, case_ref: str) -> tuple[list[Any], list[Any]]:
    """The perpetrators and incidents of the case ``case_ref`` in the organisation where
    ``user`` adds evidence (the one the upload goes to), if the user may see that case;
    empty lists otherwise. The services check the links again when the item is stored."""
    from vigie.cases.models import Incident, Perpetrator
    from vigie.cases.selectors import visible_cases

    ref = (case_ref or "").strip()
    if not ref:
        return [], []
    try:
        org = organisation_for_adding(user, None)
    except VigieError:  # several organisations, or none: nothing to offer before one is named
        return [], []
    case = visible_cases(user).filter(organisation=org, reference=ref).first()
    if case is None:
        return [], []
    return (
        list(Perpetrator.objects.filter(case=case).order_by("pk")),
        list(Incident.objects.filter(case=case).order_by("pk")),
    )


def organisation_for_adding(user: Viewer, code: str | None) -> Any:
    """The organisation a new item goes to, by the one rule of every entry point
    (:func:`vigie.core.actor.acting_organisation`): the one named, else the user's only one
    where they may add evidence; several or none is an error that says so."""
    from vigie.core.actor import acting_organisation

    return acting_organisation(user, "evidence.add", code)


def approval_for(user: Viewer, pk: int) -> AccessApproval:
    try:
        return pending_approvals(user).get(pk=pk)
    except AccessApproval.DoesNotExist:
        raise Http404("no such pending request") from None


def items_for_case(user: Viewer, case: Any) -> QuerySet[Item]:
    """Items linked to the cases.Case record ``case`` that ``user`` may see."""
    return visible_items(user).filter(links__kind="case", links__case=case).distinct()


def case_panel(user: Viewer, case: Any) -> dict[str, Any] | None:
    """The "Evidence" panel of a case page (called by the cases app when evidence is
    installed); None if ``user`` lacks evidence.view in the case's organisation. The panel
    shows the items' file names to a user who may see identities: the view is recorded in
    the access log (ADR 0045), as the evidence list records it."""
    from vigie.evidence import services

    if not access.has_perm(user, "evidence.view", case.organisation_id):
        return None
    items = list(items_for_case(user, case).prefetch_related("links")[:200])
    for item in items:
        item.record_links = [  # type: ignore[attr-defined]
            link for link in item.links.all() if link.kind in ("perpetrator", "incident")
        ]
    services.log_names_shown(user, items)
    return {
        "items": items,
        "may_add": access.has_perm(user, "evidence.add", case.organisation_id),
        "case_ref": case.reference,
    }


def record_links(user: Viewer, item: Item) -> list[dict[str, Any]]:
    """The item's links to perpetrators and incidents, each with the case page's address
    when ``user`` may see that case (otherwise the bare reference only)."""
    from django.urls import reverse

    from vigie.cases.selectors import visible_cases

    links = list(
        item.links.filter(kind__in=("perpetrator", "incident")).select_related(
            "perpetrator__case", "incident__case"
        )
    )
    cases = {link.perpetrator.case_id for link in links if link.perpetrator} | {
        link.incident.case_id for link in links if link.incident
    }
    seen = {c.pk: c for c in visible_cases(user).filter(pk__in=cases)}
    out = []
    for link in links:
        record = link.perpetrator or link.incident
        case = seen.get(record.case_id) if record is not None else None
        out.append(
            {
                "kind": link.get_kind_display(),
                "number": record.pk if record is not None else None,
                "reference": link.reference,
                "url": reverse("cases:detail", kwargs={"uuid": case.uuid}) if case else "",
            }
        )
    return out


def export_job_for(user: Reader, pk: Any) -> Any:
    """An export job that ``user`` started (404 otherwise), if they may still export."""
    from vigie.core.models import Job

    job = Job.objects.filter(pk=pk, kind="evidence.export", created_by_id=user.pk).first()
    if job is None or not access.has_perm(user, "evidence.export", job.organisation_id):
        raise Http404("no such export")
    return job
