"""The account pseudonym computed by DuckDB while importing equals the Python one."""

from __future__ import annotations

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vigie.finance import keys

NUMBERS = st.text(
    alphabet=st.sampled_from("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefxyz -./éß١٢"),
    min_size=0,
    max_size=40,
)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(NUMBERS)
def test_sql_and_python_keys_agree(number: str) -> None:
    con = duckdb.connect()
    (sql,) = con.execute(f"SELECT {keys.sql_account_key('$n')}", {"n": number}).fetchone() or (
        None,
    )
    assert sql == keys.account_key(number)


def test_spacing_and_case_do_not_make_another_account() -> None:
    assert keys.account_key("it60 x054-2811.1010") == keys.account_key("IT60X05428111010")
    assert keys.account_key(" -- ") is None
