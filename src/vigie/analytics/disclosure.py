"""Disclosure control: the one gate every outgoing statistic passes.

A statistic leaves Vigie (dashboard, API, command line, data annex, aggregate export) only as a
:class:`Release` made by :func:`protect` (small-cell suppression with consistent perturbation) or
by :func:`vigie.analytics.privacy.release_dp` (differential privacy). Both start from a
:class:`Table`: the cells of a cross-classification *with all its margins* (the engine computes
them with ``GROUP BY CUBE``), each holding the true weighted count and a cell key.

Rules (parameters and reasons in docs/disclosure-control.md):

1. **Primary suppression**: a cell whose true count is 1..k-1 (default k = 11, as CTDC) is
   suppressed. Zero cells are published (a structural zero reveals no person).
2. **Secondary suppression**: every line of the table (the cells along one dimension with the
   other coordinates fixed, plus their margin) is made safe: never exactly one suppressed member
   when the margin is published (else margin minus visible cells = the suppressed cell); the sum
   of the suppressed members of a line with a published margin is 0 or >= k (else the group they
   form is disclosed); a suppressed margin has at least one suppressed member (else it is the sum
   of its visible members). Repeat until every line is safe. Complements are the smallest
   non-zero inner cells, so as little as possible is lost.
3. **Perturbation** (cell-key method, as the Australian Bureau of Statistics' TableBuilder):
   each published non-zero count gets a small noise in -D..D (default D = 2) drawn from a
   keyed hash of the cell key (sum of the record keys of the records in the cell) and the count.
   The same set of records always gets the same noise, whatever query produced it, so
   differencing two overlapping queries gives the difference plus noise, and repeating a query
   averages nothing away. Published counts are never below k. A table mixing records the
   reader may open with others draws the noise from the others alone (``protect(unseen=)``):
   padding it with one's own records must not refresh the noise (ADR 0070).
4. **Rounding**: counts are integers (no further rounding); percentages are computed from the
   published counts and rounded to one decimal; a table whose every cell is suppressed (e.g. a
   narrow filter) says so.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

MARGIN: None = None  # a coordinate meaning "all values of this dimension"
KEY_MODULUS = 256  # record keys are 0..255; a cell key is their sum modulo 256

Coords = tuple[str | None, ...]


@dataclass(frozen=True)
class Policy:
    """Parameters of small-cell protection (see docs/disclosure-control.md)."""

    k: int = 11
    perturb: bool = True
    max_noise: int = 2
    salt: bytes = b"vigie-cell-key"

    def __post_init__(self) -> None:
        if self.k < 2:
            raise ValueError(f"threshold k must be at least 2, not {self.k}")
        if not 0 <= self.max_noise < self.k:
            raise ValueError(f"max_noise must be in 0..k-1, not {self.max_noise}")


def default_policy() -> Policy:
    """The installation's policy: settings VIGIE_STATS_K, VIGIE_STATS_PERTURB, SECRET_KEY."""
    from django.conf import settings

    salt = hmac.new(settings.SECRET_KEY.encode(), b"vigie.analytics.cell-key", "sha256").digest()
    return Policy(
        k=int(getattr(settings, "VIGIE_STATS_K", 11)),
        perturb=bool(getattr(settings, "VIGIE_STATS_PERTURB", True)),
        max_noise=int(getattr(settings, "VIGIE_STATS_MAX_NOISE", 2)),
        salt=salt,
    )


@dataclass
class Cell:
    n: int  # true weighted count
    key: int = 0  # cell key: sum of record keys modulo KEY_MODULUS


@dataclass
class Table:
    """A cross-classification with every margin: ``cells[coords]``, MARGIN (None) = all."""

    dims: tuple[str, ...]
    cells: dict[Coords, Cell] = field(default_factory=dict)
    # dimensions where a record may hold several values (forms, means): margins are not sums
    multi: frozenset[str] = frozenset()

    @property
    def grand_total(self) -> int:
        cell = self.cells.get(tuple(MARGIN for _ in self.dims))
        return cell.n if cell else 0

    def complete(self) -> Table:
        """Add the missing zero cells of the full cross (inner cells and margins)."""
        values: list[list[str | None]] = [[MARGIN] for _ in self.dims]
        for coords in self.cells:
            for i, v in enumerate(coords):
                if v is not MARGIN and v not in values[i]:
                    values[i].append(v)
        for coords in _product(values):
            self.cells.setdefault(coords, Cell(0, 0))
        return self


