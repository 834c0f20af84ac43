"""Screening of the perpetrators recorded in cases.

A saved perpetrator that names a person or a group becomes a saved subject (purpose
"perpetrator", ``external_id`` = the perpetrator's uuid) screened now and at every list update;
potential matches go to the review queue. A group whose reference list code (or the record)
carries a UN sanctions reference also gets an alert on that listed entry. The screening runs in
a background job (``screening.perpetrator``) started after the case is saved: the first
screening in a process builds the index (10-20 s). Bulk imports (``bulk_create``) do not send
``post_save`` and are not screened here.
"""

from __future__ import annotations

from typing import Any

from vigie.screening import engine, selectors, services
from vigie.screening.models import Hit, ListEntry, Subject

PURPOSE = "perpetrator"


def subject_fields(perpetrator: Any) -> dict[str, str] | None:
    """The name and type to screen for a perpetrator, or None when it names no one."""
    from vigie.cases import codelists
    from vigie.cases.models import Perpetrator

    name = " ".join((perpetrator.name or "").split())
    if perpetrator.kind == Perpetrator.Kind.GROUP or not name:
        name = " ".join((perpetrator.group_name or "").split())
        if not name and perpetrator.group_code:
            name = codelists.get("armed_groups").label(perpetrator.group_code, "en")
        kind = "Organization"
    else:
        kind = "Person"
    if not name:
        return None
    return {"name": name[:300], "kind": kind, "country": perpetrator.nationality or ""}


def subject_for(perpetrator: Any) -> Subject | None:
    return Subject.objects.filter(
        organisation_id=perpetrator.organisation_id,
        purpose=PURPOSE,
        external_id=str(perpetrator.uuid),
    ).first()


def _fingerprint(perpetrator: Any, fields: dict[str, str]) -> str:
    probe = Subject(
        organisation_id=perpetrator.organisation_id,
        kind=fields["kind"],
        name=fields["name"],
        country=fields["country"],
    )
    return services.subject_fingerprint(probe)


def _sanctioned_entry(perpetrator: Any) -> ListEntry | None:
    ref = (perpetrator.sanctions_ref or "").strip()
    if not ref:
        return None
    return (
        ListEntry.objects.filter(reference=ref, is_active=True).select_related("watchlist").first()
    )


def needs_screening(perpetrator: Any) -> bool:
    """Whether a save changed what is screened (cheap: one or two queries, no index)."""
    fields = subject_fields(perpetrator)
    if fields is None:
        return False
    subject = subject_for(perpetrator)
    if subject is None or subject.fingerprint != _fingerprint(perpetrator, fields):
        return True
    entry = _sanctioned_entry(perpetrator)
    return entry is not None and not Hit.objects.filter(subject=subject, entry=entry).exists()


def screen_perpetrator(perpetrator: Any, user: Any = None) -> services.ScreenOutcome | None:
    """Create or update the perpetrator's subject and record its potential matches."""
    fields = subject_fields(perpetrator)
    if fields is None:
        return None
    subject = subject_for(perpetrator)
    if subject is None:
        subject, outcome = services.create_subject(
            user,
            perpetrator.organisation,
            name=fields["name"],
            kind=fields["kind"],
            country=fields["country"],
            external_id=str(perpetrator.uuid),
            purpose=PURPOSE,
        )
    elif subject.fingerprint != _fingerprint(perpetrator, fields):
        outcome = services.update_subject(user, subject, **fields)
    else:
        outcome = services.ScreenOutcome()
    entry = _sanctioned_entry(perpetrator)
    if entry is not None:
        index = selectors.index_for_entries(ListEntry.objects.filter(pk=entry.pk))
        explanation = {
            "query_name": fields["name"],
            "matched_name": entry.caption,
            "features": {"sanctions_reference": 1.0},
            "alignment": [],
            "reasons": [f"UN sanctions reference {entry.reference} recorded in the case"],
            "decisive": True,
            "schema_mismatch": False,
        }
        extra = services.record_hits(subject, [engine.Result(index.entries[0], 1.0, explanation)])
        outcome.new_alerts += extra.new_alerts
        outcome.reopened += extra.reopened
        outcome.remembered += extra.remembered
    return outcome


def on_perpetrator_saved(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    """post_save of cases.Perpetrator: queue its screening (runs after the commit)."""
    if raw or not needs_screening(instance):
        return
    from vigie.core import jobs

    jobs.start(
        "screening.perpetrator",
        user=None,
        organisation=instance.case.organisation,
        params={"perpetrator": str(instance.uuid)},
    )
