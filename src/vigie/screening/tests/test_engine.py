"""The matching engine: cross-script and romanisation variants, secondary evidence,
explanations, and properties of normalisation."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vigie.screening import engine, names
from vigie.screening.corroboration import country_code


def _record(ref: str, schema: str, listed: list[str], **data: Any) -> dict[str, Any]:
    return {
        "id": None,
        "watchlist": "test",
        "reference": ref,
        "schema": schema,
        "caption": listed[0],
        "data": {
            "names": [
                {"name": n, "kind": "primary" if i == 0 else "alias", "quality": "good"}
                for i, n in enumerate(listed)
            ],
            **data,
        },
    }


@pytest.fixture(scope="module")
def index() -> engine.ScreeningIndex:
    return engine.build(
        [
            _record(
                "P1",
                "Person",
                ["Mohammed bin Abdullah al-Qadhafi", "محمد بن عبد الله القذافي"],
                birth_dates=["1960-03-01"],
                nationalities=["Libya"],
                documents=[{"number": "LY-998877", "type": "Passport"}],
            ),
            _record(
                "P2", "Person", ["Vladimir Ivanovich Sidorenko", "Владимир Иванович Сидоренко"]
            ),
            _record("P3", "Person", ["Zhang Weiming", "张伟明"]),
            _record("P4", "Person", ["Abd al-Rahman Ould Salem"], birth_dates=["1975"]),
            _record("O1", "Organization", ["Sahara Synthetic Trading LLC"]),
            _record("P5", "Person", ["José María Fernández Quiroga"]),
            _record("P6", "Person", ["John Peter Smith"]),
        ]
    )


def _refs(index: engine.ScreeningIndex, name: str, **kw: Any) -> list[str]:
    return [r.entry.reference for r in index.screen(engine.Query(name, **kw))]


@pytest.mark.parametrize(
    "query",
    [
        "Muhammad ibn 'Abd Allah el-Gaddafi",
        "Mohamed Bin Abdallah Al Qadhafi",
        "محمد بن عبد الله القذافي",
        "AL-QADHAFI, Mohammed bin Abdullah",
        "Sheikh Mohammed bin Abdullah al-Qadhafi",
    ],
)
def test_arabic_romanisations_and_script(index: engine.ScreeningIndex, query: str) -> None:
    assert _refs(index, query)[:1] == ["P1"]


@pytest.mark.parametrize(
    ("query", "ref"),
    [
        ("Владимир Иванович Сидоренко", "P2"),
        ("Sidorenko Vladimir", "P2"),
        ("张伟明", "P3"),
        ("Abdul Rahman Ould Salem", "P4"),
        ("Jose Maria Fernandez Quiroga", "P5"),
        ("J. Peter Smith", "P6"),
        ("Sahara Synthetic Trading Limited Liability Company", "O1"),
    ],
)
def test_variants(index: engine.ScreeningIndex, query: str, ref: str) -> None:
    assert ref in _refs(index, query)


@pytest.mark.parametrize(
    "query", ["Peter Johnson", "Zhang Li", "Maria Quiroga Lopez", "Ahmed Salem"]
)
def test_different_people_do_not_match(index: engine.ScreeningIndex, query: str) -> None:
    assert _refs(index, query) == []


def test_explanation_names_the_matched_name_and_features(index: engine.ScreeningIndex) -> None:
    result = index.screen(engine.Query("محمد بن عبد الله القذافي"))[0]
    ex = result.explanation
    assert ex["matched_name"] == "محمد بن عبد الله القذافي"
    assert {"name", "token_sort_ratio", "jaro_winkler"} <= set(ex["features"])
    assert ex["alignment"] and ex["reasons"]


def test_birth_date_agreement_raises_and_conflict_lowers(index: engine.ScreeningIndex) -> None:
    name = "Mohamed Abdallah Qadhafi"
    plain = index.screen(engine.Query(name), threshold=0)[0]
    same = index.screen(engine.Query(name, birth_date="1960-03-01"), threshold=0)[0]
    other = index.screen(engine.Query(name, birth_date="1990"), threshold=0)[0]
    assert same.score > plain.score > other.score
    assert (
        same.explanation["features"]["birth_date"] > 0 > other.explanation["features"]["birth_date"]
    )


def test_nationality_by_name_or_code(index: engine.ScreeningIndex) -> None:
    a = index.screen(engine.Query("Mohamed Abdallah Qadhafi", country="LY"), threshold=0)[0]
    b = index.screen(engine.Query("Mohamed Abdallah Qadhafi", country="Chad"), threshold=0)[0]
    assert a.explanation["features"]["country"] > 0 > b.explanation["features"]["country"]


def test_exact_document_is_decisive(index: engine.ScreeningIndex) -> None:
    result = index.screen(engine.Query("M. Qadhafi", document="ly998877"), threshold=0)[0]
    assert result.entry.reference == "P1" and result.score == 1.0
    assert result.explanation["decisive"]
    conflict = index.screen(engine.Query("Mohammed bin Abdullah al-Qadhafi", document="ZZ000111"))
    assert conflict[0].score < 1.0 and conflict[0].explanation["features"]["document"] < 0


def test_person_query_against_organisation_is_lowered(index: engine.ScreeningIndex) -> None:
    org = index.screen(engine.Query("Sahara Synthetic Trading LLC", "Organization"))[0]
    person = index.screen(engine.Query("Sahara Synthetic Trading LLC", "Person"), threshold=0)[0]
    assert person.score < org.score


def test_country_codes() -> None:
    assert country_code("Libyan Arab Jamahiriya") == country_code("LY") == "ly"


# Properties of normalisation ---------------------------------------------------------------

LATIN = st.text(alphabet="abcdefghijklmnopqrstuvwxyzéèàçüö -'", min_size=1, max_size=30).filter(
    lambda s: any(c.isalpha() for c in s)
)


@settings(max_examples=100, deadline=None)
@given(LATIN)
def test_romanisation_is_idempotent(text: str) -> None:
    once = names.romanised(text)
    assert names.romanised(once) == once
    assert once.isascii()


@settings(max_examples=100, deadline=None)
@given(LATIN)
def test_a_name_matches_itself_in_any_case(text: str) -> None:
    forms = names.analyse(text)
    upper = names.analyse(text.upper())
    if forms and upper:
        assert names.compare_names(forms[0], upper[0]).score == pytest.approx(1.0)


@settings(max_examples=60, deadline=None)
@given(LATIN, LATIN)
def test_scores_stay_between_zero_and_one(a: str, b: str) -> None:
    fa, fb = names.analyse(a), names.analyse(b)
    if fa and fb:
        assert 0.0 <= names.compare_names(fa[0], fb[0]).score <= 1.0


KNOWN_PAIRS = [
    ("Владимир Путин", "Vladimir Putin"),
    ("محمد", "Mohammed"),
    ("Muhammad", "Mohamed"),
    ("ibn Saud", "bin Saud"),
    ("Müller", "Mueller"),
]


@pytest.mark.parametrize(("a", "b"), KNOWN_PAIRS)
def test_script_independent_for_known_pairs(a: str, b: str) -> None:
    best = max(
        names.compare_names(x, y).score
        for x in names.analyse(a, "Person")
        for y in names.analyse(b, "Person")
    )
    assert best >= 0.85


@settings(max_examples=40, deadline=None)
@given(st.permutations(["Abdul", "Karim", "Haddad", "Nasser"]))
def test_word_order_does_not_matter_for_people(order: list[str]) -> None:
    q = names.analyse(" ".join(order), "Person")[0]
    r = names.analyse("Abdul Karim Haddad Nasser", "Person")[0]
    assert names.compare_names(q, r).score >= 0.9
