"""The shared contracts: typed actor, one error model, one change event, classification."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from vigie.core import errors
from vigie.core.actor import Actor, acting_organisation
from vigie.core.classification import IDENTITY, classification_of
from vigie.core.events import announce
from vigie.core.models import Membership, Organisation, User


def test_system_actor_states_a_reason() -> None:
    with pytest.raises(ValueError):
        Actor(user=None)
    actor = Actor.system("nightly rescreen")
    assert actor.is_system and actor.has_perm("case.delete")
    assert actor.label == "system (nightly rescreen)"


@pytest.mark.django_db
def test_acting_organisation_one_rule() -> None:
    a = Organisation.objects.create(code="a", name="A")
    b = Organisation.objects.create(code="b", name="B")
    user = User.objects.create(username="u")
    Membership.objects.create(user=user, organisation=a, role="field_officer")
    assert acting_organisation(user, "case.create") == a
    with pytest.raises(errors.Forbidden) as denied:
        acting_organisation(user, "case.create", "b")
    assert denied.value.code == "permission_required" and denied.value.status == 403
    with pytest.raises(errors.Invalid):
        acting_organisation(user, "case.create", "nope")
    Membership.objects.create(user=user, organisation=b, role="field_officer")
    user = User.objects.get(pk=user.pk)  # grants are cached per user object
    with pytest.raises(errors.Invalid) as several:
        acting_organisation(user, "case.create")
    assert several.value.code == "organisation_required"
    assert Actor(user=user).require("case.create", b.pk) is None
    with pytest.raises(errors.Forbidden):
        Actor(user=user).require("case.delete", b.pk)


def test_problem_document_and_exit_status() -> None:
    err = errors.Invalid("Row 3: bad date", code="bad_date", detail={"row": 3})
    doc = err.as_problem("/api/x/")
    assert doc == {
        "type": "urn:vigie:error:bad_date",
        "title": "Row 3: bad date",
        "status": 400,
        "code": "bad_date",
        "instance": "/api/x/",
        "detail": {"row": 3},
    }
    assert errors.exit_status(err) == errors.EXIT_INVALID
    assert errors.exit_status(errors.Forbidden("no")) == errors.EXIT_FORBIDDEN
    assert errors.exit_status(errors.NotFound("no")) == errors.EXIT_NOT_FOUND
    assert errors.exit_status(errors.Conflict("no")) == errors.EXIT_CONFLICT
    assert errors.exit_status(errors.Unavailable("no")) == errors.EXIT_FAILED


@pytest.mark.django_db(transaction=True)
def test_announce_sends_after_commit_and_not_on_rollback(changes: list[dict[str, Any]]) -> None:
    actor = Actor.system("test")
    with transaction.atomic():
        announce("cases.case", [1, 2], actor, action="created", organisation_id=7)
        assert changes == []
    assert [(s["kind"], s["ids"], s["action"], s["organisation_id"]) for s in changes] == [
        ("cases.case", [1, 2], "created", 7)
    ]
    changes.clear()
    with pytest.raises(RuntimeError), transaction.atomic():
        announce("cases.case", [3], actor)
        raise RuntimeError
    assert changes == []


def test_encrypted_fields_are_identity_whatever_declared() -> None:
    from vigie.cases.models import Victim

    encrypted = [f.name for f in Victim._meta.concrete_fields if getattr(f, "identifying", False)]
    assert encrypted
    assert all(classification_of(Victim, name) == IDENTITY for name in encrypted)
