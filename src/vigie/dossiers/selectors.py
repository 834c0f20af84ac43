"""Reads of dossiers, with permission checks; every view of a dossier's subject is recorded."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from vigie.core import access, audit
from vigie.core.actor import Actor
from vigie.core.errors import NotFound
from vigie.dossiers import sections
from vigie.dossiers.models import Dossier

VIEW = "dossier.view"
SUBJECT_FIELDS = ["primary_name", "aliases", "identifiers", "birth_date", "narrative"]


def visible_dossiers(actor: Actor, status: str | None = None) -> QuerySet[Dossier]:
    qs = Dossier.objects.select_related("organisation")
    orgs = actor.organisations_with(VIEW)
    if orgs is not access.ALL:
        qs = qs.filter(organisation_id__in=sorted(orgs))
    return qs.filter(status=status) if status else qs


def get_dossier_for(actor: Actor, uuid: Any, perm: str = VIEW) -> Dossier:
    """The dossier if the actor may ``perm`` it; 404 otherwise (its existence is not told)."""
    try:
        dossier = Dossier.objects.select_related("organisation").get(uuid=uuid)
    except (Dossier.DoesNotExist, ValueError, TypeError, ValidationError):
        raise NotFound("No such dossier.", code="dossier_not_found") from None
    if not actor.has_perm(perm, dossier.organisation_id):
        raise NotFound("No such dossier.", code="dossier_not_found")
    return dossier


def record_list_view(actor: Actor, dossiers: list[Dossier]) -> None:
    """A list shows subjects' names: one access-log entry per organisation shown."""
    by_org: dict[str, list[str]] = {}
    for d in dossiers:
        by_org.setdefault(d.organisation.code, []).append(d.reference)
    for code, refs in sorted(by_org.items()):
        audit.record_access(
            actor,
            "view",
            "dossiers.dossier",
            ",".join(refs)[:64],
            ["primary_name"],
            organisation_code=code,
            detail={"dossiers": len(refs)},
        )


def view(
    actor: Actor, dossier: Dossier, *, identities: bool = False, language: str = "en"
) -> list[sections.Section]:
    """The dossier's sections for a page or API view, with the views recorded: the subject's
    identity under the dossier's organisation, victims' identities under their case's."""
    request = sections.SectionRequest(
        actor=actor,
        dossier=dossier,
        purpose=sections.VIEW,
        language=language,
        identities=identities,
    )
    parts = sections.gather(request)
    audit.record_access(
        actor,
        "view",
        "dossiers.dossier",
        str(dossier.uuid),
        SUBJECT_FIELDS,
        organisation_code=dossier.organisation.code,
        detail={"actor": actor.label},
    )
    for part in parts:
        for code, fields in sorted(part.identity_fields.items()):
            audit.record_access(
                actor,
                "view",
                "cases.victim",
                str(dossier.uuid),
                fields,
                organisation_code=code,
                detail={"dossier": dossier.reference},
            )
    return parts
