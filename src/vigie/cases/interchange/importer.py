"""Bulk import of case records from files: CTDC (CSV or XLSX), the HTCDS v2.0 spreadsheet
(XLSX or CSV, vigie.cases.interchange.htcds_sheet; recognised by its header) and HTCDS JSON.

Rows are streamed (never the whole file in memory). Every problem is reported as
``file, row, column, value: why``. Two modes:

- atomic (default): if any row is invalid nothing is written and the job fails with the
  report. New cases are staged in batches of ``BATCH`` rows, each written in parts of
  ``PART`` rows committed on their own but invisible, then published together in one short
  transaction (vigie.cases.interchange.staging, ADR 0043), so the import never holds the
  write lock for long; an interrupted import resumes from its last staged part;
- partial: rows are written in batches of ``BATCH`` rows, each batch in its own transaction;
  invalid rows are skipped and written to a rejects CSV; after each batch a checkpoint
  (``next_row``) is saved, so a retried job resumes after the last written batch.

Re-importing a file is idempotent: a row whose source record id (the file's id column, or a
hash of the row's content for CTDC files, which have none) already exists in the
organisation is updated, not duplicated.
"""

from __future__ import annotations

import csv
import logging
import pickle
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import DatabaseError, connection, transaction

from vigie.cases import records, services
from vigie.cases.interchange import bulk, pipeline, staging
from vigie.cases.interchange.batches import Chunk, Valid, published_cases, write
from vigie.cases.interchange.checking import Prepared, Report, RowProblem, prepare_records
from vigie.cases.interchange.mapping import Mapping
from vigie.cases.interchange.readers import guess_format
from vigie.cases.models import Case, ImportStage
from vigie.core import events
from vigie.core.actor import Actor
from vigie.core.errors import VigieError
from vigie.core.models import Organisation

logger = logging.getLogger(__name__)

BATCH = 2000  # rows per insert batch (and per transaction and checkpoint in partial mode)
# rows per write transaction of an atomic import: a part of a batch, already built, so that
# SQLite's write lock is held a short while and other writers get it between parts (ADR 0043)
PART = 250
# SQLite: after each part but a batch's last, the importer waits as long as the part's
# write transaction took, at most ``YIELD_S`` seconds, so that a writer waiting for the lock
# gets it: SQLite's busy handler polls every 50-100 ms once it has waited a while, and
# rarely hits a gap of a few milliseconds (ADR 0043). While other writers are seen (a part's
# transaction waited ``CONTENDED_S`` to begin) the wait is ``YIELD_BUSY_S``; it shrinks back
# to ``YIELD_S`` while nobody is (by a tenth per part). After a batch's last part the
# importer waits for the next batch anyway. PostgreSQL has no database-wide write lock.
YIELD_S = 0.02
YIELD_BUSY_S = 0.1
CONTENDED_S = 0.005
WORKER_MIN_BYTES = 1024**2  # smaller files are read in this process (a worker costs ~10 ms)


class _Rollback(Exception):
    pass


# --- writing ---------------------------------------------------------------------------------


def _chunks(
    items: Iterator[Prepared],
    report: Report,
    *,
    organisation_id: int,
    user_id: int | None,
    atomic: bool,
    resume_from: int,
) -> Iterator[Chunk]:
    """Group the rows in batches and build the new rows of each (no database access: this
    runs in the worker process when there is one)."""
    failed = False
    while True:
        chunk = Chunk()
        parsed: list[records.Parsed] = []
        for item in items:
            if item.row < resume_from:
                continue
            chunk.rows += 1
            chunk.last_row = item.row
            if item.problems:
                chunk.invalid.append(item.problems)
                failed = True
            elif not (atomic and failed):  # atomic: after a problem nothing will be written
                assert item.record is not None and item.parsed is not None
                case = item.parsed.case
                chunk.valid.append(
                    Valid(
                        item.row,
                        pickle.dumps(item.record, pickle.HIGHEST_PROTOCOL),
                        case.get("reference") or "",
                        case.get("source_type") or "",
                        str(item.record.get("source_record_id") or ""),
                        frozenset(case),
                        frozenset(s for s in services.ORDER if s in item.record),
                    )
                )
                parsed.append(item.parsed)
            if chunk.rows >= BATCH:
                break
        if not chunk.rows:
            return
        if parsed:
            chunk.built = bulk.build(organisation_id, user_id, parsed)
        chunk.layout = report.layout
        yield chunk


def _read(
    path: Path,
    fmt: str,
    *,
    organisation: Organisation,
    actor: Actor,
    allow_identity: bool,
    report: Report,
    mapping: Mapping | None,
    partial: bool,
    resume_from: int,
) -> Iterator[Chunk]:
    """The file's batches, produced by a worker process if one is available and the file is
    large enough to be worth it (``WORKER_MIN_BYTES``)."""

    def produce() -> Iterator[Chunk]:
        items = prepare_records(
            path, fmt, allow_identity=allow_identity, report=report, mapping=mapping
        )
        yield from _chunks(
            items,
            report,
            organisation_id=organisation.pk,
            user_id=actor.user.pk if actor.user is not None else None,
            atomic=not partial,
            resume_from=resume_from,
        )

    try:
        big = path.stat().st_size >= WORKER_MIN_BYTES
    except OSError:
        big = False  # prepare_records says what is wrong with the file
    if big and pipeline.available():
        return pipeline.in_worker(produce)
    return produce()


