"""The rows of a re-imported case updated in place at publication (docs/adr/0047, ninth
round): when a copy's rows differ from its case's (``digests.ROWS``), each of the case's
rows is paired with the copy's row of the same rank in its table (by id, the file's order:
the bulk writer reserves ids in the order of the record's lists), and takes that row's
columns in an ``UPDATE``; only the rows left unpaired are deleted (the case's) or moved (the
copy's). The copy keeps its paired rows, invisible, and the importer deletes them with the
copy after the commit (``staging.discard``).

Why: deleting 100,000 cases' victims (each in seven indexes, and searched in the five tables
that may point at a victim) and moving the copies' onto the cases held the write lock 3.5 s
at 100,000 cases; an ``UPDATE`` rewrites only the indexes of the columns it sets, and the
indexed columns are set only where they differ. The case's rows keep their ids and uuids,
so what points at a victim (a consent, a referral) still points at the same person.

A row's links to the copy's other rows (an exploitation's victim, a victim's incident) are
mapped to the case's row paired with the one they name. A table with a unique constraint
of its own (route legs: case, victim, sequence) is not paired: an ``UPDATE`` is checked row
by row, and legs reordered by the file would collide on the way.
"""

from __future__ import annotations

from typing import Any

from django.db import connection, models

from vigie.cases import records
from vigie.cases.interchange import digests
from vigie.cases.models import Case
from vigie.cases.services import ORDER

#: columns an in-place update never sets: the row's identity and provenance
KEPT = frozenset({"id", "uuid", "case_id", "organisation_id", "created_at"})


def _q(name: str) -> str:
    return str(connection.ops.quote_name(name))


def _pair_table(model: type[models.Model]) -> str:
    return _q(f"vigie_pair_{model._meta.model_name}")


def paired(model: type[models.Model]) -> bool:
    """Whether ``model``'s rows are updated in place (no unique constraint of its own)."""
    return (
        not any(isinstance(c, models.UniqueConstraint) for c in model._meta.constraints)
        and not model._meta.unique_together
    )


def indexed_columns(model: type[models.Model]) -> frozenset[str]:
    """The columns some index or unique constraint of ``model``'s table holds (in its key
    or its condition): setting one rewrites that index's entry, even to the same value."""
    names: set[str] = set()

    def walk(condition: Any) -> None:
        for child in getattr(condition, "children", ()):
            if isinstance(child, tuple):
                names.add(child[0].split("__")[0])
            else:
                walk(child)

    for index in [*model._meta.indexes, *model._meta.constraints]:
        names.update(f.lstrip("-") for f in getattr(index, "fields", ()))
        walk(getattr(index, "condition", None))
    fields = model._meta.concrete_fields
    out = {f.attname for f in fields if f.name in names or f.attname in names}
    return frozenset(out | {f.attname for f in fields if getattr(f, "db_index", False) or f.unique})


def _links(model: type[models.Model]) -> dict[str, type[models.Model]]:
    """``model``'s columns that name another row of the same case: {column: its model}."""
    children = set(records.CHILDREN.values())
    return {
        f.attname: f.related_model  # type: ignore[misc]
        for f in model._meta.concrete_fields
        if f.is_relation and f.related_model in children
    }


def move_rows(cursor: Any, stage_id: int) -> None:
    """Bring the rows of the stage's copies whose rows differ onto their cases (inside the
    publishing transaction; see the module's docstring)."""
    case, copy, pk, case_id = _q(Case._meta.db_table), _q("copy"), _q("id"), _q("case_id")
    moving = (
        f"{copy}.{_q('stage_id')} = %s AND {copy}.{_q('replaces_id')} IS NOT NULL "
        f"AND ({copy}.{_q('swap_parts')} & {digests.ROWS}) <> 0"
    )
    models_ = [records.CHILDREN[s] for s in ORDER]  # parents first
    # temporary tables of this connection; a rollback takes their creation back too. The
    # case's rows are ranked into one keyed by (case, rank), and each copy row finds its
    # pair there by that key: joining the two ranked lists directly, SQLite compared every
    # row with every row (100,000 cases: minutes)
    rank, k, r, new_id, old_id = _q("vigie_rank"), _q("k"), _q("r"), _q("new_id"), _q("old_id")
    cursor.execute(f"DROP TABLE IF EXISTS {rank}")
    cursor.execute(
        f"CREATE TEMPORARY TABLE {rank} ({k} bigint NOT NULL, {r} bigint NOT NULL, "
        f"{pk} bigint NOT NULL, PRIMARY KEY ({k}, {r}))"
    )
    ranked = f"ROW_NUMBER() OVER (PARTITION BY {_q('t')}.{case_id} ORDER BY {_q('t')}.{pk})"
    for model in models_:
        if not paired(model):
            continue
        pair, table = _pair_table(model), _q(model._meta.db_table)
        cursor.execute(f"DROP TABLE IF EXISTS {pair}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {pair} ({new_id} bigint PRIMARY KEY, "
            f"{old_id} bigint NOT NULL UNIQUE)"
        )
        cursor.execute(f"DELETE FROM {rank}")  # noqa: S608
        cursor.execute(
            f"INSERT INTO {rank} ({k}, {r}, {pk}) "  # noqa: S608
            f"SELECT {_q('t')}.{case_id}, {ranked}, {_q('t')}.{pk} FROM {case} AS {copy} "
            f"JOIN {table} AS {_q('t')} ON {_q('t')}.{case_id} = {copy}.{_q('replaces_id')} "
            f"WHERE {moving}",
            [stage_id],
        )
        cursor.execute(
            f"INSERT INTO {pair} ({new_id}, {old_id}) "  # noqa: S608
            f"SELECT {pk}, {_q('o')} FROM (SELECT {_q('a')}.{pk}, "
            f"(SELECT {rank}.{pk} FROM {rank} WHERE {rank}.{k} = {_q('a')}.{k} "
            f"AND {rank}.{r} = {_q('a')}.{r}) AS {_q('o')} FROM "
            f"(SELECT {_q('t')}.{pk}, {copy}.{_q('replaces_id')} AS {k}, {ranked} AS {r} "
            f"FROM {case} AS {copy} JOIN {table} AS {_q('t')} "
            f"ON {_q('t')}.{case_id} = {copy}.{pk} WHERE {moving}) AS {_q('a')}) "
            f"AS {_q('p')} WHERE {_q('o')} IS NOT NULL",
            [stage_id],
        )
    cursor.execute(f"DROP TABLE {rank}")
    for model in reversed(models_):  # rows that link to others go first
        _delete_unpaired(cursor, model, stage_id, moving)
    for model in models_:
        if paired(model):
            _update_paired(cursor, model)
        _move_unpaired(cursor, model, stage_id, moving)
    for model in models_:
        if paired(model):
            cursor.execute(f"DROP TABLE {_pair_table(model)}")