def _product(values: list[list[str | None]]) -> Iterator[Coords]:
    if not values:
        yield ()
        return
    for head in values[0]:
        for tail in _product(values[1:]):
            yield (head, *tail)


@dataclass(frozen=True)
class ReleasedCell:
    coords: Coords
    value: int | None  # None when suppressed

    @property
    def suppressed(self) -> bool:
        return self.value is None


@dataclass
class Release:
    """What may leave the system: published values and suppression marks, no true counts."""

    dims: tuple[str, ...]
    cells: dict[Coords, ReleasedCell]
    method: str  # "suppression" or "dp"
    k: int
    notes: list[str] = field(default_factory=list)
    epsilon: float | None = None
    # kept for tests and the ledger only; never serialised
    _reasons: dict[Coords, str] = field(default_factory=dict, repr=False)

    @property
    def fully_suppressed(self) -> bool:
        return all(c.suppressed for c in self.cells.values() if c.value != 0)

    def value(self, *coords: str | None) -> int | None:
        cell = self.cells.get(tuple(coords))
        return cell.value if cell else 0

    def rows(self, with_margins: bool = True, nonzero: bool = False) -> list[dict[str, Any]]:
        """Rows for CSV/JSON: one per cell; margins carry the label ``"_all"``."""
        out = []
        for coords in sorted(self.cells, key=_sort_key):
            if not with_margins and MARGIN in coords:
                continue
            if nonzero and self.cells[coords].value == 0:
                continue
            row: dict[str, Any] = {
                d: ("_all" if v is MARGIN else v) for d, v in zip(self.dims, coords, strict=False)
            }
            cell = self.cells[coords]
            row["count"] = cell.value
            row["suppressed"] = cell.suppressed
            out.append(row)
        return out


def _sort_key(coords: Coords) -> tuple[tuple[int, str], ...]:
    return tuple((1, "") if v is MARGIN else (0, str(v)) for v in coords)


# --- suppression -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """Cells along one dimension with the other coordinates fixed, and their margin."""

    dim: int
    total: Coords
    members: tuple[Coords, ...]


def lines_of(table: Table) -> list[Line]:
    by_total: dict[tuple[int, Coords], list[Coords]] = {}
    for coords in table.cells:
        for i, v in enumerate(coords):
            if v is MARGIN:
                continue
            total = (*coords[:i], MARGIN, *coords[i + 1 :])
            by_total.setdefault((i, total), []).append(coords)
    return [
        Line(i, total, tuple(sorted(members, key=_sort_key)))
        for (i, total), members in by_total.items()
        if total in table.cells
    ]


def _line_problem(line: Line, table: Table, suppressed: set[Coords], k: int) -> bool:
    members = [m for m in line.members if m in suppressed]
    if line.total in suppressed:
        return not members and any(table.cells[m].n for m in line.members)
    if not members:
        return False
    if len(members) == 1:
        return True
    total = sum(table.cells[m].n for m in members)
    return 0 < total < k


def _complement(line: Line, table: Table, suppressed: set[Coords]) -> Coords:
    """The cell to suppress next in an unsafe line: the smallest non-zero inner member."""
    candidates = [m for m in line.members if m not in suppressed]
    nonzero = [m for m in candidates if table.cells[m].n > 0]
    pool = nonzero or candidates
    if not pool:
        return line.total
    return min(pool, key=lambda c: (sum(v is MARGIN for v in c), table.cells[c].n, _sort_key(c)))


