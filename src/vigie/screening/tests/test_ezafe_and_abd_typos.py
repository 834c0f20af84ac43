"""Issue 17 (ADR 0529): the Persian and Urdu ezafe ("Bonyad-e", "Darya-ye", "Tehrik-i-")
is no name part, and an "Abd" compound whose prefix has a typing error ("Adbul",
"Abddel") is still read as the compound, and the legal forms of the ISO 20275 code list
that rigour does not know ("S.A.L.", "W.L.L.") are read as legal forms. Each with the names
it must leave alone. Synthetic names only."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vigie.screening import engine, names
from vigie.screening.tests.listed import one_name


@pytest.mark.parametrize(
    ("written", "folded"),
    [
        ("Bonyad-e Rahimi", "Bonyad Rahimi"),  # BGN/PCGN Persian "-e"
        ("Darya-ye Mazandar", "Darya Mazandar"),  # "-ye" after a vowel
        ("Tanzim-i-Karwan", "Tanzim-Karwan"),  # Urdu "-i-"
        ("Tanzim-e-Karwan", "Tanzim-Karwan"),
        ("Khalid Adbul Wadud", "Khalid Abdul Wadud"),  # d before b: swapped
        ("Fahd Adballah", "Fahd abdallah"),
        ("Abdlurahim Nasser", "Abdul rahim Nasser"),  # l before u: swapped
        ("Abddelkarim Nasser", "Abdul karim Nasser"),  # d struck twice
    ],
)
def test_ezafe_dropped_and_abd_typos_read(written: str, folded: str) -> None:
    assert names.normalise(written) == folded


@pytest.mark.parametrize(
    "name",
    [
        "Kim Song-i",  # a final "-i" is also a Korean syllable
        "Lin Hsiu-e Chen",  # and "-e" after a vowel a Chinese one
        "Jean-Pierre Ebe",
        "Abadi Badawi",  # names that look like a swapped "Abd": left alone
        "Abed Badal",
        "Abud Badran",
    ],
)
def test_names_that_look_like_these_are_left_alone(name: str) -> None:
    assert names.normalise(name) == name


@given(st.text(alphabet="bcfgklmnprstvz", min_size=3, max_size=8))
def test_a_swapped_abd_prefix_reads_as_the_compound(name: str) -> None:
    """Whatever the name after it, "Adbul" + name and "Abdul" + name are written alike."""
    assert names.normalise(f"Omar Adbul{name}") == names.normalise(f"Omar Abdul{name}")


LISTED = [
    ("E1", "Bonyad Taavon Karimabad", "Organization"),
    ("E2", "Khalid Abdul Wadud", "Person"),
    ("E3", "Fitiwi Abdelrazak Mansur", "Person"),
    ("E4", "Amana Tarabulsi S.A.L.", "Organization"),
    ("E5", "Noor Karwan Trading W.L.L.", "Organization"),
]


@pytest.fixture(scope="module")
def index() -> engine.ScreeningIndex:
    return engine.build([one_name(*row) for row in LISTED])


def _found(index: engine.ScreeningIndex, query: str, schema: str) -> dict[str, float]:
    return {r.entry.reference: r.score for r in index.screen(engine.Query(query, schema))}


@pytest.mark.parametrize(
    ("query", "schema", "ref"),
    [
        ("Bonyad-e Ta'avon-e", "Organization", "E1"),  # two ezafes, no third word
        ("Fitiwi Abddelrazak", "Person", "E3"),
        ("Noor Karwan Trading Company", "Organization", "E5"),  # W.L.L. is a legal form
    ],
)
def test_the_listed_name_is_found(
    index: engine.ScreeningIndex, query: str, schema: str, ref: str
) -> None:
    assert ref in _found(index, query, schema)


def test_a_swapped_abd_prefix_scores_as_the_right_spelling(index: engine.ScreeningIndex) -> None:
    right = _found(index, "Wadud, Khalid Abdul", "Person")["E2"]
    assert _found(index, "Wadud, Khalid Adbul", "Person")["E2"] == right == 1.0


@pytest.mark.parametrize(
    ("written", "form"),
    [("S.A.L.", "sa"), ("SAL", "sa"), ("W.L.L.", "llc"), ("Q.S.C.", "jsc"), ("TOO", "llp")],
)
def test_elf_legal_forms_are_read_as_one_rigour_knows(written: str, form: str) -> None:
    name = names.analyse(f"Karwan Tarabulsi {written}", "Organization")[0]
    assert [(p.comparable, str(p.tag)) for p in name.parts][-1] == (form, "NamePartTag.LEGAL")


def test_a_person_keeps_a_name_that_is_a_legal_form_elsewhere() -> None:
    assert names.normalise("Sal Karwan", person=True) == "Sal Karwan"


@pytest.mark.parametrize(
    ("query", "schema"),
    [
        ("Bonyad-e Shahid Tehran", "Organization"),
        ("Khalid Badawi Farsi Omar", "Person"),
        ("Amana Beirut SAL", "Organization"),  # the legal form alone is no evidence
    ],
)
def test_no_false_alarm(index: engine.ScreeningIndex, query: str, schema: str) -> None:
    assert _found(index, query, schema) == {}
