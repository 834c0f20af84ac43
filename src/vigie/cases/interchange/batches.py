"""Writing one batch of an import: new cases inserted set-based from their built rows
(vigie.cases.interchange.bulk), cases already imported replaced (or updated through the ORM
when the file cannot replace them whole), or, in a staged import, kept for publication
(vigie.cases.interchange.staging); a batch the unique constraints refuse is written again
with look-ups. The reading, chunking and the import modes are in
vigie.cases.interchange.importer."""

from __future__ import annotations

import pickle
import time
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field, replace
from typing import Any, cast

from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet

from vigie.cases import services
from vigie.cases.interchange import bulk, bulk_write, digests, staging
from vigie.cases.interchange.bulk import CASE, table_plan
from vigie.cases.interchange.checking import Report, RowProblem
from vigie.cases.interchange.readers import ImportFailed
from vigie.cases.models import Case, CaseTerm, ImportStage
from vigie.core.actor import Actor
from vigie.core.models import Organisation

WRITE_ATTEMPTS = 3  # a batch refused by a unique constraint is written again with look-ups


@dataclass
class Valid:
    """A valid row of a batch: what writing it needs besides its built rows."""

    row: int
    packed: bytes  # the record, pickled: read back only to update a case already imported
    reference: str
    source_type: str
    source_record_id: str
    fields: frozenset[str]  # the case fields the record gives
    sections: frozenset[str]  # the lists of rows it gives (victims, incidents...)

    @property
    def record(self) -> dict[str, Any]:
        return cast(dict[str, Any], pickle.loads(self.packed))  # noqa: S301 (our own bytes)


@dataclass
class Chunk:
    """``BATCH`` rows as read: the problems of the invalid ones, the valid ones and their
    rows ready to insert (``built``: the case of ``valid[i]`` has relative id ``i``)."""

    layout: str = ""
    rows: int = 0
    last_row: int = 0
    invalid: list[list[RowProblem]] = field(default_factory=list)
    valid: list[Valid] = field(default_factory=list)
    built: bulk.Built = field(default_factory=bulk.Built)
    held: float = 0.0  # seconds the batch's write transaction took, once written
    waited: float = 0.0  # seconds its transaction waited to begin (SQLite: another writer)

    def parts(self, size: int) -> Iterator[Chunk]:
        """The valid rows in parts of at most ``size``, each with its own rows (written in
        a transaction of its own: ADR 0043); ``rows`` counts the part's rows, ``last_row``
        is its last row's. Only for a batch without invalid rows (an atomic import)."""
        for lo in range(0, len(self.valid), size):
            valid = self.valid[lo : lo + size]
            built = self.built if len(valid) == len(self.valid) else self.built.part(lo, lo + size)
            yield Chunk(self.layout, len(valid), valid[-1].row, [], valid, built)


@dataclass
class _Written:
    """What one batch wrote: applied to the report once the batch's savepoint holds."""

    refused: list[RowProblem] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)  # the unchanged included
    created: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)  # identical to their case: not written


def write(
    actor: Actor,
    org: Organisation,
    chunk: Chunk,
    report: Report,
    look_up: bool,
    stage: ImportStage | None = None,
    only: Collection[int] | None = None,
    commit: Callable[[], None] | None = None,
) -> tuple[list[RowProblem], bool]:
    """Write one batch in a savepoint; the problems of the rows it refused, and whether the
    next batches must look up. ``only``: write only the rows at these positions (the rows
    of a staged batch that update published cases, ``staging.Deferred``). ``commit``: called
    last inside the batch's transaction, the report counting the batch (a staged import's
    checkpoint commits with the rows it counts).

    A staged batch reads (its look-ups) and seals the rows it keeps for publication before
    its transaction opens: on SQLite the transaction holds the database's write lock from
    its first statement, so only the inserts are made under it (ADR 0043).

    Without look-ups (the organisation was empty when the import began) a row may still name
    a case that another writer saved since: a partial import's earlier batches committed and
    a person saved a case between two of them, or two imports ran at once on PostgreSQL. The
    unique constraints refuse the batch; it is rolled back to its savepoint and written again
    with look-ups, which make such rows updates or row problems. A second refusal can only be
    a writer that committed between the look-up and the insert: the look-up after it sees it.
    """
    attempt = 1
    while True:
        counts = report.updated, report.created, report.unchanged
        try:
            plan = None if stage is None else _plan_stage(org, chunk, report.file, look_up, stage)
            started = time.monotonic()
            with transaction.atomic():
                chunk.waited = time.monotonic() - started
                if stage is None:
                    batch = _write_batch(actor, org, chunk, report.file, look_up, only)
                else:
                    assert plan is not None
                    batch = _stage_batch(actor, org, chunk, stage, plan)
                report.updated += len(batch.updated)
                report.created += len(batch.created)
                report.unchanged += len(batch.unchanged)
                if commit is not None:
                    commit()
            chunk.held = time.monotonic() - started
        except IntegrityError as exc:
            report.updated, report.created, report.unchanged = counts
            if attempt == WRITE_ATTEMPTS:
                raise ImportFailed(
                    f"file {report.file}, rows {chunk.valid[0].row}-{chunk.last_row}: the "
                    f"database refused the batch {WRITE_ATTEMPTS} times ({exc}); "
                    "nothing of it was saved"
                ) from None
            attempt += 1
            look_up = True
            continue
        except BaseException:
            report.updated, report.created, report.unchanged = counts
            raise
        return batch.refused, look_up


