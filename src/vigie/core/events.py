"""One change event for every writer of every record type (ADR 0008).

Every service that creates, changes or deletes records — one at a time through the ORM or
in bulk with raw SQL — calls :func:`announce` inside its transaction. After the transaction
commits, :data:`records_changed` is sent once per call with:

- ``kind``: the record type, ``"<app_label>.<model>"`` in lower case (``"cases.case"``);
- ``ids``: the primary keys written (a list, or a compact ``IdRanges`` for bulk writes);
- ``action``: ``"created"``, ``"changed"``, ``"deleted"`` or ``"mixed"`` (an import);
- ``actor``: the :class:`vigie.core.actor.Actor` who did it;
- ``organisation_id``: the owning organisation when all ids share one, else ``None``;
- ``uuids``: the records' uuids when the writer passes them (a deletion must: after the
  commit the rows are gone and a consumer keyed by uuid could not find them), else ``None``.

A rolled-back transaction sends nothing. Consumers (analytics refresh, screening of
perpetrators, linkage, networks...) connect with a ``dispatch_uid`` in their ``AppConfig``;
they must be quick (note work and queue a job), because they run in the writer's request.
``vigie.core.tests.test_events`` enumerates the writers and fails if one does not announce.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.dispatch import Signal

if TYPE_CHECKING:
    from vigie.core.actor import Actor

records_changed = Signal()

ACTIONS = ("created", "changed", "deleted", "mixed")


def announce(
    kind: str,
    ids: Iterable[Any],
    actor: Actor,
    *,
    action: str = "changed",
    organisation_id: int | None = None,
    uuids: Iterable[Any] | None = None,
    using: str | None = None,
) -> None:
    """Send :data:`records_changed` after the current transaction commits (now, if none)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    ids = ids if hasattr(ids, "ranges") else list(ids)
    uuids = None if uuids is None else list(uuids)

    def send() -> None:
        records_changed.send(
            sender=kind,
            kind=kind,
            ids=ids,
            action=action,
            actor=actor,
            organisation_id=organisation_id,
            uuids=uuids,
        )

    transaction.on_commit(send, using=using)