def _take(report: Report, chunk: Chunk, reject_writer: Any = None) -> None:
    """Count a batch's rows and report its invalid ones."""
    report.layout = chunk.layout or report.layout
    report.rows += chunk.rows
    for problems in chunk.invalid:
        report.rejected += 1
        for p in problems:
            report.add(p)
            if reject_writer is not None:
                reject_writer.writerow([p.file, p.row, p.column, p.value, p.reason])


def run_import(
    path: Path,
    *,
    organisation: Organisation,
    actor: Actor,
    fmt: str = "",
    partial: bool = False,
    rejects: Path | None = None,
    resume_from: int = 0,
    progress: Any = None,
    dry_run: bool = False,
    mapping: Mapping | None = None,
    finish: Any = None,
    job: str = "",
) -> Report:
    """Import ``path`` into ``organisation``; see the module docstring for the modes.

    ``progress(done_rows, message, report)`` is called every batch (it may raise to cancel).
    ``finish(report)``: called inside an atomic import's transaction once every row is
    written, to commit the job's state with the data (vigie.core.jobs, Progress.finish).
    ``dry_run``: read and validate every row, report every problem, write nothing.
    ``job``: the import's job id; an atomic import resumes the stage an earlier run of the
    same job left (vigie.cases.interchange.staging).
    """
    fmt = fmt or guess_format(path)
    mode = "dry-run" if dry_run else "partial" if partial else "atomic"
    report = Report(file=path.name, mode=mode)
    allow_identity = services.may_record_identity(actor, organisation)
    if dry_run:
        items = prepare_records(
            path, fmt, allow_identity=allow_identity, report=report, mapping=mapping
        )
        _dry_run(items, report, progress, organisation)
        return report
    reject_writer = None
    reject_fh = None
    if partial and rejects is not None:
        reject_fh = rejects.open("a" if resume_from else "w", encoding="utf-8", newline="")
        reject_writer = csv.writer(reject_fh)
        if not resume_from:
            reject_writer.writerow(["file", "row", "column", "value", "reason"])
        report.rejects_file = str(rejects)
    stage = None
    if not partial:
        stage = staging.open_stage(organisation, actor, job=job, file=path.name)
        if stage.next_row:  # an earlier run staged rows up to there: resume
            resume_from = stage.next_row
            report = Report(**stage.report)
    look_up = Case.objects.filter(organisation=organisation).exists()
    chunks = _read(
        path,
        fmt,
        organisation=organisation,
        actor=actor,
        allow_identity=allow_identity,
        report=report,
        mapping=mapping,
        partial=partial,
        resume_from=resume_from,
    )
    kept = False
    try:
        with bulk.tuned_for_bulk():
            if stage is None:
                _partial(chunks, actor, organisation, report, reject_writer, progress, look_up)
            else:
                state = _Staged(stage, allow_identity, finish)
                _atomic(chunks, actor, organisation, report, progress, look_up, state)
        kept = True
    except BaseException as exc:
        # kept for a job run again to resume: a stopping server (JobInterrupted), a crash;
        # discarded: a cancellation, a file that cannot be imported
        from vigie.core.jobs import JobCancelled, JobInterrupted

        cancelled = isinstance(exc, JobCancelled) and not isinstance(exc, JobInterrupted)
        kept = bool(job) and not cancelled and not isinstance(exc, VigieError)
        raise
    finally:
        if stage is not None and not kept:
            staging.discard(stage.pk)
        close = getattr(chunks, "close", None)
        if close is not None:
            close()  # stops the worker process if the import ended early
        if reject_fh is not None:
            reject_fh.close()
    return report


def _dry_run(
    items: Iterator[Prepared], report: Report, progress: Any, organisation: Organisation
) -> None:
    """Validate every row and count what the import would do: a valid row whose source id
    names a case of the organisation would update it, any other valid row would create one
    (``created``/``updated`` of a dry run are "would"; nothing is written)."""
    pending: list[tuple[str, str]] = []
    look_up = Case.objects.filter(organisation=organisation).exists()

    def settle() -> None:
        ids = {source_id for _type, source_id in pending if source_id}
        existing = (
            set(
                published_cases(organisation)
                .filter(source_record_id__in=ids)
                .values_list("source_type", "source_record_id")
            )
            if look_up and ids
            else set()
        )
        updated = sum(1 for key in pending if key in existing)
        report.updated += updated
        report.created += len(pending) - updated
        pending.clear()

    for item in items:
        report.rows += 1
        if item.problems:
            report.rejected += 1
            for p in item.problems:
                report.add(p)
        elif item.record is not None and item.parsed is not None:
            source_type = item.parsed.case.get("source_type") or ""
            pending.append((source_type, str(item.record.get("source_record_id") or "")))
        if len(pending) >= BATCH:
            settle()
        if progress and report.rows % BATCH == 0:
            progress(report.rows, f"row {item.row}", report)
    settle()


