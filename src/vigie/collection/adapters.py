"""The one place this app calls the cases app (its public service), so that a change of the
cases service's signature (typed actor, error model) is adapted here and nowhere else."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from vigie.core.actor import Actor
from vigie.core.errors import Forbidden, Invalid
from vigie.core.models import Organisation


def create_case(actor: Actor, organisation: Organisation, record: dict[str, Any]) -> Any:
    """A new case from a nested record (``vigie.cases.records`` layout), as ``actor``."""
    from vigie.cases import services

    try:
        return services.save_record(actor, organisation, record)
    except services.RecordInvalid as exc:
        raise Invalid(
            "; ".join(f"{p.path}: {p.message}" for p in exc.problems),
            code="record_invalid",
            detail={
                "problems": [{"path": p.path, "message": str(p.message)} for p in exc.problems]
            },
        ) from None
    except PermissionDenied as exc:
        raise Forbidden(str(exc) or "case.create", code="permission_required") from None
