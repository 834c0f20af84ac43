"""A batch's potential matches into the review queue (issue 16, ADR 0541).

After a batch job has written its results file, each row with a potential match becomes a
saved subject of the organisation the batch was run for (purpose ``batch``, its identifier
as external id, the batch job recorded on it), and its matches become hits for review, like
any subject's: decisions are recorded the same way and stand when the batch is run again
(a row whose name, type, birth date, country and document are unchanged is the same subject,
and a subject has one hit per listed entry). Rows without a match are not kept.

The rows with matches are read back from the results file (its ``row`` and ``reference``
columns) and screened again, so the batch's own loop (vigie.screening.batch) is untouched;
that costs one search per matched row, a small share of a batch.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError

from vigie.core import jobs
from vigie.core.actor import acting_organisation
from vigie.core.errors import Forbidden, Invalid
from vigie.core.models import Job, Organisation
from vigie.screening import batch, engine, services
from vigie.screening.loading import acting
from vigie.screening.models import Subject

PURPOSE = "batch"


@dataclass
class Outcome:
    subjects: int = 0
    new_alerts: int = 0
    reopened: int = 0
    remembered: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "subjects": self.subjects,
            "new_alerts": self.new_alerts,
            "reopened": self.reopened,
            "remembered": self.remembered,
        }


def matched_rows(results: Path) -> set[int]:
    """Line numbers of the input rows that have at least one potential match."""
    if results.suffix == ".json":
        with results.open(encoding="utf-8") as fh:
            return {int(r["row"]) for r in json.load(fh) if r.get("matches")}
    with results.open(encoding="utf-8", newline="") as fh:
        return {int(r["row"]) for r in csv.DictReader(fh) if r.get("reference")}


def _subject(org: Organisation, query: engine.Query, job: Job, external_id: str) -> Subject:
    """The row's subject: the organisation's batch subject with the same matching fields, or
    a new one (not saved yet: pk None)."""
    subject = services.new_subject(org, query, jobs.actor_of(job), external_id, PURPOSE, batch=job)
    found = Subject.objects.filter(
        organisation=org, purpose=PURPOSE, fingerprint=subject.fingerprint
    ).first()
    return found or subject


def record(
    job: Job,
    organisation: Organisation,
    index: engine.ScreeningIndex,
    source: Path,
    results: Path,
    *,
    mapping: dict[str, str] | None = None,
    threshold: float = engine.THRESHOLD,
) -> Outcome:
    """Raise the hits of every matched row of ``source`` for review (see the module)."""
    wanted = matched_rows(results)
    outcome = Outcome()
    if not wanted:
        return outcome
    actor = acting(jobs.actor_of(job), "batch screening", organisation.pk)
    for row in batch.rows(source, mapping):
        if row.number not in wanted:
            continue
        v = row.values
        try:
            query = services.make_query(
                v.get("name", ""),
                v.get("schema"),
                v.get("birth_date", ""),
                v.get("country", ""),
                v.get("document", ""),
            )
        except ValidationError:
            continue
        found = index.screen(query, threshold=threshold, limit=batch.LIMIT)
        if not found:
            continue
        subject = _subject(organisation, query, job, v.get("id") or str(row.number - 1))
        if subject.pk is None:
            _created, out = services.create_subject(
                job.created_by,
                organisation,
                name=query.name,
                kind=query.schema or "Person",
                birth_date=query.birth_date,
                country=query.country,
                document=query.document,
                external_id=subject.external_id,
                purpose=PURPOSE,
                results=found,
                batch=job,
            )
        else:
            subject.batch = job
            subject.save(update_fields=["batch"])
            out = services.record_hits(subject, found, actor=actor)
        outcome.subjects += 1
        outcome.new_alerts += out.new_alerts
        outcome.reopened += out.reopened
        outcome.remembered += out.remembered
    return outcome


def organisation_of(job: Job) -> Organisation | None:
    """The organisation a batch was run for: the job's, else the user's by the one rule
    (``vigie.core.actor.acting_organisation``: their only organisation where they may
    screen); None otherwise (nothing is then kept for review)."""
    if job.organisation_id:
        return Organisation.objects.filter(pk=job.organisation_id).first()
    if job.created_by is None:
        return None
    try:
        return acting_organisation(job.created_by, "screening.run")
    except (Forbidden, Invalid):  # the user may no longer screen, or acts for several
        return None
