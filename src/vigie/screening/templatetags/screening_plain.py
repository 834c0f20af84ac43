"""Screening results in the page's language: ``explanation|plain_words`` (a match in plain
words) and the labels of vigie.screening.presentation (kinds of names, measures, listings)."""

from __future__ import annotations

from typing import Any

from django import template

from vigie.screening import plain, presentation

register = template.Library()


@register.filter
def plain_words(explanation: dict[str, Any] | None) -> list[str]:
    """The plain sentences; for an explanation stored before they existed, its reasons."""
    explanation = explanation or {}
    if "plain" in explanation:
        return plain.describe(explanation["plain"])
    return [str(r) for r in explanation.get("reasons", [])]


@register.filter
def name_kind(kind: str) -> str:
    return presentation.name_kind_label(str(kind or ""))


@register.filter
def quality(value: str) -> str:
    return presentation.quality_label(str(value or ""))


@register.filter
def features(explanation: dict[str, Any] | None) -> list[tuple[str, str]]:
    return presentation.feature_rows((explanation or {}).get("features"))


@register.filter
def how(value: str) -> str:
    return presentation.how_label(str(value or ""))


@register.filter
def listing(entry: Any) -> presentation.Listing:
    return presentation.listing(entry)


@register.filter
def schema_label(schema: str) -> str:
    return presentation.schema_label(str(schema or ""))