def _write_batch(
    actor: Actor,
    org: Organisation,
    chunk: Chunk,
    name: str,
    look_up: bool,
    only: Collection[int] | None = None,
) -> _Written:
    """One batch: new rows inserted and rows already imported (same source type and source
    record id: looked up once per batch) replaced, both set-based from the same built rows
    (vigie.cases.interchange.bulk: one ``executemany`` per table). A stored case whose rows the file
    cannot replace whole (it has rows in a list the file leaves out, or evidence links to
    one of its perpetrators or incidents) is updated through the ORM instead.

    ``look_up``: the organisation had cases when the import began, so a row may name one of
    them. Otherwise nothing can (the file's own repeats are problems of their rows,
    ``_check``) and the batch is written without reading: those two queries were most of the
    importer's time in a large import (50-70% from 150,000 rows on, at 10^6 rows).
    """
    valid = chunk.valid
    out = _Written()
    if not valid:
        return out
    skip: set[int] = set() if only is None else set(range(len(valid))) - set(only)
    candidates: dict[int, bulk_write.Existing] = {}
    if look_up:
        out.refused, taken = _taken_references(org, valid, name, skip)
        skip |= taken
        candidates = _candidates(org, valid, skip)
        _keep_stored(chunk, candidates)
        fast = bulk_write.replaceable(candidates)
        for i, target in candidates.items():
            if i in fast:
                continue
            case = Case.objects.get(pk=target.pk)
            services.save_record(actor, org, valid[i].record, instance=case, perm="case.import")
            out.updated.append(case.pk)
            skip.add(i)
        candidates = {i: c for i, c in candidates.items() if i in fast}
    if len(skip) < len(valid):
        keep = None if not skip else {i for i in range(len(valid)) if i not in skip}
        written = services.import_built(actor, org, chunk.built, keep, candidates)
        replaced = {c.pk for c in candidates.values()}
        out.updated += [pk for pk in written if pk in replaced]
        out.created = [pk for pk in written if pk not in replaced]
    return out


@dataclass
class _StagePlan:
    """What a staged batch found before its transaction: the rows it refuses, the rows it
    leaves out, those that update published cases and are staged as copies (``copies``),
    and those the copies cannot carry, sealed for ``staging.keep``."""

    refused: list[RowProblem] = field(default_factory=list)
    skip: set[int] = field(default_factory=set)
    copies: dict[int, bulk_write.Existing] = field(default_factory=dict)
    sealed: staging.Sealed | None = None
    # published cases the file gives as they are: nothing to stage
    unchanged: list[int] = field(default_factory=list)


def _plan_stage(
    org: Organisation, chunk: Chunk, name: str, look_up: bool, stage: ImportStage
) -> _StagePlan:
    """Outside the batch's transaction: the look-ups of a staged batch (reads): the rows
    that update published cases are staged as copies if their case's rows can be replaced
    set-based (``bulk_write.replaceable``), else sealed (``staging.seal``). A case that another
    writer saves after these reads makes the insert fail on a unique constraint, and
    :func:`write` plans the batch again with look-ups."""
    plan = _StagePlan()
    valid = chunk.valid
    if not (look_up and valid):
        return plan
    plan.refused, plan.skip = _taken_references(org, valid, name, set())
    candidates = _candidates(org, valid, plan.skip)
    _keep_stored(chunk, candidates)
    at = table_plan(Case).names.index("content_digest")
    rows = chunk.built.rows[CASE]
    parts = {i: digests.differing(c.digest, rows[i][at]) for i, c in candidates.items()}
    for i, c in list(candidates.items()):
        if not parts[i]:  # the file gives this case as it is: nothing to stage or swap
            plan.unchanged.append(c.pk)
            plan.skip.add(i)
            del candidates[i]
    fast = bulk_write.replaceable(candidates)
    stored = _terms_of([c.pk for i, c in candidates.items() if i in fast])
    plan.copies = {
        i: replace(c, parts=parts[i] | digests.TERMS_DIFF, terms=frozenset(stored.get(c.pk, ())))
        for i, c in candidates.items()
        if i in fast
    }
    updates = sorted(set(candidates) - fast)  # written through the ORM when published
    if updates:
        plan.sealed = staging.seal(valid, updates, chunk.built)
        plan.skip.update(updates)
    return plan


