"""Atomic imports staged in short committed batches and published in one short transaction
(docs/adr/0043-imports-staged-and-published.md, docs/adr/0047-updates-staged-as-copies.md).

An atomic import used to hold one transaction, and with it SQLite's write lock, for the whole
file: every other writer waited, then failed with "database is locked". Now each batch is
written and committed on its own with ``Case.stage`` set: new cases, and the new versions of
the published cases the file updates as staged copies (``Case.replaces``). The default
managers of the case tables leave staged rows out of every query, so nobody sees them. When
the whole file is valid, one short transaction moves the copies onto their cases in a few
set-based statements (:func:`swap`), applies the rows kept sealed in :class:`StagedUpdates`
(updates of cases the copies cannot carry) and clears ``stage`` in one ``UPDATE``
(:func:`publish`): the import's cases appear together, and the change events are announced
after that commit. When a row is invalid, :func:`discard` deletes what was staged, batch by
batch. A stage's ``next_row`` and report commit with each batch, so an import killed
half-way resumes from there when its job is run again; a stage nobody resumes is discarded
by the hourly cleanup.
"""

from __future__ import annotations

import base64
import pickle
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from vigie.cases import records
from vigie.cases.interchange import digests
from vigie.cases.models import Case, CaseTerm, ImportStage, StagedUpdates
from vigie.cases.services import ORDER
from vigie.cases.signals import IdRanges
from vigie.core.actor import Actor
from vigie.core.models import Job, Organisation

BATCH = 2000  # staged cases deleted per transaction when a stage is discarded
STALE_HOURS = 48  # a stage untouched this long, whose job is not running, is discarded


def open_stage(org: Organisation, actor: Actor, *, job: str = "", file: str = "") -> ImportStage:
    """The stage of ``job`` if an earlier run of it left one (to resume), else a new one."""
    discard_published(org)
    if job:
        found = ImportStage.objects.filter(job=job, organisation=org).first()
        if found is not None:
            return found
    return ImportStage.objects.create(organisation=org, job=job, created_by=actor.user, file=file)


def checkpoint(stage: ImportStage, next_row: int, report: dict[str, Any]) -> None:
    """Record how far the stage got; call inside the batch's transaction."""
    stage.next_row = next_row
    stage.report = report
    stage.save(update_fields=["next_row", "report", "updated_at"])


@dataclass
class Deferred:
    """The rows of a staged batch that update published cases, kept for :func:`publish`
    with the rows the reader built for the batch (``bulk.Built``), so that publishing
    writes them as they are instead of validating and building them again in the
    importer's process (that doubled the time of a re-import: ADR 0043, amended)."""

    valid: list[Any]  # the batch's ``batches.Valid``; only those at ``positions`` keep a record
    positions: frozenset[int]  # the rows that update a published case
    built: Any  # ``bulk.Built`` of the whole batch: the case of ``valid[i]`` is its ``i``


@dataclass(frozen=True)
class Sealed:
    """The rows of a batch that update published cases, ready to keep (:func:`keep`)."""

    first_row: int
    records: str  # the stored value of ``StagedUpdates.records``: already encrypted


def seal(valid: list[Any], positions: list[int], built: Any) -> Sealed:
    """The rows at ``positions`` of a batch (they update published cases), with the batch's
    built rows, pickled and sealed with the field key (their records hold identities in
    clear). Made before the batch's transaction: pickling and encrypting a batch took most
    of its write-lock hold in a re-import (ADR 0043)."""
    at = frozenset(positions)
    kept = [v if i in at else replace(v, packed=b"") for i, v in enumerate(valid)]
    rows = Deferred(kept, at, built)
    packed = base64.b64encode(pickle.dumps(rows, pickle.HIGHEST_PROTOCOL)).decode("ascii")
    field = StagedUpdates._meta.get_field("records")
    return Sealed(valid[min(at)].row, field.get_db_prep_save(packed, connection))


def keep(stage: ImportStage, sealed: Sealed) -> None:
    """Store what :func:`seal` made, for :func:`publish` (inside the batch's transaction).
    An ``INSERT`` of the value already encrypted: saving through the model would encrypt it
    again, under the lock."""
    q = connection.ops.quote_name
    table = q(StagedUpdates._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({q('stage_id')}, {q('first_row')}, {q('records')}) "  # noqa: S608
            "VALUES (%s, %s, %s)",
            [stage.pk, sealed.first_row, sealed.records],
        )


