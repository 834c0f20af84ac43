"""Write what :func:`vigie.cases.interchange.bulk.build` made: reserve the ids of the new
rows, replace the stored cases that re-imported records name (set-based updates), insert the
rows, one ``executemany`` per table, in the caller's transaction. No row is read back.

Ids are reserved by hand (SQLite: after taking the write lock, the ids after the largest
ever used; PostgreSQL: from the table's sequence) rather than read back with ``INSERT ...
RETURNING``: why, with the measurement, in docs/adr/0323-bulk-ids-reserved-by-hand.md."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models, transaction

from vigie.cases import records, services
from vigie.cases.interchange import digests
from vigie.cases.interchange.bulk import CASE, TABLES, Built, table_model, table_plan
from vigie.cases.models import Case, CaseTerm
from vigie.cases.search import terms


def _lock(cursor: Any) -> None:
    """SQLite: take the database's write lock now (a write that changes nothing), so the
    ids read next cannot be taken by another connection before this transaction ends."""
    if connection.vendor == "sqlite":
        table = connection.ops.quote_name(Case._meta.db_table)
        cursor.execute(f"UPDATE {table} SET id = id WHERE id < 0")  # noqa: S608


def _reserve(cursor: Any, model: type[models.Model], n: int) -> Sequence[int]:
    """``n`` new ids for ``model``'s table, never used before (sorted)."""
    table = model._meta.db_table
    if connection.vendor == "postgresql":
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, n],
        )
        return sorted(r[0] for r in cursor.fetchall())
    q = connection.ops.quote_name
    cursor.execute(f"SELECT max({q('id')}) FROM {q(table)}")  # noqa: S608
    top = cursor.fetchone()[0] or 0
    if connection.vendor == "sqlite":  # AUTOINCREMENT: never reuse the id of a deleted row
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        top = max(top, row[0] if row else 0)
    return range(top + 1, top + 1 + n)


@dataclass(frozen=True)
class Existing:
    """A case already stored that a built record replaces (a re-imported row): its id and
    creation time (kept), the case fields the record gives (the others keep their values)
    and the sections it gives (their rows are replaced; the record's other sections must
    have none: :func:`replaceable` says which cases qualify)."""

    pk: int
    created_at: Any
    fields: frozenset[str]
    sections: frozenset[str]
    digest: str = ""  # the stored case's ``content_digest``
    parts: int = digests.ALL  # for a staged copy: the parts that differ (``digests``)
    terms: frozenset[str] | None = None  # for a staged copy: the stored case's filter terms
    # the stored case's values of the fields its search text reads (``bulk.INDEXED``)
    indexed: dict[str, str] = field(default_factory=dict)


#: Case columns an update never sets: identity and provenance of the stored case.
KEPT = frozenset({"id", "uuid", "organisation_id", "created_by_id", "created_at"})


def replaceable(candidates: dict[int, Existing]) -> set[int]:
    """The candidates whose rows the set-based path may replace: every section the record
    leaves out is empty in the stored case (so "kept" and "replaced by nothing" agree, and
    the filter index built from the record is the stored case's), and no record of another
    app points at a row that would be deleted (Django's ``on_delete`` runs only through the
    ORM). A few queries per batch, never one per case."""
    ok = set(candidates)
    by_pk = {e.pk: rel for rel, e in candidates.items()}
    q = connection.ops.quote_name
    for section in services.ORDER:
        model = records.CHILDREN[section]
        left_out = [e.pk for e in candidates.values() if section not in e.sections]
        # the candidates are published cases: the default manager's filter (rows of staged
        # cases left out) changes nothing, and the ORM's ``__in`` cost most of a re-import's
        # look-ups here (ADR 0043)
        table = q(model._meta.db_table)
        with connection.cursor() as cursor:
            for chunk in _chunked(left_out):
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(
                    f"SELECT DISTINCT {q('case_id')} FROM {table} "  # noqa: S608
                    f"WHERE {q('case_id')} IN ({marks})",
                    chunk,
                )
                ok -= {by_pk[pk] for (pk,) in cursor.fetchall()}
        given = [e.pk for rel, e in candidates.items() if section in e.sections and rel in ok]
        for f in model._meta.get_fields(include_hidden=True):
            related = getattr(f, "related_model", None)
            if not (f.auto_created and not f.concrete and f.one_to_many) or related is None:
                continue
            if related._meta.app_label == "cases":
                continue  # rows of the same case, replaced together
            for chunk in _chunked(given):
                lookup = {f"{f.field.name}__case_id__in": chunk}  # type: ignore[union-attr]
                used = related._default_manager.filter(**lookup).values_list(
                    f"{f.field.name}__case_id"  # type: ignore[union-attr]
                )
                ok -= {by_pk[pk] for (pk,) in used.distinct()}
    return ok