def _stage_batch(
    actor: Actor, org: Organisation, chunk: Chunk, stage: ImportStage, plan: _StagePlan
) -> _Written:
    """One batch of a staged import, inside its transaction: new cases written invisibly
    (``Case.stage``); the new versions of published cases written beside them as staged
    copies, swapped in when the stage is published (a published case cannot hide its new
    version; ADR 0047), or, for the few the copies cannot carry, kept sealed for
    publication. New cases are counted as created, copies as updated."""
    valid = chunk.valid
    out = _Written(refused=list(plan.refused), unchanged=list(plan.unchanged))
    out.updated += plan.unchanged
    if not valid:
        return out
    if plan.sealed is not None:
        staging.keep(stage, plan.sealed)
    skip = plan.skip
    if len(skip) < len(valid):
        rels = [i for i in range(len(valid)) if i not in skip]
        written = services.import_built(
            actor, org, chunk.built, set(rels) if skip else None, stage=stage.pk, copies=plan.copies
        )
        for rel, pk in zip(rels, written, strict=True):
            (out.updated if rel in plan.copies else out.created).append(pk)
    return out


def _terms_of(pks: list[int]) -> dict[int, set[str]]:
    """The filter terms of the published cases ``pks`` (read before the batch's
    transaction: the copies carry only the difference, ``digests.TERMS_DIFF``)."""
    q = connection.ops.quote_name
    table = q(CaseTerm._meta.db_table)
    out: dict[int, set[str]] = {}
    with connection.cursor() as cursor:
        for start in range(0, len(pks), 500):
            chunk = pks[start : start + 500]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"SELECT {q('case_id')}, {q('term')} FROM {table} "  # noqa: S608
                f"WHERE {q('case_id')} IN ({marks})",
                chunk,
            )
            for pk, term in cursor.fetchall():
                out.setdefault(pk, set()).add(term)
    return out


def _candidates(
    org: Organisation, valid: list[Valid], skip: set[int]
) -> dict[int, bulk_write.Existing]:
    """The rows (but those at ``skip``) whose source id names a published case of the
    organisation, with that case; one query per batch."""
    ids = {v.source_record_id for i, v in enumerate(valid) if i not in skip}
    ids.discard("")
    columns = "pk", "source_type", "source_record_id", "created_at", "content_digest"
    stored = {
        (row[1], row[2]): row
        for row in published_cases(org)
        .filter(source_record_id__in=ids)
        .values_list(*columns, *bulk.INDEXED)
    }
    candidates: dict[int, bulk_write.Existing] = {}
    for i, v in enumerate(valid):
        found = stored.get((v.source_type, v.source_record_id))
        if found is not None and i not in skip:
            pk, _type, _id, created, digest, *indexed = found
            candidates[i] = bulk_write.Existing(
                pk,
                created,
                v.fields,
                v.sections,
                digest,
                indexed=dict(zip(bulk.INDEXED, indexed, strict=True)),
            )
    return candidates


def _keep_stored(chunk: Chunk, candidates: dict[int, bulk_write.Existing]) -> None:
    """The rows that update a stored case without giving some of the case fields its search
    text reads: their built search text, codes and terms take the stored values, not what
    ``bulk.build`` drew (a reference) or left empty (ADR 0047, tenth round). Before the
    digest comparison and the writes."""
    kept: dict[int, dict[str, str]] = {}
    for i, c in candidates.items():
        v = chunk.valid[i]
        missing = {n for n in bulk.INDEXED if n not in v.fields}
        if not v.reference:
            missing.add("reference")
        if missing:
            kept[i] = {n: c.indexed[n] for n in missing}
    if kept:
        chunk.built.keep_stored(kept)


def published_cases(org: Organisation) -> QuerySet[Case]:
    """The organisation's published cases, unordered: with the model's order (newest
    first) SQLite walks the organisation's list index instead of looking the ids up in their
    own index, a scan of every case per batch (ADR 0043)."""
    return Case.objects.filter(organisation=org).order_by()


def _taken_references(
    org: Organisation, valid: list[Valid], name: str, skip: set[int]
) -> tuple[list[RowProblem], set[int]]:
    """Rows (but those at ``skip``) naming a case reference that another case of the
    organisation already has: their problems and their positions in ``valid``; one query
    per batch. (A reference repeated within the file is a problem of its row, ``_check``.)"""
    refs = {v.reference: i for i, v in enumerate(valid) if v.reference and i not in skip}
    problems: list[RowProblem] = []
    refused: set[int] = set()
    if not refs:
        return problems, refused
    taken = published_cases(org).filter(reference__in=list(refs))
    for ref, source_type, source_id in taken.values_list(
        "reference", "source_type", "source_record_id"
    ):
        i = refs[ref]
        v = valid[i]
        if source_id and (v.source_type, v.source_record_id) == (source_type, source_id):
            continue  # the same case, re-imported: updated, not a clash
        problems.append(
            RowProblem(name, v.row, "reference", ref, "is already used by another case")
        )
        refused.add(i)
    return problems, refused
