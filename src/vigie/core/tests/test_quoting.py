"""What an import problem may quote (ADR 0054): values no name can be, else their shape."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from vigie.core.quoting import quotable, shape, shown


def test_values_that_cannot_be_names_are_quoted() -> None:
    for value in ("12x", "2024-13-45", "T1", "-3.5", "uuid:4f0c2a9e-77b1-4c1e-9d3f-0a1b2c3d4e5f"):
        assert shown(value, ordinary=True) == (value, None)


def test_words_and_identity_columns_are_described() -> None:
    assert shown("Amina", ordinary=True) == (None, "5 characters: letters")
    assert shown("Al", ordinary=True) == (None, "2 characters: letters")
    assert shown("12", ordinary=False) == (None, "2 characters: digits")
    assert shape("Haddad, A. 3") == "12 characters: letters, digits, spaces, other characters"
    assert shown(None, ordinary=True) == (None, None)


@given(st.text(alphabet=st.characters(categories=["L"]), min_size=2, max_size=8))
def test_no_word_of_two_letters_or_more_is_quoted(word: str) -> None:
    # hex-looking identifiers need a digit: a name made of the letters a-f is still a word
    assert not quotable(word)
