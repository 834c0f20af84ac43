"""French and English are complete for every string; Arabic for at least navigation, login
and error pages. Each app keeps its catalogues in <app>/locale/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polib
import pytest

SRC = Path(__file__).resolve().parents[2]
CATALOGUES = sorted(SRC.glob("*/locale/*/LC_MESSAGES/django.po"))
ARABIC_REQUIRED = [
    "Log in",
    "Log out",
    "Home",
    "Main menu",
    "Page not found",
    "Password",
    "Username",
]


def _done(entry: Any) -> bool:
    """A singular entry has its msgstr; a plural one every form of it."""
    if entry.msgid_plural:
        return bool(entry.msgstr_plural) and all(entry.msgstr_plural.values())
    return bool(entry.msgstr)


def _text(entry: Any) -> Any:
    if entry.msgid_plural:
        return tuple(entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural))
    return entry.msgstr


@pytest.mark.parametrize("path", [p for p in CATALOGUES if "/fr/" in str(p)], ids=str)
def test_french_is_complete(path: Path) -> None:
    po = polib.pofile(str(path))
    missing = [e.msgid for e in po if not e.obsolete and (not _done(e) or "fuzzy" in e.flags)]
    assert not missing, f"{path}: {len(missing)} untranslated: {missing[:10]}"


@pytest.mark.parametrize("path", CATALOGUES, ids=str)
def test_compiled_catalogue_is_current(path: Path) -> None:
    mo = path.with_suffix(".mo")
    assert mo.exists(), f"run `make messages`: {mo} is missing"
    compiled = polib.mofile(str(mo))
    # obsolete entries (#~) are kept in the catalogue for reuse but never compiled
    source = {
        e.msgid: _text(e)
        for e in polib.pofile(str(path))
        if _done(e) and "fuzzy" not in e.flags and not e.obsolete
    }
    assert {e.msgid: _text(e) for e in compiled if e.msgid} == source, (
        f"run `make messages` for {path}"
    )


def test_arabic_covers_navigation_login_and_errors() -> None:
    translated: dict[str, str] = {}
    for path in CATALOGUES:
        if "/ar/" in str(path):
            translated.update({e.msgid: e.msgstr for e in polib.pofile(str(path)) if e.msgstr})
    missing = [m for m in ARABIC_REQUIRED if not translated.get(m)]
    assert not missing
