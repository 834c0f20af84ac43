"""The ILO-EC 2009 decision rule on worked examples, for every element of every list.

Rule (data/ilo-ec-2009.yaml, version 2): an element is positive with two strong indicators,
or one strong and one medium or weak, or three medium, or two medium and one weak; weak
indicators alone never make an element, nor does one strong indicator alone. The
armed-conflict indicators marked `sufficient_for` make their element on their own for the ages
named (Vigie's addition). An adult is indicated with a recruitment element, the exploitation
element and a means element at destination; a child with recruitment and exploitation only.
The expected values below are written from the rule's text, not from the code.
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


def ilo(list_code: str, el: str, strength: str) -> list[str]:
    """The ILO indicators of one element and strength (the UN additions have their own test)."""
    found = keys(list_code, el, strength)
    return [k for k in found if ISET.indicators[k.split(".")[1]].source == "ilo"]


@pytest.mark.parametrize("list_code", LISTS)
@pytest.mark.parametrize("el", ELEMENTS)
def test_each_element_follows_the_published_combinations(list_code: str, el: str) -> None:
    strong, medium, weak = (ilo(list_code, el, s) for s in indicators.STRENGTHS)
    assert strong or medium, f"{list_code}.{el} has indicators"

    def present(answers: list[str]) -> bool:
        return element(indicators.score(list_code, answers), el).present

    if strong:
        assert not present(strong[:1])  # one strong indicator alone is not enough
    if len(strong) >= 2:
        assert present(strong[:2])
    if strong and medium:
        r = indicators.score(list_code, [strong[0], medium[0]])
        assert element(r, el).present and element(r, el).drivers == (strong[0], medium[0])
    if strong and weak:
        assert present([strong[0], weak[0]])
    if len(medium) >= 3:
        assert present(medium[:3])
    if len(medium) >= 2:
        assert not present(medium[:2])  # two medium alone are not enough
    if len(medium) >= 2 and weak:
        assert present([*medium[:2], weak[0]])
    if medium and weak:  # one medium with every weak indicator of the element: not enough
        assert not present([medium[0], *weak])
    if weak:  # weak indicators alone never make an element
        assert not present(weak)


def test_adult_needs_recruitment_exploitation_and_means_at_destination() -> None:
    recruitment = [  # strong + medium
        "deceptive_recruitment.deceived_nature_job",
        "deceptive_recruitment.deceived_wages",
    ]
    exploitation = [  # three medium
        "exploitation.low_no_salary",
        "exploitation.bad_living_conditions",
        "exploitation.hazardous_work",
    ]
    coercion = ["coercion_destination.debt_bondage", "coercion_destination.violence_victim"]
    assert not indicators.score("adult_labour", recruitment + exploitation).indicated
    assert not indicators.score("adult_labour", exploitation + coercion).indicated
    assert not indicators.score("adult_labour", recruitment + coercion).indicated
    r = indicators.score("adult_labour", recruitment + exploitation + coercion)
    assert r.indicated
    assert r.groups == {"recruitment": True, "exploitation": True, "coercion": True}
    # abuse of vulnerability at destination counts as the means element (2 medium + 1 weak)
    vulnerable = [
        "vulnerability_destination.dependency_exploiters",
        "vulnerability_destination.unknown_area",
        "vulnerability_destination.personal_characteristics",
    ]
    assert indicators.score("adult_labour", recruitment + exploitation + vulnerable).indicated
    # version 1 accepted one strong indicator per element; version 2 does not
    thin = [
        "deceptive_recruitment.deceived_nature_job",
        "exploitation.excessive_hours",
        "coercion_destination.debt_bondage",
    ]
    assert not indicators.score("adult_labour", thin).indicated


def test_child_needs_no_means() -> None:
    r = indicators.score(
        "child_sexual",
        [
            "coercive_recruitment.abduction_sale",  # strong
            "coercive_recruitment.threats_violence",  # medium
            "exploitation.no_freedom_clients",  # strong
            "exploitation.multiple_places",  # medium
        ],
    )
    assert r.indicated and not r.groups["coercion"]
    # recruitment by abuse of vulnerability: 2 medium + 1 weak
    r = indicators.score(
        "child_labour",
        [
            "vulnerability_recruitment.unaccompanied",
            "vulnerability_recruitment.economic_reasons",
            "vulnerability_recruitment.general_context",
            "exploitation.hazardous_work",
            "exploitation.excessive_hours",
        ],
    )
    assert r.indicated


def test_same_indicator_in_two_phases_is_two_answers() -> None:
    r = indicators.score("adult_labour", ["coercive_recruitment.confiscation_documents"])
    assert not element(r, "coercive_recruitment").present  # medium at recruitment
    assert not element(r, "coercion_destination").present  # not asked at destination
    r = indicators.score(
        "adult_labour",
        ["coercion_destination.confiscation_documents", "coercion_destination.threats_violence"],
    )
    assert element(r, "coercion_destination").present  # strong + medium at destination
    assert not element(r, "coercive_recruitment").present


def test_armed_conflict_indicators_count_and_flag_release() -> None:
    r = indicators.score(
        "adult_sexual",
        [
            "coercive_recruitment.abduction_armed_group",
            "exploitation.forced_marriage_fighter",
            "vulnerability_destination.released_armed_group",
            "vulnerability_destination.dependency_exploiters",
            "vulnerability_destination.personal_characteristics",
        ],
    )
    assert r.indicated  # abduction and forced marriage are each enough for their element
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
    assert child.indicated  # a child's recruitment and use by an armed group, on their own
    # an adult's enlistment in an armed group is not coercive recruitment on its own
    adult = indicators.score("adult_labour", ["coercive_recruitment.recruitment_armed_group"])
    assert not element(adult, "coercive_recruitment").present
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
        s, m, w = c["strong"], c["medium"], c["weak"]
        combination = s >= 2 or (s >= 1 and m + w >= 1) or m >= 3 or (m >= 2 and w >= 1)
        age = ISET.lists[list_code].age
        alone = any(d.split(".")[1] in ISET.sufficient[age] for d in e.drivers)
        assert e.present == (combination or alone)
    groups = {g: any(e.present for e in r.elements if e.group == g) for g in ISET.groups}
    needed = ["recruitment", "exploitation"] + (
        ["coercion"] if ISET.lists[list_code].age == "adult" else []
    )
    assert r.indicated == all(groups[g] for g in needed)