def _chunked(values: list[Any], size: int = 500) -> Iterator[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


#: Case columns derived from the whole record: always rewritten by an update.
DERIVED = frozenset({"codes_index", "search_text", "updated_at", "content_digest"})
#: Case columns a staged copy brings to its case when swapped in (ADR 0047).
SWAPPED = tuple(
    f.attname
    for f in Case._meta.concrete_fields
    if f.attname not in KEPT | {"stage_id", "replaces_id", "swap_parts"}
)


def given_columns(fields: frozenset[str]) -> frozenset[str]:
    """The Case columns an update that gives the case ``fields`` sets: those fields, their
    blind indexes and the derived columns; the others keep the stored case's values."""
    blind = {source: name for name, source, _context in table_plan(Case).blind}
    names = {f.attname for f in Case._meta.concrete_fields if f.name in fields}
    names |= {blind[n] for n in names if n in blind}
    return frozenset((names | DERIVED) - KEPT)


def _replace(cursor: Any, built: Built, existing: dict[int, Existing]) -> None:
    """Update the stored cases from their built rows (one ``executemany`` per set of given
    fields) and delete the rows of the sections the records give, and their filter terms."""
    q = connection.ops.quote_name
    plan = table_plan(Case)
    position = {name: i for i, name in enumerate(plan.names)}
    groups: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
    for row in built.rows.get(CASE, ()):
        target = existing.get(row[0])
        if target is None:
            continue
        columns = tuple(sorted(given_columns(target.fields)))
        groups.setdefault(columns, []).append((*(row[position[c]] for c in columns), target.pk))
    table = q(Case._meta.db_table)
    for columns, values in groups.items():
        sets = ", ".join(f"{q(c)} = %s" for c in columns)
        cursor.executemany(f"UPDATE {table} SET {sets} WHERE {q('id')} = %s", values)  # noqa: S608
    for section in reversed(services.ORDER):  # rows that link to others go first
        pks = [e.pk for e in existing.values() if section in e.sections]
        child = q(records.CHILDREN[section]._meta.db_table)
        for chunk in _chunked(pks):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"DELETE FROM {child} WHERE {q('case_id')} IN ({marks})", chunk)  # noqa: S608
    term_table = q(CaseTerm._meta.db_table)
    for chunk in _chunked([e.pk for e in existing.values()]):
        marks = ", ".join(["%s"] * len(chunk))
        cursor.execute(f"DELETE FROM {term_table} WHERE {q('case_id')} IN ({marks})", chunk)  # noqa: S608


