"""Issue 17: given names written by other conventions (ADR 0527), as data in
``name_variants.yaml``: Somali official orthography (c = ayn, x = ḥ, doubled long vowels),
Persian "gh" for the qaf, and one given name across European languages (Edward / Eduardo,
Joseph / José). Each with names that must stay apart. Synthetic names only."""

from __future__ import annotations

import pytest

from vigie.screening import engine, names, ranking
from vigie.screening.tests.listed import one_name


def _score(one: str, other: str) -> float:
    a, b = names.analyse(one, "Person")[0], names.analyse(other, "Person")[0]
    return names.compare_names(a, b).score


@pytest.mark.parametrize(
    ("one", "other"),
    [
        # Somali orthography: Maxamed, Cumar, Xuseen, Cabdullaahi, Cismaan
        ("Maxamed Cumar Dheeré", "Mohamed Omar Dheere"),
        ("Xuseen Cali Warsame", "Hussein Ali Warsame"),
        ("Cabdullaahi Cismaan Guuleed", "Abdullahi Osman Guuleed"),
        # Persian gh for the qaf
        ("Ghasem Rezaeifar", "Qasem Rezaeifar"),
        ("Ghader Bahramzadeh", "Qader Bahramzadeh"),
        # one given name in two European languages
        ("Eduardo Quintanilla Ortez", "Edward Quintanilla Ortez"),
        ("Jose Arbelaez Mondragon", "Joseph Arbelaez Mondragon"),
        ("Jhon Fredy Castrillon", "John Fredy Castrillon"),
        ("Guillermo Ospitia", "William Ospitia"),
    ],
)
def test_one_given_name_by_two_conventions_matches(one: str, other: str) -> None:
    assert _score(one, other) >= 0.9
    assert _score(other, one) >= 0.9


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Eduardo Quintanilla Ortez", "Ernesto Quintanilla Ortez"),  # another name
        ("Joseph Arbelaez Mondragon", "Yusuf Arbelaez Mondragon"),  # not across to Arabic
        ("Carlos Ospitia Lemos", "Carmen Ospitia Lemos"),
        ("Ghasem Rezaeifar", "Ghazi Rezaeifar"),  # gh for the qaf only in the listed names
    ],
)
def test_other_given_names_stay_apart(one: str, other: str) -> None:
    assert _score(one, other) < engine.THRESHOLD


def test_a_korean_jon_is_no_john() -> None:
    """ "Jon" is a Korean family name (전, Jeon): it is kept out of the John group."""
    part = names.analyse("Jon Myong Guk", "Person")[0].parts[0]
    assert part.comparable not in names.EQUIVALENT


def test_a_patronymic_follows_a_cross_language_group() -> None:
    """Petrovich is Pyotr's patronymic: Pyotr joined Peter's group, and so did it."""
    assert names.patronymic_of("petrovich") == names.patronymic_of("petrovych") is not None


def test_three_entries_at_the_threshold_make_a_name_crowded() -> None:
    """Three listed people reaching the default threshold already show a shared name: the
    comparison is widened (ADR 0527; it was five)."""
    assert ranking.crowded([0.97, 0.92, 0.85, 0.4], engine.THRESHOLD)
    assert not ranking.crowded([0.97, 0.92, 0.69], engine.THRESHOLD)


def test_a_searched_organisation_gets_no_person_name_symbols_from_the_lexicon() -> None:
    """The lexicon tags a searched name as rigour's tagger tags a listed one of its type
    (ADR 0527): "Jui" is a given name in a listed person's name, a plain word in a listed
    company's; searched as a company, it gets the company's symbols, not the person's."""
    index = engine.build(
        [
            one_name("P1", "Jui Lin Wong", "Person"),
            one_name("O1", "Jui Cheng Shipping Company Limited", "Organization"),
        ]
    )

    def symbols(text: str, schema: str, lexicon: names.Lexicon | None) -> set[str]:
        name = names.analyse(text, schema, lexicon)[0]
        return {str(s.symbol) for s in name.spans if any(p.form == "jui" for p in s.parts)}

    as_company = symbols("Jui Cheng Shipping Company", "Organization", index.lexicon)
    assert as_company == symbols("Jui Cheng Shipping Company", "Organization", None)
    assert not any(s.startswith("[NAME:") for s in as_company)
    as_person = symbols("Jui Wong", "Person", index.lexicon)
    assert any(s.startswith("[NAME:") for s in as_person)
    found = index.screen(engine.Query("Jui Cheng Shipping Co., Limited", "Organization"))
    assert [r.entry.reference for r in found][:1] == ["O1"]
