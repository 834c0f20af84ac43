"""Hypothesis on referral transitions: no illegal transition is ever applied, and every
state that waits for someone keeps a deadline (none is lost)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vigie.cases.models import Case
from vigie.core.actor import Actor
from vigie.core.errors import Conflict, Forbidden, Invalid
from vigie.identification import referrals
from vigie.identification.models import Referral
from vigie.identification.tests.conftest import give
from vigie.testing import World

pytestmark = pytest.mark.django_db
STATES = list(Referral.State.values)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    urgency=st.sampled_from(list(Referral.Urgency.values)),
    steps=st.lists(
        st.tuples(st.sampled_from(["sender", "receiver"]), st.sampled_from(STATES), st.booleans()),
        max_size=8,
    ),
)
def test_no_illegal_transition_no_lost_deadline(
    world: World, case: Case, receiver: Any, urgency: str, steps: list[tuple[str, str, bool]]
) -> None:
    sender = Actor(world.users["field_officer"], world.own.pk)
    recv = Actor(receiver[1], receiver[0].pk)
    give(sender, case, "referral")
    ref = referrals.create_referral(
        sender, case, receiver[0], ["sex"], service_type="medical", urgency=urgency
    )
    history = [ref.state]
    for side, to, with_reason in steps:
        before = ref.state
        actor = sender if side == "sender" else recv
        legal = referrals.may_move(before, to) and (to in referrals.BY_RECEIVER) == (
            side == "receiver"
        )
        try:
            referrals.move(actor, ref, to, "reason" if with_reason else "")
        except (Conflict, Forbidden, Invalid):
            ref.refresh_from_db()
            assert ref.state == before
            assert not legal or (to == "declined" and not with_reason)
            continue
        assert legal, f"{before} -> {to} by {side} was applied"
        history.append(to)
        ref.refresh_from_db()
        if ref.state in referrals.OPEN:
            assert ref.due_at is not None and ref.due_at > ref.events.last().at  # type: ignore[union-attr]
        else:
            assert ref.due_at is None
    assert [e.to_state for e in ref.events.all()] == history
    Referral.objects.all().delete()
