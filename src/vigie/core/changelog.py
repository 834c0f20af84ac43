"""Fills django-auditlog's change entries with who, from where, under which request, for
which organisation — read when the entry is saved, so DRF token users are known too."""

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


def register(*models: Any, exclude_fields: list[str] | None = None) -> None:
    """Record every create/update/delete of these models. Encrypted fields are masked."""
    from auditlog.registry import auditlog

    from vigie.core.fields import encrypted_fields

    for model in models:
        masked = [f.name for f in encrypted_fields(model)]
        auditlog.register(model, exclude_fields=exclude_fields or [], mask_fields=masked)
