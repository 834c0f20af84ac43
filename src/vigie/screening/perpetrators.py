"""Screening of the perpetrators recorded in cases.

A saved perpetrator that names a person or a group becomes a saved subject (purpose
"perpetrator", ``external_id`` = the perpetrator's uuid) screened now and at every list update;
potential matches go to the review queue. A group whose reference list code (or the record)
carries a UN sanctions reference also gets an alert on that listed entry. The screening runs in
a background job (``screening.perpetrator``) started after the case is saved: the first
screening in a process loads the index from the disk cache, or builds it (10-20 s).

Every writer of case records announces its change (``vigie.core.events.records_changed``,
after its commit); ``on_records_changed`` queues the screening of their perpetrators: one job
per perpetrator for a case saved by a person, and for an import ``screen_perpetrators``
over the exact cases written in one background job (``screening.perpetrators_batch``);
the same job runs from
``vigie screen --perpetrators [--org CODE] [--since DATE]``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import datetime
from itertools import islice
from typing import Any

from django.db.models import Q, QuerySet

from vigie.core.actor import Actor, Viewer
from vigie.screening import engine, selectors, services
from vigie.screening.models import Hit, ListEntry, Subject

PURPOSE = "perpetrator"
BATCH_JOB = "screening.perpetrators_batch"
# Who screens a perpetrator when no one is named: the system, for a stated reason.
SCREENER = Actor.system("perpetrator screening")


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


_LOOK_UP = object()


def screen_perpetrator(
    perpetrator: Any,
    user: Viewer = SCREENER,
    *,
    subject: Any = _LOOK_UP,
    results: list[engine.Result] | None = None,
) -> services.ScreenOutcome | None:
    """Create or update the perpetrator's subject and record its potential matches
    (``subject``: already looked up, or None for none; ``results``: already screened)."""
    fields = subject_fields(perpetrator)
    if fields is None:
        return None
    if subject is _LOOK_UP:
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
            results=results,
        )
    elif subject.fingerprint != _fingerprint(perpetrator, fields):
        outcome = services.update_subject(user, subject, results=results, **fields)
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


CHUNK = 500  # perpetrators read, and their subjects looked up, per query


@dataclass
class BatchOutcome:
    perpetrators: int = 0  # in scope
    screened: int = 0  # new or changed: screened now
    unchanged: int = 0  # already screened with the same name, type and nationality
    skipped: int = 0  # no name to screen
    new_alerts: int = 0
    reopened: int = 0
    remembered: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def perpetrators_in_scope(
    *,
    case_ids: list[int] | None = None,
    case_ranges: list[tuple[int, int]] | None = None,
    organisation_id: int | None = None,
    since: datetime | None = None,
) -> QuerySet[Any]:
    """Perpetrators of the given cases (ids, or ranges of ids ``[(first, last), ...]`` as
    an import writes them), and/or of an organisation's cases created or changed since a
    moment."""
    from vigie.cases.models import Perpetrator

    qs = Perpetrator.objects.select_related("case", "organisation").order_by("pk")
    if case_ids is not None:
        qs = qs.filter(case_id__in=case_ids)
    if case_ranges is not None:
        from vigie.cases.signals import IdRanges

        qs = qs.filter(IdRanges.of(case_ranges).q("case__id"))
    if organisation_id is not None:
        qs = qs.filter(organisation_id=organisation_id)
    if since is not None:
        qs = qs.filter(Q(case__created_at__gte=since) | Q(case__updated_at__gte=since))
    return qs


def screen_perpetrators(
    perpetrators: QuerySet[Any],
    user: Viewer = SCREENER,
    progress: Callable[[int, int, str], None] | None = None,
) -> BatchOutcome:
    """Screen every perpetrator of ``perpetrators`` that was never screened or whose name,
    type or nationality changed, with the same matcher as a search; subjects are looked up
    ``CHUNK`` at a time and the index is loaded only if something is to be screened."""
    out = BatchOutcome(perpetrators=perpetrators.count())
    index: engine.ScreeningIndex | None = None
    done = 0
    for chunk in _chunks(perpetrators.iterator(chunk_size=CHUNK), CHUNK):
        subjects = {
            (s.organisation_id, s.external_id): s
            for s in Subject.objects.filter(
                purpose=PURPOSE, external_id__in=[str(p.uuid) for p in chunk]
            )
        }
        for perpetrator in chunk:
            done += 1
            fields = subject_fields(perpetrator)
            if fields is None:
                out.skipped += 1
                continue
            subject = subjects.get((perpetrator.organisation_id, str(perpetrator.uuid)))
            changed = subject is None or subject.fingerprint != _fingerprint(perpetrator, fields)
            entry = _sanctioned_entry(perpetrator) if perpetrator.sanctions_ref else None
            if not changed and (
                entry is None or Hit.objects.filter(subject=subject, entry=entry).exists()
            ):
                out.unchanged += 1
                continue
            results = None
            if changed:
                if index is None:
                    index = selectors.screening_index()
                query = services.make_query(fields["name"], fields["kind"], "", fields["country"])
                results = index.screen(query, limit=20)
            outcome = screen_perpetrator(perpetrator, user, subject=subject, results=results)
            if outcome is None:
                out.skipped += 1
                continue
            out.screened += 1
            out.new_alerts += outcome.new_alerts
            out.reopened += outcome.reopened
            out.remembered += outcome.remembered
        if progress is not None:
            progress(
                done, out.perpetrators, f"{done} perpetrators checked, {out.screened} screened"
            )
    return out


def _chunks(items: Iterator[Any], size: int) -> Iterator[list[Any]]:
    while chunk := list(islice(items, size)):
        yield chunk


SINGLE_CASES = 20  # up to this many cases changed at once: one job per perpetrator to screen


def on_records_changed(
    sender: Any,
    kind: str,
    ids: Any,
    action: str,
    actor: Actor,
    organisation_id: int | None = None,
    **kwargs: Any,
) -> None:
    """``vigie.core.events.records_changed`` (after the writer's commit): screen the
    perpetrators of the changed case records. A case saved by a person: one quick job per
    perpetrator whose screened fields changed; an import (many cases): one batch job over
    exactly the cases written, if a watchlist is loaded and they have perpetrators."""
    from vigie.core import jobs

    if kind != "cases.case" or action == "deleted":
        return
    user = actor
    if not hasattr(ids, "ranges") and len(ids) <= SINGLE_CASES:
        for perpetrator in perpetrators_in_scope(case_ids=list(ids)):
            if needs_screening(perpetrator):
                jobs.start(
                    "screening.perpetrator",
                    user=user,
                    organisation=perpetrator.case.organisation,
                    params={"perpetrator": str(perpetrator.uuid)},
                )
        return
    if not selectors.versions_in_force().exists():
        return  # no list loaded (loading one re-screens subjects)
    from vigie.cases.signals import IdRanges

    ranges = ids.ranges if hasattr(ids, "ranges") else IdRanges.of((i, i) for i in ids).ranges
    if not perpetrators_in_scope(case_ranges=ranges).exists():
        return
    from vigie.core.models import Organisation

    organisation = Organisation.objects.filter(pk=organisation_id or 0).first()
    jobs.start(
        BATCH_JOB,
        user=user,
        organisation=organisation,
        params={
            "organisation": organisation_id,
            "case_ranges": [list(r) for r in ranges],
        },
    )
