"""The quick converters of records._make_fast agree with the full check (issue 14: the fast
path re-implements field conversion and validators): for any value, a quick converter either
declines (the full check then decides and explains) or returns exactly what the full check
returns, with no problem. Hypothesis over every writable field of every case model."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vigie.cases import codelists, records
from vigie.cases.models import Case

MODELS = [Case, *records.CHILDREN.values()]
FIELDS = [
    (model.__name__, f)
    for model in MODELS
    for f in records.writable_fields(model)
    if records._fast(f) is not None
]
CODES = sorted(
    {c for name in ("sex", "exploitation_forms", "case_status", "countries") for c in
     codelists.get(name).codes}
)  # fmt: skip
TEXT = st.text(alphabet=st.sampled_from(" aZ-09é\t"), max_size=6)


def _values(f: Any) -> st.SearchStrategy[Any]:
    codelist = getattr(f, "codelist", "")
    codes = list(codelists.get(codelist).codes) if codelist else CODES
    code = st.sampled_from(codes)
    return st.one_of(
        code,
        code.map(lambda c: f" {c.lower()} "),
        st.lists(code, max_size=3),
        TEXT,
        st.integers(-3, 200),
        st.integers(-3, 200).map(str),
        st.floats(-200, 200, allow_nan=False),
        st.dates(dt.date(1900, 1, 1), dt.date.today() + dt.timedelta(days=400)).map(str),
        st.booleans(),
        st.sampled_from(["t", "f", "True", "0", "1", "yes"]),
        st.just("x" * 250),
    )


@pytest.mark.parametrize(("model", "field"), FIELDS, ids=[f"{m}.{f.name}" for m, f in FIELDS])
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_quick_converter_agrees_with_the_full_check(model: str, field: Any, data: Any) -> None:
    value = data.draw(_values(field))
    if value is None or value == "":
        return  # never given to a quick converter (records._convert: empty means default)
    quick = records._fast(field)
    assert quick is not None
    try:
        fast = quick(value)
    except (records._Slow, ValueError):
        return  # declined: the full check decides
    problems: list[records.Problem] = []
    slow = records._convert_slow(field, value, field.name, problems)
    assert problems == [], (model, field.name, value, fast)
    assert fast == slow and type(fast) is type(slow), (model, field.name, value)
