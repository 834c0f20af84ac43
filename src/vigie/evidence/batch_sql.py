"""Plain SQL for the batched ingest's one transaction per batch (vigie.evidence.batch): rows
inserted with ``executemany`` and ids looked up in chunks on Django's connection, and the
batch's one change-log entry. Split from vigie.evidence.batch."""

from __future__ import annotations

import uuid as uuidlib
from typing import TYPE_CHECKING, Any

from django.db import connection, models
from django.db.models.constants import OnConflict

from vigie.core.actor import Viewer
from vigie.core.models import Organisation
from vigie.evidence.models import Item

if TYPE_CHECKING:
    from vigie.evidence.batch import Outcome

IN_CHUNK = 900  # parameters per ``IN (...)`` lookup (under every backend's limit)


class _Sql:
    """Plain SQL on Django's connection: INSERT with ``executemany``, and id lookups."""

    def __init__(self, cursor: Any) -> None:
        self.cursor = cursor
        self.q = connection.ops.quote_name

    def table(self, model: type[models.Model]) -> str:
        return str(self.q(model._meta.db_table))

    def insert(
        self,
        model: type[models.Model],
        fields: list[str],
        rows: list[Any],
        *,
        ignore_conflicts: bool = False,
    ) -> None:
        """One ``executemany``; ``ignore_conflicts`` skips rows a unique constraint refuses
        (as ``bulk_create(ignore_conflicts=True)``: OR IGNORE / ON CONFLICT DO NOTHING)."""
        if not rows:
            return
        ops = connection.ops
        columns = [model._meta.get_field(f) for f in fields]
        cols = ", ".join(self.q(getattr(c, "column", "")) for c in columns)
        marks = ", ".join(["%s"] * len(fields))
        conflict = OnConflict.IGNORE if ignore_conflicts else None
        suffix = ops.on_conflict_suffix_sql(columns, conflict, None, None) if conflict else ""
        sql = (
            f"{ops.insert_statement(on_conflict=conflict)} {self.table(model)} ({cols}) "
            f"VALUES ({marks}) {suffix}"
        )
        self.cursor.executemany(sql, rows)

    def lookup(
        self, model: type[models.Model], select: str, where: str, values: list[Any], extra: str = ""
    ) -> list[tuple[Any, ...]]:
        """``SELECT <select> FROM table WHERE <where> IN (values) <extra>``, in chunks."""
        out: list[tuple[Any, ...]] = []
        for start in range(0, len(values), IN_CHUNK):
            chunk = values[start : start + IN_CHUNK]
            marks = ", ".join(["%s"] * len(chunk))
            sql = f"SELECT {select} FROM {self.table(model)} WHERE {where} IN ({marks}) {extra}"  # noqa: S608
            self.cursor.execute(sql, chunk)
            out.extend(self.cursor.fetchall())
        return out


def _record_change(
    user: Viewer,
    actor_name: str,
    organisation: Organisation,
    case_ref: str,
    made: list[tuple[Outcome, str, int, str]],
    ids: dict[str, int],
    last_seq: int,
) -> None:
    """One change-log (django-auditlog) entry for the batch, in its transaction: a "create"
    of evidence items naming every item (uuid, id, file name), the case, the operator and
    the custody entries that record them — what the change log of a one-by-one ingest would
    show, as one entry instead of one per item (bulk inserts send no model signals). The
    organisation is in ``additional_data`` so its auditors see it. ADR 0612."""
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    first_seq = last_seq - 2 * len(made) + 1
    listed = [
        {"uuid": u, "id": ids[u], "name": out.name, "duplicate_of": first}
        for out, u, _bid, first in made
    ]
    who = actor_name or getattr(user, "username", "") or "system"
    LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(Item),
        object_pk=str(ids[made[0][1]]),
        object_id=ids[made[0][1]],
        object_repr=f"{len(made)} evidence item(s) added in one batch to case {case_ref}",
        action=LogEntry.Action.CREATE,
        changes={
            "items": ["None", ", ".join(u for _o, u, _b, _f in made)],
            "case_ref": ["None", case_ref],
            "custody_entries": ["None", f"{first_seq}-{last_seq}"],
            "added_by": ["None", who],
        },
        actor=user if getattr(user, "pk", None) else None,
        additional_data={
            "organisation": organisation.code,
            "batch": {"items": listed, "custody_entries": [first_seq, last_seq]},
        },
    )


def _uuid_db(value: str, native: bool) -> Any:
    u = uuidlib.UUID(value)
    return u if native else u.hex