def deferred(stage: ImportStage) -> Iterator[Deferred | list[Any]]:
    """What :func:`keep` stored, batch by batch, in file order (a list of ``batches.Valid``
    for a stage kept before the built rows were)."""
    for pk in stage.updates.order_by("first_row").values_list("pk", flat=True):
        packed = StagedUpdates.objects.get(pk=pk).records
        yield pickle.loads(base64.b64decode(packed))  # noqa: S301 (our own sealed bytes)


def joined(stage: ImportStage, rows: int) -> Iterator[Deferred | list[Any]]:
    """What :func:`deferred` yields, consecutive :class:`Deferred` joined up to ``rows``
    rows each: an import keeps them per part of a batch (ADR 0043), and publication writes
    fewer, larger batches (each write has a few look-ups and id reservations of its own)."""
    from vigie.cases.interchange.bulk import Built

    group: list[Deferred] = []

    def flush() -> Deferred:
        valid: list[Any] = []
        at: set[int] = set()
        for kept in group:
            at.update(p + len(valid) for p in kept.positions)
            valid += kept.valid
        built = group[0].built if len(group) == 1 else Built.join([k.built for k in group])
        group.clear()
        return Deferred(valid, frozenset(at), built)

    for kept in deferred(stage):
        if not isinstance(kept, Deferred):
            if group:
                yield flush()
            yield kept
            continue
        if group and sum(len(k.valid) for k in group) + len(kept.valid) > rows:
            yield flush()
        group.append(kept)
    if group:
        yield flush()


def rebuild(rows: list[Any], org: Organisation, actor: Actor, allow_identity: bool) -> Any:
    """The rows' records validated and built again (``bulk.Built``) for writing: for the
    rows of a stage kept before :class:`Deferred` kept the built rows."""
    from vigie.cases.interchange import bulk

    parsed = [records.validate(v.record, allow_identity=allow_identity) for v in rows]
    user_id = actor.user.pk if actor.user is not None else None
    return bulk.build(org.pk, user_id, parsed)


def swap(stage: ImportStage) -> IdRanges:
    """Swap the stage's copies in (inside the publishing transaction), set-based: each
    replaced case takes its copy's columns (it keeps its id, uuid, creation and author, so
    whatever refers to it still does), its rows and filter terms are deleted and the copy's
    are moved onto it; the ids of the cases updated (ADR 0047). A constant number of
    statements, whatever the number of copies. The copies themselves, left staged and
    empty, are deleted after the commit (:func:`publish`).

    What each statement reads of a copy is in the index ``case_staged_swap`` (stage,
    replaces, parts): at 100,000 copies their rows outgrow SQLite's page cache, and reading
    them again for each statement took most of the publication (ADR 0047, eighth round)."""
    from vigie.cases.interchange.readers import ImportFailed

    q = connection.ops.quote_name
    case, stage_id, replaces = q(Case._meta.db_table), q("stage_id"), q("replaces_id")
    mine = f"{stage_id} = %s AND {replaces} IS NOT NULL"
    ids = IdRanges()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {replaces}, {q('swap_parts')} FROM {case} WHERE {mine}",  # noqa: S608
            [stage.pk],
        )
        found = cursor.fetchall()
        ids.add(sorted(r[0] for r in found))
        if not ids:
            return ids
        # do the rows of any case move? (digests.ROWS; a copy without it has no rows)
        moving = any(parts & digests.ROWS for _pk, parts in found)
        if moving and _linked_meanwhile(stage):
            raise ImportFailed(
                "a case this import updates was linked to another record while it ran: "
                "nothing was saved; run the import again"
            )
        if _swap_cases(cursor, stage.pk) != len(found):
            raise ImportFailed(
                "a case this import updates was edited while it ran: nothing was saved; "
                "run the import again"
            )
        _swap_terms(cursor, stage.pk)
        if moving:
            _move_rows(cursor, stage.pk)
    return ids


