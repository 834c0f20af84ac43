"""The annex PDF prints every character it holds, numbers its pages, lists its tables, is
offered in Arabic, and refuses a period with nothing to publish."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from vigie.analytics.cli import commands
from vigie.analytics.store import Store
from vigie.devtools import analytics_rows
from vigie.testing import World


@pytest.fixture
def snapshot(world: World, tmp_path: Path, settings: Any) -> None:
    settings.VIGIE_ANALYTICS_DIR = str(tmp_path / "analytics")
    rows = analytics_rows.victim_rows(6000, seed=5)
    Store().replace_all(
        {
            "victims": analytics_rows.victims_table(rows),
            "perpetrators": analytics_rows.perpetrators_table(
                analytics_rows.perpetrator_rows(300, seed=5)
            ),
        },
        "2026-11-23T00:00:00Z",
    )


def _annex(tmp_path: Path, *args: str) -> Any:
    report = {c.name: c for c in commands}["report"]
    return CliRunner().invoke(
        report, ["annex", *args, "-o", str(tmp_path / "a.pdf"), "--as-system"]
    )


def _text(tmp_path: Path) -> list[str]:
    reader = PdfReader(io.BytesIO((tmp_path / "a.pdf").read_bytes()))
    return [page.extract_text() for page in reader.pages]


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_every_character_printable_and_pages_numbered(
    snapshot: None, tmp_path: Path, lang: str
) -> None:
    result = _annex(tmp_path, "--period", "2014-2017", "--lang", lang)
    assert result.exit_code == 0, result.output
    pages = _text(tmp_path)
    assert len(pages) >= 2
    everything = "\n".join(pages)
    assert "\ufffd" not in everything and "\u25a0" not in everything
    # Each page carries its number in the footer.
    for n, text in enumerate(pages, 1):
        if lang == "ar":
            assert str(n) in text
        else:
            assert f"Page {n}" in text, (n, text[-80:])
    # The thousands separator of the language is in the text, not a missing glyph.
    if lang == "fr":
        assert "\u202f" in everything or "\xa0" in everything
    if lang == "ar":
        # Shaped Arabic: presentation forms, as drawn.
        assert any("\ufe70" <= ch <= "\ufeff" for ch in everything)


def test_contents_list_the_tables(snapshot: None, tmp_path: Path) -> None:
    assert _annex(tmp_path, "--period", "2014-2017").exit_code == 0
    first = _text(tmp_path)[0]
    assert "Contents" in first
    assert "Table 1. Victims by sex and age group" in first
    assert _annex(tmp_path, "--period", "2014-2017", "--lang", "fr").exit_code == 0
    assert "Table des matières" in _text(tmp_path)[0]


def test_a_period_without_records_is_refused(snapshot: None, tmp_path: Path) -> None:
    result = _annex(tmp_path, "--period", "2031")
    assert result.exit_code != 0 and "future" in result.output
    result = _annex(tmp_path, "--period", "1990")
    assert result.exit_code != 0 and "no victims recorded in 1990" in result.output
    assert not (tmp_path / "a.pdf").exists()
