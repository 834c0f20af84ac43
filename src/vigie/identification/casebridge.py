"""The only module that calls vigie.cases services (their signatures are changing to take an
Actor: adapt here, nowhere else). Turns the cases app's Django errors into Vigie errors."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from vigie.cases import services as case_services
from vigie.cases.models import Case
from vigie.core.actor import Actor
from vigie.core.errors import Forbidden, Invalid
from vigie.core.models import Organisation


def create_case(actor: Actor, organisation: Organisation, record: dict[str, Any]) -> Case:
    """Create a case from a nested record (vigie.cases.records) for ``actor``."""
    try:
        return case_services.save_record(actor, organisation, record)
    except PermissionDenied:
        raise Forbidden(
            _("You need the permission “%(perm)s” for this.") % {"perm": "case.create"},
            code="permission_required",
            detail={"permission": "case.create"},
        ) from None
    except ValidationError as exc:
        problems = getattr(exc, "problems", None)
        raise Invalid(
            _("The case could not be created from the interview."),
            code="case_invalid",
            detail={"problems": [p.path for p in problems] if problems else exc.messages},
        ) from None
