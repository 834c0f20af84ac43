"""Signals of the cases app.

``cases_imported``: sent once at the end of an import that wrote rows (after its transaction
commits; never per row), for follow-up work over the imported cases in one batch — e.g. one
screening job for all the imported perpetrators. The bulk import path writes rows without
``save()``, so ``post_save`` is **not** sent for them. Keyword arguments:

- ``organisation``: the ``core.Organisation`` the cases were imported into;
- ``cases``: an :class:`IdRanges` of the ids of the cases created or updated
  (``Case.objects.filter(cases.q())``; compact: one range per run of consecutive ids);
- ``created``, ``updated``: counts; ``file``: the imported file's name; ``user``: who (or
  None for the system).

Connect with ``cases_imported.connect(receiver, dispatch_uid="...")``; ``sender`` is
``vigie.cases.models.Case``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.db.models import Q
from django.dispatch import Signal

cases_imported = Signal()


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
