"""Wording that depends on the language beyond translated sentences."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import pgettext


def join_list(items: Iterable[object]) -> str:
    """Items of a list run into one line, with the language's own separator: Arabic joins
    with its comma "، " (U+060C), which a Latin "," written into an Arabic line is not."""
    return pgettext("separator between the items of a list", ", ").join(str(i) for i in items)
