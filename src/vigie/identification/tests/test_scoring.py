"""The ILO-EC 2009 decision rule on worked examples, for every element of every list.

Rule (data/ilo-ec-2009.yaml): an element is positive with at least one strong indicator, or
two medium, or one medium and one weak; weak indicators alone never make an element. An
adult is indicated with a recruitment element, the exploitation element and a means element
at destination; a child with recruitment and exploitation only.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vigie.core.errors import Invalid
from vigie.identification import indicators

ISET = indicators.indicator_set()
LISTS = sorted(ISET.lists)
ELEMENTS = sorted(ISET.elements)


def keys(list_code: str, element: str, strength: str) -> list[str]:
    return [
        f"{element}.{i}" for i in ISET.lists[list_code].items.get(element, {}).get(strength, ())
    ]


def element(result: indicators.Result, code: str) -> indicators.ElementResult:
    return next(e for e in result.elements if e.code == code)


@pytest.mark.parametrize("list_code", LISTS)
@pytest.mark.parametrize("el", ELEMENTS)
def test_each_element_follows_the_published_combinations(list_code: str, el: str) -> None:
    strong, medium, weak = (keys(list_code, el, s) for s in indicators.STRENGTHS)
    assert strong or medium, f"{list_code}.{el} has indicators"
    if strong:  # one strong indicator is enough
        r = indicators.score(list_code, strong[:1])
        assert element(r, el).present and element(r, el).drivers == (strong[0],)
    if len(medium) >= 2:  # two medium indicators
        assert element(indicators.score(list_code, medium[:2]), el).present
    if medium:  # one medium alone is not enough
        assert not element(indicators.score(list_code, medium[:1]), el).present
    if medium and weak:  # one medium and one weak
        assert element(indicators.score(list_code, [medium[0], weak[0]]), el).present
    if weak:  # weak indicators alone never make an element
        assert not element(indicators.score(list_code, weak), el).present


def test_adult_needs_recruitment_exploitation_and_means_at_destination() -> None:
    recruitment = ["deceptive_recruitment.deceived_nature_job"]  # strong
    exploitation = ["exploitation.low_no_salary", "exploitation.bad_living_conditions"]  # 2 medium
    coercion = ["coercion_destination.debt_bondage"]  # strong
    assert not indicators.score("adult_labour", recruitment + exploitation).indicated
    assert not indicators.score("adult_labour", exploitation + coercion).indicated
    assert not indicators.score("adult_labour", recruitment + coercion).indicated
    r = indicators.score("adult_labour", recruitment + exploitation + coercion)
    assert r.indicated
    assert r.groups == {"recruitment": True, "exploitation": True, "coercion": True}
    # abuse of vulnerability at destination counts as the means element too (1 medium + 1 weak)
    vulnerable = [
        "vulnerability_destination.dependency_exploiters",
        "vulnerability_destination.personal_characteristics",
    ]
    assert indicators.score("adult_labour", recruitment + exploitation + vulnerable).indicated


def test_child_needs_no_means() -> None:
    r = indicators.score(
        "child_sexual",
        ["coercive_recruitment.abduction_sale", "exploitation.no_freedom_clients"],
    )
    assert r.indicated and not r.groups["coercion"]
    # recruitment by abuse of vulnerability: 1 medium + 1 weak
    r = indicators.score(
        "child_labour",
        [
            "vulnerability_recruitment.unaccompanied",
            "vulnerability_recruitment.general_context",
            "exploitation.hazardous_work",
        ],
    )
    assert r.indicated


def test_same_indicator_in_two_phases_is_two_answers() -> None:
    r = indicators.score("adult_labour", ["coercive_recruitment.confiscation_documents"])
    assert not element(r, "coercive_recruitment").present  # medium at recruitment
    assert not element(r, "coercion_destination").present  # not asked at destination
    r = indicators.score("adult_labour", ["coercion_destination.confiscation_documents"])
    assert element(r, "coercion_destination").present  # strong at destination


def test_armed_conflict_indicators_count_and_flag_release() -> None:
    r = indicators.score(
        "adult_sexual",
        [
            "coercive_recruitment.abduction_armed_group",
            "exploitation.forced_marriage_fighter",
            "vulnerability_destination.released_armed_group",
            "vulnerability_destination.personal_characteristics",
        ],
    )
    assert r.indicated
    assert r.conflict == (
        "abduction_armed_group",
        "forced_marriage_fighter",
        "released_armed_group",
    )
    assert r.flags == ("non_punishment_check",)
    child = indicators.score(
        "child_labour",
        [
            "coercive_recruitment.recruitment_armed_group",
            "exploitation.child_associated_armed_group",
        ],
    )
    assert child.indicated
    with pytest.raises(Invalid):  # "children associated" is a child-list indicator only
        indicators.score("adult_labour", ["exploitation.child_associated_armed_group"])


def test_result_keeps_the_version_and_unknown_answers_are_refused() -> None:
    r = indicators.score("adult_labour", [])
    assert (r.set_code, r.version, r.indicated) == ("ilo-ec-2009", ISET.version, False)
    with pytest.raises(Invalid) as err:
        indicators.score("adult_labour", ["exploitation.no_such_thing"])
    assert err.value.code == "unknown_indicator"
    with pytest.raises(Invalid):
        indicators.score("no_list", [])


def test_prefill_gives_forms_and_means() -> None:
    implied = indicators.prefill(
        "adult_sexual", ["coercion_destination.debt_bondage", "exploitation.sexual_slavery"]
    )
    assert implied["forms"] == ["sexual_exploitation", "sexual_slavery"]
    assert implied["means"] == ["debt_bondage"]


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(LISTS), st.data())
def test_element_present_exactly_when_a_combination_is_met(
    list_code: str, data: st.DataObject
) -> None:
    answers = data.draw(
        st.lists(st.sampled_from(sorted(ISET.lists[list_code].weights)), unique=True)
    )
    r = indicators.score(list_code, answers)
    for e in r.elements:
        c = e.counts
        expected = c["strong"] >= 1 or c["medium"] >= 2 or (c["medium"] >= 1 and c["weak"] >= 1)
        assert e.present == expected
    groups = {g: any(e.present for e in r.elements if e.group == g) for g in ISET.groups}
    needed = ["recruitment", "exploitation"] + (
        ["coercion"] if ISET.lists[list_code].age == "adult" else []
    )
    assert r.indicated == all(groups[g] for g in needed)