def _mapped(model: type[models.Model], column: str, source: str) -> str:
    """``source``'s value of link ``column`` named in the case's rows: the case's row paired
    with the copy's row it names, or that row itself (moved, unpaired)."""
    target = _links(model)[column]
    if not paired(target):
        return f"{source}.{_q(column)}"
    pair = _pair_table(target)
    return (
        f"COALESCE((SELECT {_q('old_id')} FROM {pair} WHERE {_q('new_id')} = "  # noqa: S608
        f"{source}.{_q(column)}), {source}.{_q(column)})"
    )


def _delete_unpaired(cursor: Any, model: type[models.Model], stage_id: int, moving: str) -> None:
    """The case's rows no copy's row pairs with."""
    case, copy, table = _q(Case._meta.db_table), _q("copy"), _q(model._meta.db_table)
    unpaired = ""
    if paired(model):
        pairs = _pair_table(model)
        unpaired = f" AND {_q('id')} NOT IN (SELECT {_q('old_id')} FROM {pairs})"  # noqa: S608
    cursor.execute(
        f"DELETE FROM {table} WHERE {_q('case_id')} IN "  # noqa: S608
        f"(SELECT {copy}.{_q('replaces_id')} FROM {case} AS {copy} WHERE {moving}){unpaired}",
        [stage_id],
    )


def _update_paired(cursor: Any, model: type[models.Model]) -> None:
    """Each paired row of the case takes its copy row's columns: those no index holds in
    one statement, the indexed ones in another, only where one of them differs."""
    table, n, pair = _q(model._meta.db_table), _q("n"), _pair_table(model)
    links = _links(model)
    columns = [f.attname for f in model._meta.concrete_fields if f.attname not in KEPT]
    indexed = indexed_columns(model)

    def value(column: str) -> str:
        return _mapped(model, column, n) if column in links else f"{n}.{_q(column)}"

    join = (
        f"FROM {pair}, {table} AS {n} WHERE {table}.{_q('id')} = {pair}.{_q('old_id')} "
        f"AND {n}.{_q('id')} = {pair}.{_q('new_id')}"
    )
    plain = [c for c in columns if c not in indexed]
    if plain:
        sets = ", ".join(f"{_q(c)} = {value(c)}" for c in plain)
        cursor.execute(f"UPDATE {table} SET {sets} {join}")  # noqa: S608
    keyed = [c for c in columns if c in indexed]
    if keyed:
        distinct = "IS NOT" if connection.vendor == "sqlite" else "IS DISTINCT FROM"
        differ = " OR ".join(f"{value(c)} {distinct} {table}.{_q(c)}" for c in keyed)
        sets = ", ".join(f"{_q(c)} = {value(c)}" for c in keyed)
        cursor.execute(f"UPDATE {table} SET {sets} {join} AND ({differ})")  # noqa: S608


def _move_unpaired(cursor: Any, model: type[models.Model], stage_id: int, moving: str) -> None:
    """The copy's rows no case's row pairs with, moved onto the case, their links mapped."""
    case, copy, table = _q(Case._meta.db_table), _q("copy"), _q(model._meta.db_table)
    sets = [f"{_q('case_id')} = {copy}.{_q('replaces_id')}"]
    sets += [f"{_q(c)} = {_mapped(model, c, table)}" for c in _links(model)]
    unpaired = ""
    if paired(model):
        pairs = _pair_table(model)
        unpaired = f" AND {table}.{_q('id')} NOT IN (SELECT {_q('new_id')} FROM {pairs})"  # noqa: S608
    cursor.execute(
        f"UPDATE {table} SET {', '.join(sets)} FROM {case} AS {copy} "  # noqa: S608
        f"WHERE {copy}.{_q('id')} = {table}.{_q('case_id')} AND {moving}{unpaired}",
        [stage_id],
    )
