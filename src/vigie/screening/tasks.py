"""Background jobs of screening.

``screening.load``: load a watchlist file as a new version (whole file parsed in memory first,
about 10 MB of XML at most in practice; one transaction), then re-screen saved subjects.
``screening.perpetrator``: screen one perpetrator of a case (a few names; milliseconds once the
process has its index: read from the disk cache, or built in 10-20 s).
``screening.perpetrators_batch``: screen the perpetrators of a set of cases (``cases``: ids;
``case_ranges``: ``[[first, last], ...]``), or of an organisation's cases created or changed
since a moment (``organisation``, ``since``),
that were never screened or changed since (vigie.screening.perpetrators.screen_perpetrators):
500 perpetrators per chunk, progress after each; about 1-2 ms per perpetrator screened plus its
writes, once the index is loaded (from the disk cache, or built: 10-20 s). Started after each
case import (its ``vigie.core.events.records_changed`` event).
``screening.batch``: screen every row of an uploaded CSV/XLSX (up to 1,000,000 rows, streamed;
progress every 200 rows) and write the results file beside it; then the matched rows become
saved subjects of the batch with their hits in the review queue (vigie.screening.batch_review).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings

from vigie.core import jobs
from vigie.core.models import Job
from vigie.screening.parsers import ListFormatError

# The matching engine, the batch reader and the services are imported by the handlers: this
# module is imported whenever Django starts (it registers the handlers), and every command
# would otherwise load rigour, rapidfuzz and the spreadsheet readers (ADR 0543).


def upload_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "screening" / "lists"
    path.mkdir(parents=True, exist_ok=True)
    return path


def batch_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "screening" / "batches"
    path.mkdir(parents=True, exist_ok=True)
    return path


@jobs.handler("screening.load")
def load_job(job: Job, progress: jobs.Progress) -> dict[str, Any]:
    from vigie.screening import services

    params = job.params
    try:
        result = services.load_list(
            Path(params["path"]),
            params.get("source") or None,
            user=jobs.actor_of(job),
            code=params.get("code") or None,
            mapping=params.get("mapping") or None,
            report=lambda done, total, message: progress.update(done, total or None, message),
        )
    except ListFormatError as exc:
        raise jobs.JobError(str(exc)) from None
    return result.as_dict()


@jobs.handler("screening.batch")
def batch_job(job: Job, progress: jobs.Progress) -> dict[str, Any]:
    from vigie.screening import batch, batch_review, selectors, services

    params = job.params
    source = Path(params["path"])
    fmt = params.get("format", "csv")
    target = batch_dir() / f"{job.pk}-results.{'json' if fmt == 'json' else 'csv'}"
    total = batch.count_rows(source)
    progress.update(0, total, "building the index")
    index = selectors.screening_index()
    try:
        with target.open("w", encoding="utf-8", newline="") as out:
            counts = batch.run(
                index,
                source,
                out,
                mapping=params.get("mapping") or None,
                fmt=fmt,
                threshold=float(params.get("threshold") or services.engine.THRESHOLD),
                progress=lambda done, message: progress.update(done, max(total, done), message),
            )
    except batch.BatchFileError as exc:
        target.unlink(missing_ok=True)
        raise jobs.JobError(str(exc)) from None
    organisation = batch_review.organisation_of(job)
    review: dict[str, int] = {}
    if organisation is not None and counts["with_matches"]:
        progress.update(counts["rows"], counts["rows"], "raising potential matches for review")
        review = batch_review.record(
            job,
            organisation,
            index,
            source,
            target,
            mapping=params.get("mapping") or None,
            threshold=float(params.get("threshold") or services.engine.THRESHOLD),
        ).as_dict()
    progress.update(counts["rows"], counts["rows"], "finished")
    return {**counts, "results": target.name, "review": review}


@jobs.handler("screening.perpetrator")
def perpetrator_job(job: Job, progress: jobs.Progress) -> dict[str, Any]:
    """Screen one perpetrator of a case (see vigie.screening.perpetrators)."""
    from vigie.cases.models import Perpetrator
    from vigie.screening import perpetrators

    found = (
        Perpetrator.objects.select_related("case", "organisation")
        .filter(uuid=job.params["perpetrator"])
        .first()
    )
    if found is None:
        return {"screened": False, "reason": "the perpetrator was deleted"}
    outcome = perpetrators.screen_perpetrator(found, jobs.actor_of(job))
    if outcome is None:
        return {"screened": False, "reason": "no name to screen"}
    return {
        "screened": True,
        "new_alerts": outcome.new_alerts,
        "reopened": outcome.reopened,
        "remembered": outcome.remembered,
    }


def _ranges(value: Any) -> list[tuple[int, int]]:
    try:
        return [(int(first), int(last)) for first, last in value]
    except (TypeError, ValueError):
        raise jobs.JobError(f"case_ranges: {value!r} is not a list of [first, last] ids") from None


@jobs.handler("screening.perpetrators_batch")
def perpetrators_batch_job(job: Job, progress: jobs.Progress) -> dict[str, Any]:
    """Screen many perpetrators at once (see vigie.screening.perpetrators)."""
    from datetime import datetime

    from vigie.screening import perpetrators, selectors

    params = job.params
    if not selectors.versions_in_force().exists():
        return {"screened": 0, "reason": "no watchlist loaded"}
    try:
        since = datetime.fromisoformat(params["since"]) if params.get("since") else None
    except ValueError:
        raise jobs.JobError(f"since: {params['since']!r} is not an ISO date or time") from None
    scope = perpetrators.perpetrators_in_scope(
        case_ids=[int(c) for c in params["cases"]] if params.get("cases") is not None else None,
        case_ranges=_ranges(params["case_ranges"]) if "case_ranges" in params else None,
        organisation_id=params.get("organisation"),
        since=since,
    )
    progress.update(0, None, "checking perpetrators")
    outcome = perpetrators.screen_perpetrators(
        scope,
        jobs.actor_of(job),
        progress=lambda done, total, message: progress.update(done, total, message),
    )
    return outcome.as_dict()
