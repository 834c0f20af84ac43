"""Fills django-auditlog's change entries with who, from where, under which request, for
which organisation — read when the entry is saved, so DRF token users are known too.

Identity fields (``vigie.core.classification``: encrypted fields and every field a model
declares ``IDENTITY``) never enter the change log in any form: an entry records only that
such a field changed (``["changed", "changed"]``), never its value, masked or not
(docs/adr/0020). Organisation administrators and auditors read the change log; they need
not have ``victim.identity.view``.
"""

from __future__ import annotations

from typing import Any

from auditlog.models import LogEntry
from django.db.models.signals import pre_save

from vigie.core import context


def _fill(sender: type[LogEntry], instance: LogEntry, **kwargs: Any) -> None:
    ctx = context.current()
    if ctx is None:
        return
    user = context.current_user()
    if user is not None and instance.actor_id is None:
        instance.actor = user
        instance.actor_email = getattr(user, "email", None)
    if not instance.remote_addr:
        instance.remote_addr = ctx.ip
    if not instance.cid:
        instance.cid = ctx.request_id


def connect() -> None:
    pre_save.connect(_fill, sender=LogEntry, dispatch_uid="vigie-changelog-context")


#: What an entry says of an identity field, before and after: only that it changed.
CHANGED = "changed"


def withhold(_value: str) -> str:
    """auditlog's mask callable for identity fields: nothing of the value is kept."""
    return CHANGED


def withheld_fields(model: Any) -> list[str]:
    """The fields of ``model`` whose values the change log never records."""
    from vigie.core.classification import identity_fields

    return identity_fields(model)


def register(*models: Any, exclude_fields: list[str] | None = None) -> None:
    """Record every create/update/delete of these models; identity fields as "changed"."""
    from auditlog.registry import auditlog

    for model in models:
        auditlog.register(
            model,
            exclude_fields=exclude_fields or [],
            mask_fields=withheld_fields(model),
            mask_callable="vigie.core.changelog.withhold",
        )


def scrub_entries(log_entry: Any, content_type: Any, get_model: Any) -> int:
    """Replace the values of identity fields in stored entries by "changed" (the data
    migration of entries written before the fix, when values were masked by halves)."""
    scrubbed = 0
    for ct in content_type.objects.filter(app_label__in=_VIGIE_APP_LABELS):
        try:
            model = get_model(ct.app_label, ct.model)
        except LookupError:
            continue
        names = set(withheld_fields(model))
        if not names:
            continue
        for entry in log_entry.objects.filter(content_type=ct).iterator(chunk_size=500):
            changes = entry.changes if isinstance(entry.changes, dict) else None
            if not changes or not names.intersection(changes):
                continue
            entry.changes = {
                k: ([CHANGED, CHANGED] if k in names else v) for k, v in changes.items()
            }
            entry.changes_text = ""
            entry.save(update_fields=["changes", "changes_text"])
            scrubbed += 1
    return scrubbed


_VIGIE_APP_LABELS = ("core", "cases", "analytics", "screening", "evidence")
