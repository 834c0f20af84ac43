"""Dossier pages show labels, never the codes behind them (round 6 saw "individual" and
"1970"): kind, regime and the kind of each fact's source, in the page's language."""

from __future__ import annotations

import re
from typing import Any

import pytest

from vigie.cases.models import Case
from vigie.core.actor import Actor
from vigie.dossiers import services
from vigie.testing import World

pytestmark = pytest.mark.django_db

WORDS = {
    "en": {"kind": "Individual", "regime": "Libya (resolution 1970)", "case": "Case"},
    "fr": {"kind": "Personne", "regime": "Libye (résolution 1970)", "case": "Dossier"},
    "ar": {"kind": "فرد", "regime": "ليبيا (القرار 1970)", "case": "الحالة"},
}


@pytest.mark.parametrize("lang", ["ar", "fr", "en"])
def test_dossier_pages_show_labels_not_codes(
    web: Any, world: World, cases: list[Case], lang: str
) -> None:
    expert = Actor(world.users["panel_expert"], world.own.pk)
    d = services.create_dossier(expert, kind="individual", regime="1970", primary_name="A")
    services.link_case(expert, d, cases[0].uuid)
    services.add_fact(
        expert, d, criterion="threat_to_peace", statement="s",
        sources=[{"kind": "case", "ref": str(cases[0].uuid)}, {"kind": "document", "ref": "S/1"}],
    )  # fmt: skip
    client = web(world.users["panel_expert"])
    words = WORDS[lang]

    listing = client.get("/dossiers/", HTTP_ACCEPT_LANGUAGE=lang).content.decode()
    assert f'<option value="individual">{words["kind"]}</option>' in listing
    row = re.search(rf"{d.reference}</a>.*?</tr>", listing, re.S)
    assert row and f"<td>{words['regime']}</td>" in row.group(), listing

    detail = client.get(f"/dossiers/{d.uuid}/", HTTP_ACCEPT_LANGUAGE=lang).content.decode()
    assert f"· {words['kind']} ·" in detail
    facts = detail.split('data-testid="facts"', 1)[1].split("</ol>", 1)[0]
    assert f"{words['case']} <bdi>" in facts
    assert not re.search(r"\b(case|document) <bdi>", facts)