def write(
    built: Built,
    keep: Collection[int] | None = None,
    existing: dict[int, Existing] | None = None,
    *,
    stage: int | None = None,
    copies: dict[int, Existing] | None = None,
) -> list[int]:
    """Write ``built`` (only the cases whose relative id is in ``keep``, if given, with
    their rows): new cases are inserted; those in ``existing`` replace the stored case (see
    :class:`Existing`). The written cases' ids, in order. Runs in the caller's transaction;
    inserts and updates share the rows :func:`build` made. ``stage``: the new cases belong
    to that staged import (``Case.stage``), invisible until it is published. ``copies``
    (with ``stage``): those new cases are staged copies of the stored cases named, the new
    versions that publication swaps in (``Case.replaces``; ADR 0047): their filter terms
    carry the stored case's creation time and the case columns the record does not give
    are copied from the stored case."""
    plans = {t: table_plan(table_model(t)) for t in TABLES}
    existing = existing or {}
    copies = copies or {}
    wanted = None if keep is None else set(keep) | set(existing) | set(copies)
    # the parts of a copy equal to its case's are not written: the swap leaves the case's
    unmoved_rows = {rel for rel, e in copies.items() if not e.parts & digests.ROWS}
    diffed = {rel for rel, e in copies.items() if e.terms is not None}
    ids: dict[str, Sequence[int]] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        _lock(cursor)
        if existing:
            _replace(cursor, built, existing)
        for table in TABLES:
            n = len(built.rows.get(table, ()))
            if table == CASE:
                fresh = iter(_reserve(cursor, Case, n - len(existing)) if n > len(existing) else ())
                ids[CASE] = [
                    existing[rel].pk if rel in existing else next(fresh) for rel in range(n)
                ]
            else:
                ids[table] = _reserve(cursor, plans[table].model, n) if n else ()
        for table in TABLES:
            rows = built.rows.get(table)
            if not rows:
                continue
            plan = plans[table]
            if table == CASE:
                rows = [r for r in rows if r[0] not in existing]
                if stage is not None:
                    at = [plan.names.index(n) for n in ("stage_id", "replaces_id", "swap_parts")]
                    rows = [_staged(r, at, stage, copies.get(r[0])) for r in rows]
            elif unmoved_rows:  # a copy's rows equal to its case's stay unwritten
                pos = plan.case_pos
                rows = [r for r in rows if r[pos] not in unmoved_rows]
            if wanted is not None:
                pos = plan.case_pos
                rows = [r for r in rows if r[pos] in wanted]
            links = [(pos, ids[target]) for pos, target in plan.links]
            out = []
            for r in rows:
                values = list(r)
                for pos, targets in links:
                    value = values[pos]
                    if value is not None:
                        values[pos] = targets[value]
                out.append(values)
            if out:
                cursor.executemany(plan.insert_sql, out)
        case_ids = ids[CASE]
        adapt = connection.ops.adapt_datetimefield_value
        created = {rel: adapt(e.created_at) for rel, e in (existing | copies).items()}
        terms.insert(
            cursor,
            [
                (case_ids[r[0]], r[1], created.get(r[0], r[2]), *r[3:])
                for r in built.terms
                if (wanted is None or r[0] in wanted) and r[0] not in diffed
            ]
            + _term_differences(built, {rel: copies[rel] for rel in diffed}, case_ids, created),
        )
        if copies:
            _fill_copies(cursor, {ids[CASE][rel]: e for rel, e in copies.items()})
    return [case_ids[r[0]] for r in built.rows.get(CASE, ()) if wanted is None or r[0] in wanted]


def _term_differences(
    built: Built, copies: dict[int, Existing], case_ids: Sequence[int], created: dict[int, Any]
) -> list[tuple[Any, ...]]:
    """The filter terms of the copies whose stored case's terms were read (``terms``): those
    the case lacks, then those it has and the copy lacks, marked ``digests.REMOVED``; a
    summary changed moves two or three terms at publication, not the case's thirty."""
    if not copies:
        return []
    new: dict[int, set[str]] = {rel: set() for rel in copies}
    for r in built.terms:
        if r[0] in new:
            new[r[0]].add(r[1])
    removed = connection.ops.adapt_datetimefield_value(digests.REMOVED)
    out: list[tuple[Any, ...]] = []
    for rel, e in copies.items():
        old = e.terms or frozenset()
        out += [(case_ids[rel], t, created[rel]) for t in sorted(new[rel] - old)]
        out += [(case_ids[rel], t, removed) for t in sorted(old - new[rel])]
    return out


def _staged(row: tuple[Any, ...], at: list[int], stage: int, copy: Existing | None) -> Any:
    """A new case row with its stage (and, for a staged copy, the case it replaces and the
    parts that differ from it)."""
    values = list(row)
    values[at[0]] = stage
    if copy is not None:
        values[at[1]], values[at[2]] = copy.pk, copy.parts
    return values


def _fill_copies(cursor: Any, copies: dict[int, Existing]) -> None:
    """Copy onto the staged copies (``{copy id: the case it replaces}``) the case columns
    their records do not give, from the stored case, so that the swap sets every column
    from the copy (one ``UPDATE ... FROM`` per set of given fields: SQLite 3.33+ and
    PostgreSQL)."""
    q = connection.ops.quote_name
    table = q(Case._meta.db_table)
    groups: dict[frozenset[str], list[int]] = {}
    for pk, e in copies.items():
        groups.setdefault(e.fields, []).append(pk)
    for fields, pks in groups.items():
        columns = [c for c in SWAPPED if c not in given_columns(fields)]
        if not columns:
            continue
        sets = ", ".join(f"{q(c)} = {q('original')}.{q(c)}" for c in columns)
        for chunk in _chunked(pks):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"UPDATE {table} SET {sets} FROM {table} AS {q('original')} "  # noqa: S608
                f"WHERE {q('original')}.{q('id')} = {table}.{q('replaces_id')} "
                f"AND {table}.{q('id')} IN ({marks})",
                chunk,
            )