def _move_rows(cursor: Any, stage_id: int) -> None:
    """The rows of the cases whose rows differ from their copy's (``digests.ROWS``) are
    deleted, and their copies' rows moved onto them; the other copies have no rows. (Moving
    the old rows onto the copies instead, to delete them after the commit, rewrote twice as
    many rows and took as long: measured, ADR 0047, eighth round.)"""
    q = connection.ops.quote_name
    case, copy, case_id = q(Case._meta.db_table), q("copy"), q("case_id")
    pk, replaces, stage = q("id"), q("replaces_id"), q("stage_id")
    tables = [q(records.CHILDREN[s]._meta.db_table) for s in reversed(ORDER)]
    moved = f"{stage} = %s AND {replaces} IS NOT NULL AND ({q('swap_parts')} & {digests.ROWS}) <> 0"
    for table in tables:  # rows that link to others go first
        cursor.execute(
            f"DELETE FROM {table} WHERE {case_id} IN "  # noqa: S608
            f"(SELECT {replaces} FROM {case} WHERE {moved})",
            [stage_id],
        )
    for table in tables:
        cursor.execute(
            f"UPDATE {table} SET {case_id} = {copy}.{replaces} "  # noqa: S608
            f"FROM {case} AS {copy} WHERE {copy}.{pk} = {table}.{case_id} "
            f"AND {copy}.{stage} = %s AND {copy}.{replaces} IS NOT NULL",
            [stage_id],
        )


def _indexed_columns() -> frozenset[str]:
    """The case columns some index or unique constraint of the case table holds (in its
    key or its condition): an ``UPDATE`` that sets one of them rewrites that index's entry,
    whether or not the value changes."""
    names: set[str] = set()

    def walk(condition: Any) -> None:
        for child in getattr(condition, "children", ()):
            if isinstance(child, tuple):
                names.add(child[0].split("__")[0])
            else:
                walk(child)

    for index in [*Case._meta.indexes, *Case._meta.constraints]:
        names.update(f.lstrip("-") for f in getattr(index, "fields", ()))
        walk(getattr(index, "condition", None))
    fields = Case._meta.concrete_fields
    out = {f.attname for f in fields if f.name in names or f.attname in names}
    return frozenset(out | {f.attname for f in fields if getattr(f, "db_index", False) or f.unique})


def _swap_cases(cursor: Any, stage_id: int) -> int:
    """Every replaced case takes its copy's columns (``bulk_write.SWAPPED``), unless it was
    saved after its copy was built; the number of cases updated (the caller refuses when
    one was left: a copy takes the fields the file does not give from its case as it was
    then, so swapping it in would undo that edit without a trace; every writer of a case
    saves it, which sets ``updated_at``, and a copy's is the time its rows were built).

    Two statements: the columns no index holds, for every case; then the indexed ones, only
    for the cases where one of them differs. Setting a column rewrites every index that
    holds it even when the value is the same: setting them all rewrote six index entries of
    each case (a re-import's copies mostly keep reference, source and codes)."""
    from vigie.cases.interchange.bulk_write import SWAPPED

    q = connection.ops.quote_name
    case, copy = q(Case._meta.db_table), q("copy")
    join = (
        f"FROM {case} AS {copy} WHERE {copy}.{q('replaces_id')} = {case}.{q('id')} "
        f"AND {copy}.{q('stage_id')} = %s"
    )
    indexed = _indexed_columns()
    plain = [c for c in SWAPPED if c not in indexed]
    keyed = [c for c in SWAPPED if c in indexed]
    updated = q("updated_at")
    sets = ", ".join(f"{q(c)} = {copy}.{q(c)}" for c in plain)
    cursor.execute(
        f"UPDATE {case} SET {sets} {join} AND {case}.{updated} <= {copy}.{updated}",  # noqa: S608
        [stage_id],
    )
    count = int(cursor.rowcount)
    if keyed:
        distinct = "IS NOT" if connection.vendor == "sqlite" else "IS DISTINCT FROM"
        differ = " OR ".join(f"{copy}.{q(c)} {distinct} {case}.{q(c)}" for c in keyed)
        sets = ", ".join(f"{q(c)} = {copy}.{q(c)}" for c in keyed)
        cursor.execute(f"UPDATE {case} SET {sets} {join} AND ({differ})", [stage_id])  # noqa: S608
    return count


