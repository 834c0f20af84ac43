"""The one place this app calls the cases app (its public service), so that a change of the
cases service's signature (typed actor, error model) is adapted here and nowhere else."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from vigie.core.actor import Actor
from vigie.core.errors import Forbidden, Invalid, NotFound
from vigie.core.models import Organisation


def create_case(actor: Actor, organisation: Organisation, record: dict[str, Any]) -> Any:
    """A new case from a nested record (``vigie.cases.records`` layout), as ``actor``."""
    return _save(actor, organisation, record, None)


def update_case(actor: Actor, case: Any, update: dict[str, Any]) -> Any:
    """Change ``case`` by a partial record (sections left out stay as they are)."""
    return _save(actor, case.organisation, update, case)


def editable_case(actor: Actor, organisation: Organisation, reference: str) -> Any:
    """The case of ``organisation`` with this reference or uuid, if the actor may change it."""
    from vigie.cases.models import Case

    actor.require("case.change", organisation.pk)
    qs = Case.objects.filter(organisation=organisation)
    found = qs.filter(reference=reference.strip()).first()
    if found is None and len(reference.strip()) == 36:
        found = qs.filter(uuid=reference.strip()).first()
    if found is None:
        raise NotFound(_("No case with this reference in the organisation."), code="case_not_found")
    return found


def _save(actor: Actor, organisation: Organisation, record: dict[str, Any], case: Any) -> Any:
    from vigie.cases import services

    try:
        return services.save_record(actor, organisation, record, instance=case)
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
