"""The review queue says what it is and what to do when it is empty, in every language; the
XLSForm label keeps its Latin run whole in Arabic (round 6: "(xlsx.) XLSForm")."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from vigie.testing import World

QUEUE_WORDS = {"en": "ODK Collect", "fr": "équipes de terrain", "ar": "الفرق الميدانية"}


@pytest.mark.parametrize("lang", ["ar", "fr", "en"])
@pytest.mark.parametrize("status", ["waiting", "accepted", "rejected"])
def test_an_empty_queue_explains_itself_and_links_to_the_forms(
    world: World, web: Any, lang: str, status: str
) -> None:
    url = reverse("collection:queue") + f"?status={status}"
    page = web(world.users["case_manager"]).get(url, HTTP_ACCEPT_LANGUAGE=lang).content.decode()
    assert 'data-testid="queue-empty"' in page
    assert 'data-testid="queue"' not in page  # no empty table
    empty = page.split('data-testid="queue-empty"', 1)[1].split("</div>", 1)[0]
    assert f'href="{reverse("collection:forms")}"' in empty
    assert "Rien ici" not in page and "Nothing here" not in page
    if status == "waiting":
        assert QUEUE_WORDS[lang] in empty
    assert f'href="?status={status}" aria-current="page"' in page


def test_the_xlsform_label_is_isolated_in_arabic(world: World, web: Any) -> None:
    client = web(world.users["case_manager"])
    ar = client.get(reverse("collection:forms"), HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert "\u2066XLSForm (.xlsx)\u2069" in ar
    assert "\u200f(" not in ar  # the right-to-left mark that mirrored the parenthesis
    en = client.get(reverse("collection:forms"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "XLSForm (.xlsx)" in en and "\u2066" not in en
