"""The catalogues of the apps that every page and command speak through (cases, core,
evidence, analytics) hold every message of their source, in French and in Arabic (issue 14:
errors and forms are shown to people in their language)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

SRC = Path(__file__).resolve().parents[2]
APPS = ["cases", "core", "evidence", "analytics", "screening"]


def _catalogue(root: Path, lang: str) -> polib.POFile:
    return polib.pofile(str(root / "locale" / lang / "LC_MESSAGES" / "django.po"))


@pytest.mark.parametrize("app", APPS)
def test_every_message_is_extracted_and_translated(app: str, tmp_path: Path) -> None:
    """`makemessages` on a copy of the app finds no message the committed catalogue lacks,
    and every message has a French and an Arabic translation."""
    copy = tmp_path / app
    shutil.copytree(
        SRC / app, copy, ignore=shutil.ignore_patterns("tests", "__pycache__", "*.mo", "data")
    )
    admin = str(Path(sys.executable).parent / "django-admin")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "vigie.settings.test"}
    subprocess.run(
        # django-admin, not `-m django`: the app's selectors.py would shadow the stdlib's
        [sys.executable, admin, "makemessages", "-l", "fr", "--no-obsolete"],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    extracted = {e.msgid for e in _catalogue(copy, "fr") if not e.obsolete}
    for lang in ("fr", "ar"):
        committed = _catalogue(SRC / app, lang)
        done = {
            e.msgid
            for e in committed
            if not e.obsolete
            and (e.msgstr or (e.msgstr_plural and all(e.msgstr_plural.values())))
            and "fuzzy" not in e.flags
        }
        missing = sorted(extracted - done)
        assert not missing, f"{app} {lang}: {len(missing)} not translated: {missing[:5]}"
