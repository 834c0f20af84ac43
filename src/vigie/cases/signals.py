"""Id sets of the cases app.

:class:`IdRanges`: the ids an import wrote, kept as ranges (bulk inserts give runs of
consecutive ids); ``vigie.core.events.announce`` carries it as the ``ids`` of a change
event, and the screening batch job keeps its ranges in its parameters.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.db.models import Q


class IdRanges:
    """A set of ids kept as sorted ranges ``[(first, last), ...]`` (bulk inserts give runs)."""

    def __init__(self) -> None:
        self.ranges: list[tuple[int, int]] = []
        self.count = 0

    @classmethod
    def of(cls, ranges: Iterable[tuple[int, int]]) -> IdRanges:
        """From ``[(first, last), ...]`` as ``ranges`` gives them (e.g. kept in a job's
        parameters)."""
        out = cls()
        out.ranges = _merged(ranges)
        out.count = sum(last - first + 1 for first, last in out.ranges)
        return out

    def clear(self) -> None:
        self.ranges, self.count = [], 0

    def add(self, ids: Iterable[int]) -> None:
        singles = [(i, i) for i in ids]
        self.count += len(singles)
        self.ranges = _merged(self.ranges + singles)

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[int]:
        for first, last in self.ranges:
            yield from range(first, last + 1)

    def q(self, field: str = "id") -> Q:
        """A filter matching these ids (``Q(pk__in=[])`` when empty)."""
        query = Q(**{f"{field}__in": []})
        for first, last in self.ranges:
            query |= Q(**{f"{field}__range": (first, last)})
        return query


def _merged(ranges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted ranges, overlapping or adjacent ones joined."""
    out: list[tuple[int, int]] = []
    for first, last in sorted(ranges):
        if out and out[-1][1] + 1 >= first:
            out[-1] = (out[-1][0], max(last, out[-1][1]))
        else:
            out.append((first, last))
    return out
