"""Wording that depends on the language beyond translated sentences."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import pgettext


def join_list(items: Iterable[object]) -> str:
    """Items of a list run into one line, with the language's own separator: Arabic joins
    with its comma "، " (U+060C), which a Latin "," written into an Arabic line is not."""
    return pgettext("separator between the items of a list", ", ").join(str(i) for i in items)


def join_clauses(items: Iterable[object]) -> str:
    """Items that are themselves phrases (the drivers of an indicator, a listing's measures),
    joined with the language's semicolon: Arabic's "؛ " (U+061B), French's " ; " with its
    narrow no-break space, where a Latin "; " would be wrong in both."""
    return pgettext("separator between phrases in a list", "; ").join(str(i) for i in items)