def _swap_terms(cursor: Any, stage_id: int) -> None:
    """The replaced cases' filter terms become their copies', touching only what differs
    (a term row is ``(case, term, created_at)`` and a copy's carry its case's
    ``created_at``). A copy staged with ``digests.TERMS_DIFF`` carries only the difference,
    read while staging: its terms the case lacks, and the terms to remove marked
    ``digests.REMOVED``; three statements driven by those few rows. A copy staged before
    carries all its terms: three statements compare them with the case's. Moving every
    copy's terms instead (delete, then ``UPDATE ... SET case_id``) rewrote each term in both
    of the table's indexes: 21 s of a 20,000-case swap under load."""
    q = connection.ops.quote_name
    case, copy, table = q(Case._meta.db_table), q("copy"), q(CaseTerm._meta.db_table)
    stage_id_, replaces, pk, case_id, term, parts, created = (
        q("stage_id"),
        q("replaces_id"),
        q("id"),
        q("case_id"),
        q("term"),
        q("swap_parts"),
        q("created_at"),
    )
    mine = f"{copy}.{stage_id_} = %s AND {copy}.{replaces} IS NOT NULL"
    diffed = f"{mine} AND ({copy}.{parts} & {digests.TERMS_DIFF}) <> 0"
    full = f"{mine} AND ({copy}.{parts} & {digests.TERMS_DIFF}) = 0"
    removed = connection.ops.adapt_datetimefield_value(digests.REMOVED)
    m, o = q("m"), q("o")
    # full copies (staged before TERMS_DIFF): the replaced cases' terms their copies do not
    # have, before any term moves
    cursor.execute(
        f"DELETE FROM {table} WHERE {case_id} IN "  # noqa: S608
        f"(SELECT {copy}.{replaces} FROM {case} AS {copy} WHERE {full}) "
        # the copy first, then its term by the (case, term) index: joined, SQLite searched
        # the terms by term alone (a common term's every row, per term: quadratic)
        f"AND NOT EXISTS (SELECT 1 FROM {table} AS {q('t')} WHERE {q('t')}.{case_id} = "
        f"(SELECT {copy}.{pk} FROM {case} AS {copy} WHERE {copy}.{replaces} = "
        f"{table}.{case_id} AND {copy}.{replaces} IS NOT NULL) "
        f"AND {q('t')}.{term} = {table}.{term})",
        [stage_id],
    )
    # differences: the terms marked removed, deleted from the cases
    cursor.execute(
        f"DELETE FROM {table} WHERE {pk} IN (SELECT {o}.{pk} FROM {case} AS {copy} "  # noqa: S608
        f"JOIN {table} AS {m} ON {m}.{case_id} = {copy}.{pk} "
        f"JOIN {table} AS {o} ON {o}.{case_id} = {copy}.{replaces} AND {o}.{term} = {m}.{term} "
        f"WHERE {diffed} AND {m}.{created} = %s)",
        [stage_id, removed],
    )
    # the terms the cases lack, moved onto them (every term of a copy, for a full one, that
    # its case lacks)
    cursor.execute(
        f"UPDATE {table} SET {case_id} = {copy}.{replaces} FROM {case} AS {copy} "  # noqa: S608
        f"WHERE {copy}.{pk} = {table}.{case_id} AND {mine} AND {table}.{created} <> %s "
        f"AND NOT EXISTS (SELECT 1 FROM {table} AS {o} "
        f"WHERE {o}.{case_id} = {copy}.{replaces} AND {o}.{term} = {table}.{term})",
        [stage_id, removed],
    )
    # the rest: the markers, and the terms full copies share with their cases
    cursor.execute(
        f"DELETE FROM {table} WHERE {case_id} IN "  # noqa: S608
        f"(SELECT {copy}.{pk} FROM {case} AS {copy} WHERE {mine})",
        [stage_id],
    )


