"""French and English are complete for every string; Arabic for at least navigation, login
and error pages. Each app keeps its catalogues in <app>/locale/."""

from __future__ import annotations

from pathlib import Path

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


@pytest.mark.parametrize("path", [p for p in CATALOGUES if "/fr/" in str(p)], ids=str)
def test_french_is_complete(path: Path) -> None:
    po = polib.pofile(str(path))
    missing = [e.msgid for e in po if not e.obsolete and (not e.msgstr or "fuzzy" in e.flags)]
    assert not missing, f"{path}: {len(missing)} untranslated: {missing[:10]}"


@pytest.mark.parametrize("path", CATALOGUES, ids=str)
def test_compiled_catalogue_is_current(path: Path) -> None:
    mo = path.with_suffix(".mo")
    assert mo.exists(), f"run `make messages`: {mo} is missing"
    compiled = polib.mofile(str(mo))
    source = {
        e.msgid: e.msgstr for e in polib.pofile(str(path)) if e.msgstr and "fuzzy" not in e.flags
    }
    assert {e.msgid: e.msgstr for e in compiled if e.msgid} == source, (
        f"run `make messages` for {path}"
    )


def test_arabic_covers_navigation_login_and_errors() -> None:
    translated: dict[str, str] = {}
    for path in CATALOGUES:
        if "/ar/" in str(path):
            translated.update({e.msgid: e.msgstr for e in polib.pofile(str(path)) if e.msgstr})
    missing = [m for m in ARABIC_REQUIRED if not translated.get(m)]
    assert not missing
