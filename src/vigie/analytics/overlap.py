"""Record-level comparison of released cells, for the differencing guard (ADR 0052).

Two published counts teach an attacker the size of a group when the records they count are
nested, or nearly: ``n(A) - n(B) = n(A \\ B)`` when B is inside A. Comparing queries by their
wording (same table and dimensions, filters nested as value lists) misses the same pair worded
apart: other grouping dimensions (the grand total of a table "by sex" and of a table "by form"
count the same records), a code that matches no record, a period that holds every record
but is not nested with the other query's. Here every cell is turned into the *selection* of
records it counts (one value set per dimension: the query's filters and the cell's own
coordinates, each value set cut down to the values present in the snapshot, a filter that
holds every value of a single-valued dimension dropped), and two cells are compared through
the records they share: ``n(A Δ B) = n(A) + n(B) - 2 n(A ∩ B)``, with ``n(A ∩ B)`` counted
by the engine when the selections do not settle it. A new cell whose records differ from
those of a cell released earlier by 1..k-1 records is suppressed, whatever the wording.

Limits (docs/disclosure-control.md): a cell of a multi-valued dimension whose value is not
among the query's filter values for that dimension ("holds form a and any of b, c") is not a
single selection and is compared by its wording only; intersections of two different value
sets of a multi-valued dimension likewise.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from vigie.analytics.disclosure import MARGIN, Coords, Table
from vigie.analytics.schema import DIMENSIONS, UNKNOWN

# a selection: dimension -> the values a record must hold (one of them, for a list dimension)
Selection = frozenset[tuple[str, frozenset[str]]]
Filters = dict[str, tuple[str, ...]]


def _years(values: Iterable[str]) -> frozenset[str]:
    out: set[str] = set()
    for v in values:
        first, _sep, last = str(v).partition("-")
        if first.isdigit() and (not last or last.isdigit()):
            out.update(str(y) for y in range(int(first), int(last or first) + 1))
        else:
            out.add(str(v))
    return frozenset(out)


def _multi(dim: str) -> bool:
    return DIMENSIONS[dim].multi if dim in DIMENSIONS else False


def selection(
    filters: Mapping[str, Sequence[str]],
    by: Sequence[str],
    coords: Coords,
    domain: Mapping[str, frozenset[str]],
) -> Selection | None:
    """The records cell ``coords`` of a table ``by`` under ``filters`` counts, or None when
    that is no single selection (see the module's limits) or holds no record at all."""
    sel: dict[str, frozenset[str]] = {}
    for name, values in filters.items():
        dim = "year" if name == "period" else name
        chosen = _years(values) if name == "period" else frozenset(str(v) for v in values)
        if dim in domain:
            chosen &= domain[dim]
        sel[dim] = chosen
    for dim, value in zip(by, coords, strict=True):
        if value is MARGIN:
            continue
        if _multi(dim):
            if value == UNKNOWN or (dim in sel and value not in sel[dim]):
                return None
            sel[dim] = frozenset({value})
        else:
            sel[dim] = sel.get(dim, frozenset({value})) & {value}
    out: list[tuple[str, frozenset[str]]] = []
    for dim, held in sel.items():
        if not held:
            return None  # no record: a zero count, nothing to compare
        if not _multi(dim) and dim in domain and held >= domain[dim]:
            continue  # every value: no constraint
        out.append((dim, held))
    return frozenset(out)


def intersection(a: Selection, b: Selection) -> Selection | None:
    """The records both select, or None when no single selection states it."""
    da, db = dict(a), dict(b)
    out = dict(da)
    for dim, values in db.items():
        if dim not in out:
            out[dim] = values
        elif not _multi(dim):
            out[dim] = out[dim] & values
        elif out[dim] <= values:
            pass
        elif values <= out[dim]:
            out[dim] = values
        else:
            return None
    return frozenset(out.items())


def disjoint(a: Selection, b: Selection) -> bool:
    """No record can be in both (a single-valued dimension with no value in common)."""
    db = dict(b)
    return any(not _multi(d) and d in db and not (v & db[d]) for d, v in a)


def inside(a: Selection, b: Selection) -> bool:
    """Every record ``a`` selects, ``b`` selects (by the value sets alone)."""
    da = dict(a)
    return all(d in da and da[d] <= values for d, values in b)


def as_filters(sel: Selection) -> Filters:
    """A selection as engine filters (year values as a period)."""
    return {("period" if d == "year" else d): tuple(sorted(v)) for d, v in sel}


@dataclass
class Released:
    """Cells released earlier: (true count, selection), sorted by count."""

    counts: list[int] = field(default_factory=list)
    selections: list[Selection] = field(default_factory=list)

    def add(self, cells: Iterable[tuple[int, Selection]]) -> None:
        pairs = sorted([*zip(self.counts, self.selections, strict=True), *cells], key=_first)
        self.counts = [n for n, _s in pairs]
        self.selections = [s for _n, s in pairs]

    def near(self, n: int, k: int) -> list[tuple[int, Selection]]:
        lo, hi = bisect_left(self.counts, n - k + 1), bisect_right(self.counts, n + k - 1)
        return list(zip(self.counts[lo:hi], self.selections[lo:hi], strict=True))


def _first(pair: tuple[int, Selection]) -> int:
    return pair[0]


def close_cells(
    table: Table,
    filters: Filters,
    released: Released,
    domain: Mapping[str, frozenset[str]],
    count: Callable[[Filters], int],
    k: int,
) -> set[Coords]:
    """Cells of ``table`` (under ``filters``) whose records differ from those of a released
    cell by 1..k-1 records. ``count(filters)``: the true count of a selection."""
    counted: dict[Selection, int] = {}
    force: set[Coords] = set()
    for coords, cell in table.cells.items():
        if cell.n < k:
            continue  # suppressed anyway
        mine = selection(filters, table.dims, coords, domain)
        if mine is None:
            continue
        for n, theirs in released.near(cell.n, k):
            if theirs == mine or disjoint(mine, theirs):
                continue
            both = intersection(mine, theirs)
            if both is None:  # not one selection: compare by the value sets alone
                if not (inside(mine, theirs) or inside(theirs, mine)):
                    continue
                shared = min(n, cell.n)
            elif both == mine:
                shared = cell.n
            elif both == theirs:
                shared = n
            else:
                if both not in counted:
                    counted[both] = count(as_filters(both))
                shared = counted[both]
            if 0 < cell.n + n - 2 * shared < k:
                force.add(coords)
                break
    return force


def released_cells(
    table: Table,
    filters: Filters,
    domain: Mapping[str, frozenset[str]],
    k: int,
    hidden: set[str],
) -> list[tuple[int, Selection]]:
    """The (count, selection) of the cells of an earlier query that were published (not
    below k, not suppressed by the guard then: ``hidden`` as recorded in the ledger)."""
    out = []
    for coords, cell in table.cells.items():
        if cell.n < k or str(list(coords)) in hidden:
            continue
        sel = selection(filters, table.dims, coords, domain)
        if sel is not None:
            out.append((cell.n, sel))
    return out


def may_overlap(a: Filters, b: Filters, domain: Mapping[str, frozenset[str]]) -> bool:
    """Whether any cell of a query under ``a`` may share records with one under ``b``."""
    sa, sb = selection(a, (), (), domain), selection(b, (), (), domain)
    if sa is None or sb is None:
        return False
    return not disjoint(sa, sb)
