"""Path converters. ``<id:pk>`` is a database id: 1 to 18 digits, so it always fits the 64-bit
integer column it is looked up in. Django's ``<int:...>`` takes any number of digits, and a
20-digit id made SQLite raise OverflowError (a 500) instead of answering 404 (found by the
schemathesis run over every role's API)."""

from __future__ import annotations


class DatabaseId:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)
