"""``explanation|plain_words``: a match explanation in plain words, in the page's language."""

from __future__ import annotations

from typing import Any

from django import template

from vigie.screening import plain

register = template.Library()


@register.filter
def plain_words(explanation: dict[str, Any] | None) -> list[str]:
    """The plain sentences; for an explanation stored before they existed, its reasons."""
    explanation = explanation or {}
    if "plain" in explanation:
        return plain.describe(explanation["plain"])
    return [str(r) for r in explanation.get("reasons", [])]
