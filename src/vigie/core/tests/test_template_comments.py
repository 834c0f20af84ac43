"""Django's ``{# … #}`` comment ends at the end of its line: one spread over two lines is not a
comment at all and is printed on the page (the Redoc page showed its own note to developers).
Every template of every app is read; a comment of several lines is ``{% comment %}``."""

from __future__ import annotations

import re
from pathlib import Path

import vigie

UNCLOSED = re.compile(r"\{#(?:(?!#\}).)*$", re.MULTILINE)


def test_no_template_comment_runs_over_a_line() -> None:
    root = Path(vigie.__file__).parent
    found = []
    for path in sorted(root.glob("*/templates/**/*.html")):
        text = path.read_text(encoding="utf-8")
        for m in UNCLOSED.finditer(text):
            found.append(f"{path.relative_to(root)}:{text.count(chr(10), 0, m.start()) + 1}")
    assert found == []