def suppress(table: Table, k: int, force: Iterable[Coords] = ()) -> dict[Coords, str]:
    """Primary and secondary suppression; returns {coords: "primary" | "secondary" |
    "differencing"}. ``force``: cells that must be suppressed as well (a cell that differs by
    a small group from a cell released earlier, vigie.analytics.privacy.differencing_guard)."""
    reasons: dict[Coords, str] = {c: "primary" for c, cell in table.cells.items() if 0 < cell.n < k}
    for coords in force:
        if coords in table.cells:
            reasons.setdefault(coords, "differencing")
    suppressed = set(reasons)
    lines = lines_of(table)
    changed = bool(suppressed)
    while changed:
        changed = False
        for line in lines:
            while _line_problem(line, table, suppressed, k):
                extra = _complement(line, table, suppressed)
                if extra in suppressed:  # nothing left to suppress in this line
                    break
                suppressed.add(extra)
                reasons[extra] = "secondary"
                changed = True
    return reasons


# --- perturbation ----------------------------------------------------------------------------

# Probabilities (in 1/16) of the noise -D..D for D = 2; wider D spreads the same shape.
_PTABLE_2 = (1, 3, 8, 3, 1)


def noise(n: int, key: int, policy: Policy) -> int:
    """Deterministic noise for a cell: the same records (same key and count), the same noise."""
    if n == 0 or not policy.perturb or policy.max_noise == 0:
        return 0
    digest = hmac.new(policy.salt, f"{key % KEY_MODULUS}:{n}".encode(), hashlib.sha256).digest()
    u = int.from_bytes(digest[:8], "big") / 2**64
    d = policy.max_noise
    if d == 2:
        weights: Sequence[int] = _PTABLE_2
    else:
        weights = [d + 1 - abs(i) for i in range(-d, d + 1)]
    acc = 0.0
    total = sum(weights)
    for i, w in zip(range(-d, d + 1), weights, strict=False):
        acc += w / total
        if u < acc:
            return i
    return d


def record_key(row_key: str, salt: bytes) -> int:
    """A record's key (0..255), stable across snapshot refreshes, unrelated to its content."""
    return hmac.new(salt, row_key.encode(), hashlib.sha256).digest()[0]


def protect(
    table: Table,
    policy: Policy | None = None,
    force: Iterable[Coords] = (),
    unseen: dict[Coords, Cell] | None = None,
) -> Release:
    """Suppress and perturb: the release of ``table`` under ``policy`` (``force``: cells to
    suppress whatever their count, see ``suppress``).

    ``unseen``: for a table mixing records the reader may open with others, each cell's
    records the reader may not open (count and key). The noise is then drawn from those
    alone: the reader knows their own records exactly, and a reader who can add or remove
    their own records (linking cases to a dossier) would otherwise get new noise on the same
    unseen records at each change and average it away (ADR 0070)."""
    policy = policy or default_policy()
    table.complete()
    reasons = suppress(table, policy.k, force)
    cells: dict[Coords, ReleasedCell] = {}
    for coords, cell in table.cells.items():
        if coords in reasons:
            cells[coords] = ReleasedCell(coords, None)
            continue
        keyed = cell if unseen is None else unseen.get(coords, Cell(0, 0))
        value = cell.n + noise(keyed.n, keyed.key, policy)
        if cell.n > 0:
            value = max(value, policy.k)
        cells[coords] = ReleasedCell(coords, value)
    notes = []
    if reasons:
        notes.append(f"cells below {policy.k} and their complements are suppressed")
    if policy.perturb:
        notes.append(f"counts are perturbed by at most ±{policy.max_noise}; totals may differ")
    release = Release(table.dims, cells, "suppression", policy.k, notes, _reasons=reasons)
    return release


def percent(part: int | None, whole: int | None) -> float | None:
    """A percentage of published counts, one decimal (None when either is suppressed)."""
    if part is None or not whole:
        return None
    return round(100.0 * part / whole, 1)


def table_from_rows(
    dims: Sequence[str], rows: Iterable[tuple[Any, ...]], multi: Iterable[str] = ()
) -> Table:
    """Build a table from ``(coord_1, .., coord_d, n, key)`` rows (None coordinate = margin)."""
    table = Table(tuple(dims), multi=frozenset(multi))
    d = len(dims)
    for row in rows:
        coords = tuple(None if v is None else str(v) for v in row[:d])
        table.cells[coords] = Cell(int(row[d] or 0), int(row[d + 1] or 0) % KEY_MODULUS)
    return table
