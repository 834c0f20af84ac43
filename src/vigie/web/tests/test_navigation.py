"""The main menu: one entry per app the user may use, that app's pages in a section bar."""

from __future__ import annotations

from typing import Any

import pytest
from lxml import html as lxml_html

pytestmark = pytest.mark.django_db


def _links(html: str, nav_class: str) -> list[Any]:
    return list(lxml_html.fromstring(html).xpath(f'//nav[@class="{nav_class}"]//a'))


def _menus(html: str) -> tuple[list[str], list[tuple[str, str | None]]]:
    main = [a.text_content().strip() for a in _links(html, "mainnav")]
    section = [(a.text_content().strip(), a.get("aria-current")) for a in _links(html, "subnav")]
    return main, section


def test_one_entry_per_app_and_only_permitted_ones(world: Any, web: Any) -> None:
    main, _section = _menus(
        web(world.users["screening_officer"]).get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )
    assert main == ["Home", "Screening", "Jobs"]  # no administration page of theirs
    main, _section = _menus(
        web(world.users["case_manager"]).get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )
    assert main.count("Cases") == 1 and "New case" not in main and "Import" not in main


def test_section_bar_marks_the_current_page_only(world: Any, web: Any) -> None:
    html = (
        web(world.users["screening_officer"])
        .get("/screening/batch/", HTTP_ACCEPT_LANGUAGE="en")
        .content.decode()
    )
    main, section = _menus(html)
    assert "Screening" in main
    labels = [label for label, _current in section]
    assert labels[:3] == ["Screening", "Batch screening", "Review queue"]
    assert [label for label, current in section if current == "page"] == ["Batch screening"]


def test_single_page_apps_have_no_section_bar(world: Any, web: Any) -> None:
    html = web(world.users["analyst"]).get("/stats/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    main, section = _menus(html)
    assert "Statistics" in main and section == []