def _linked_meanwhile(stage: ImportStage) -> bool:
    """Whether a record of another app now points at a row of a case whose rows the stage
    replaces (staging left such cases to the ORM, ``bulk_write.replaceable``; a link made while the
    import ran would stop the swap's delete): one query per such relation."""
    # only the cases whose rows the swap deletes: a copy whose rows equal its case's leaves
    # them in place (digests.ROWS), and a link to one of them stays valid
    copies = Case.all_objects.filter(stage=stage, replaces__isnull=False)
    moving = copies.alias(rows=F("swap_parts").bitand(digests.ROWS)).filter(rows__gt=0)
    replaced = moving.values("replaces_id")
    for section in ORDER:
        for f in records.CHILDREN[section]._meta.get_fields(include_hidden=True):
            related = getattr(f, "related_model", None)
            if not (f.auto_created and not f.concrete and f.one_to_many) or related is None:
                continue
            if related._meta.app_label == "cases":
                continue
            name = f.field.name  # type: ignore[union-attr]
            if related._base_manager.filter(**{f"{name}__case_id__in": replaced}).exists():
                return True
    return False


def publish(stage: ImportStage) -> IdRanges:
    """Make the stage's new cases visible (one ``UPDATE``) and forget the stage; the ids of
    the cases published. Call inside the publishing transaction, after :func:`swap`.

    The swapped copies are left staged (invisible to every default manager, their rows and
    terms moved onto their cases) and the stage marked published: deleting 100,000 copies
    took a third of the publishing transaction, and the importer deletes them after the
    commit, ``BATCH`` per transaction (:func:`discard`)."""
    ids = IdRanges()
    new = Case.all_objects.filter(stage=stage, replaces__isnull=True)
    ids.add(sorted(new.values_list("pk", flat=True)))
    new.update(stage=None)
    if Case.all_objects.filter(stage=stage).exists():
        ImportStage.objects.filter(pk=stage.pk).update(published_at=timezone.now())
    else:
        ImportStage.objects.filter(pk=stage.pk).delete()
    return ids


def discard_published(org: Organisation) -> None:
    """Finish deleting the copies of the organisation's published stages that an
    interrupted import left (see :func:`publish`): they hold the cases they replace
    (``case_replaced_once``), so a new import staging copies of those cases needs them
    gone."""
    for pk in ImportStage.objects.filter(organisation=org, published_at__isnull=False).values_list(
        "pk", flat=True
    ):
        discard(pk)


def discard(stage_id: int) -> int:
    """Delete a stage and what it staged, ``BATCH`` cases per transaction (never one long
    write); the number of cases deleted."""
    q = connection.ops.quote_name
    tables = [q(CaseTerm._meta.db_table)]
    for section in reversed(ORDER):  # rows that link to others go first
        tables.append(q(records.CHILDREN[section]._meta.db_table))
    removed = 0
    while True:
        with transaction.atomic():
            ids = list(
                Case.all_objects.filter(stage_id=stage_id).values_list("pk", flat=True)[:BATCH]
            )
            if not ids:
                ImportStage.objects.filter(pk=stage_id).delete()
                return removed
            marks = ", ".join(["%s"] * len(ids))
            with connection.cursor() as cursor:
                for table in tables:
                    cursor.execute(f"DELETE FROM {table} WHERE {q('case_id')} IN ({marks})", ids)  # noqa: S608
                cursor.execute(
                    f"DELETE FROM {q(Case._meta.db_table)} WHERE {q('id')} IN ({marks})",  # noqa: S608
                    ids,
                )
            removed += len(ids)


def discard_abandoned(hours: float = STALE_HOURS) -> int:
    """Discard stages untouched for ``hours`` whose job is not queued or running (a crashed
    import nobody ran again), and the published stages whose copies were not all deleted
    (:func:`publish`), whatever their age; the number of stages discarded."""
    cutoff = timezone.now() - timedelta(hours=hours)
    live = {
        str(pk)
        for pk in Job.objects.filter(
            kind="cases.import", status__in=[Job.Status.QUEUED, Job.Status.RUNNING]
        ).values_list("pk", flat=True)
    }
    stale = list(
        ImportStage.objects.filter(
            Q(updated_at__lt=cutoff) | Q(published_at__isnull=False)
        ).values_list("pk", "job", "published_at")
    )
    n = 0
    for pk, job, published in stale:
        if job and job in live and published is None:
            continue
        discard(pk)
        n += 1
    return n