@dataclass
class _Staged:
    """What an atomic import's staging needs besides the batches."""

    stage: ImportStage
    allow_identity: bool
    finish: Any = None  # called inside the publishing transaction


def _atomic(
    chunks: Iterator[Chunk],
    actor: Actor,
    org: Organisation,
    report: Report,
    progress: Any,
    look_up: bool,
    staged: _Staged,
) -> None:
    """Stage every batch (committed, invisible), then publish them in one short transaction,
    or discard them if any row is invalid (all or nothing, as one transaction would)."""
    stage = staged.stage
    pause = YIELD_S if connection.vendor == "sqlite" else 0.0
    for chunk in chunks:
        before = report.rows
        _take(report, chunk)
        if not report.rejected:  # every row of the batch is valid: write it in parts
            took = 0.0
            for part in chunk.parts(PART):
                time.sleep(min(took, pause))  # none before a batch's first part
                before += part.rows

                def commit(rows: int = before, next_row: int = part.last_row + 1) -> None:
                    # the stage's checkpoint commits with the part it counts
                    saved = report.as_dict() | {"rows": rows, "next_row": next_row}
                    staging.checkpoint(stage, next_row, saved)

                refused, look_up = write(actor, org, part, report, look_up, stage, commit=commit)
                took = part.held
                if pause:
                    busy = part.waited > CONTENDED_S
                    pause = YIELD_BUSY_S if busy else max(YIELD_S, pause * 0.9)
                _refuse(report, refused)
                if report.rejected:
                    break
                report.next_row = part.last_row + 1
        if progress:
            progress(report.rows, f"row {chunk.last_row}", report)
    if not report.rejected:
        started = time.monotonic()
        try:
            with transaction.atomic():
                _publish(actor, org, report, staged)
                if report.rejected:
                    raise _Rollback
                report.written = True
                report.publish_s = round(time.monotonic() - started, 3)
                if staged.finish:
                    staged.finish(report)
        except _Rollback:
            pass
    if report.rejected:
        report.written = False
        staging.discard(stage.pk)
        report.created = report.updated = report.unchanged = 0
    elif report.written:
        _delete_copies(stage)


def _delete_copies(stage: ImportStage) -> None:
    """After the publication's commit: delete the swapped copies, invisible, in short
    transactions (``staging.publish``). The import is published whatever happens here: a
    failure leaves them to the next import of the organisation or the hourly cleanup."""
    try:
        staging.discard(stage.pk)
    except DatabaseError:
        logger.warning("import stage %s: copies left for the cleanup", stage.pk, exc_info=True)


def _publish(actor: Actor, org: Organisation, report: Report, staged: _Staged) -> None:
    """Inside the publishing transaction: swap in the staged copies of the published cases
    the file updates, apply the rows that update cases the copies could not carry (as an
    unstaged import would), then make the staged cases visible and announce them (the
    events are sent after the commit)."""
    updated = staging.swap(staged.stage)
    if updated:
        events.announce(services.KIND, updated, actor, action="changed", organisation_id=org.pk)
    for kept in staging.joined(staged.stage, BATCH):
        if isinstance(kept, staging.Deferred):  # written from the rows the reader built
            chunk = Chunk(layout=report.layout, valid=kept.valid, built=kept.built)
            chunk.last_row = kept.valid[-1].row
            refused, _look_up = write(actor, org, chunk, report, True, only=kept.positions)
        else:  # a stage kept before the built rows were: validated and built again
            chunk = Chunk(layout=report.layout, valid=kept, last_row=kept[-1].row)
            chunk.built = staging.rebuild(kept, org, actor, staged.allow_identity)
            refused, _look_up = write(actor, org, chunk, report, look_up=True)
        _refuse(report, refused)
    ids = staging.publish(staged.stage)
    if ids:
        events.announce(services.KIND, ids, actor, action="created", organisation_id=org.pk)


def _refuse(report: Report, problems: list[RowProblem], reject_writer: Any = None) -> None:
    for p in problems:
        report.rejected += 1
        report.add(p)
        if reject_writer is not None:
            reject_writer.writerow([p.file, p.row, p.column, p.value, p.reason])


def _partial(
    chunks: Iterator[Chunk],
    actor: Actor,
    org: Organisation,
    report: Report,
    reject_writer: Any,
    progress: Any,
    look_up: bool,
) -> None:
    for chunk in chunks:
        _take(report, chunk, reject_writer)
        if chunk.valid:
            with transaction.atomic():
                refused, look_up = write(actor, org, chunk, report, look_up)
            _refuse(report, refused, reject_writer)
        report.next_row = chunk.last_row + 1
        if progress:
            progress(report.rows, f"row {chunk.last_row}", report)
    report.written = True
