"""Whatever JSON a client sends, the case API answers 201 or a 4xx with reasons, never 5xx,
and a refused record writes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vigie.cases import records
from vigie.cases.models import Case
from vigie.cases.tests.conftest import RECORD
from vigie.testing import build_world

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
    st.sampled_from(["2017-02-30", "9999-01-01", "female", "IQ", "XX", "-99", "isil", ""]),
)
JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)
CASE_KEYS = [f.name for f in records.writable_fields(Case)]
VICTIM_KEYS = ["key", "sex", "age_at_identification", "date_of_birth", "citizenship", "incident"]


def _mutated() -> st.SearchStrategy[dict[str, Any]]:
    case = st.dictionaries(st.sampled_from(CASE_KEYS), JSON, max_size=5)
    victim = st.dictionaries(st.sampled_from(VICTIM_KEYS), JSON, max_size=4)
    base = {k: v for k, v in RECORD.items() if k not in ("victims", "exploitations", "referrals")}
    return st.builds(
        lambda c, vs, legs: {**base, **c, "victims": vs, "route": legs},
        case,
        st.lists(victim, max_size=2),
        st.lists(
            st.dictionaries(st.sampled_from(["sequence", "country", "role"]), JSON), max_size=2
        ),
    )


@pytest.mark.django_db(transaction=True)
def test_case_api_never_fails(api: Any) -> None:
    world = build_world()
    client = api(world.users["case_manager"])

    @settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.one_of(JSON, _mutated()))
    def post(body: Any) -> None:
        for _attempt in range(2):  # the same body twice: a duplicate must be a 400 too
            before = Case.objects.count()
            response = client.post("/api/cases/", body, format="json")
            assert response.status_code < 500, (body, response.content[:300])
            if response.status_code != 201:
                assert Case.objects.count() == before
                return
            created.append(1)

    created: list[int] = []
    post()
    assert created, "no generated record was valid: the test would not exercise writes"
