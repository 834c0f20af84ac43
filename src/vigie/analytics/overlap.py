"""Record-level comparison of released cells, for the differencing guard (ADR 0052).

Two published counts teach an attacker the size of a group when the records they count are
nearly the same: ``n(A) - n(B) = n(A \\ B)`` when B is inside A. Comparing queries by their
wording misses the same pair worded apart (other grouping dimensions, a code that matches no
record, a period that holds every record but is not nested with the other query's). Here every
cell is compared with the cells released earlier through the *records* they count:
``n(A Δ B)``, and a new cell whose records differ from those of a released cell by 1..k-1 is
suppressed, whatever the wording.

All of it is counted in memory from ONE cross-tabulation of the query's scope of the snapshot
(``Units``: every dimension column and the summed weight, grouped; read once per snapshot
version and scope by ``Engine.units``). A cell's records are a boolean vector over its rows
(filters and coordinates are lookups into dictionary codes), and ``n(A Δ B)`` is the weight of
``a XOR b``: all the pairs of one cell in one vector operation, no engine query per pair. The
earlier version counted each intersection with its own DuckDB query (2,396 of them for one
filtered dashboard request: 5-7 s; it was reverted). Counting records here is exact for any
conjunction of filters and coordinates, multi-valued dimensions (forms, means) included.
Counting persons, a person is counted by their earliest record among those the filters select
(as the engine does), so the vectors are over persons.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from vigie.analytics.disclosure import MARGIN, Coords, Table
from vigie.analytics.schema import DIMENSIONS, UNKNOWN

Filters = Mapping[str, Sequence[str]]
Bools = npt.NDArray[np.bool_]
Words = npt.NDArray[np.uint64]
MEMO_BYTES = 64 * 2**20  # vectors kept per Units (one byte per row or person each)
TABLES = 4096  # published cells of earlier queries kept per Units
CHUNK = 2**20  # pairs x words compared at once (bounded memory)
DENSE_CELLS = 2**16  # a table's grouping set with at most this many possible cells: summed densely


def years(values: Iterable[str]) -> frozenset[str]:
    """Period values ("2016", "2016-2018") as the years they hold."""
    out: set[str] = set()
    for v in values:
        first, _sep, last = str(v).partition("-")
        if first.isdigit() and (not last or last.isdigit()):
            out.update(str(y) for y in range(int(first), int(last or first) + 1))
        else:
            out.add(str(v))
    return frozenset(out)


FilterKey = tuple[tuple[str, tuple[str, ...]], ...]


def key(filters: Filters) -> FilterKey:
    """Filters as a hashable key (the same for the same values in any order)."""
    return tuple(sorted((d, tuple(sorted(v))) for d, v in filters.items()))


class Units:
    """The rows of one scope of the snapshot (table, organisations, unit), cross-tabulated by
    every dimension, as numpy arrays; what cells count is computed here.

    ``data``: the cross-tabulation (a column per dimension's column and ``w``, the summed
    weight); counting persons, the scope's rows with their weight, ordered by ``person`` (the
    linked person, null for a record linked to nobody) and then as the engine orders a
    person's records (earliest first)."""

    def __init__(self, table: str, data: pa.Table) -> None:
        self.dims = {n: d for n, d in DIMENSIONS.items() if table in d.tables}
        if "person" not in data.column_names:  # rows of weight 1 first: see weight_of
            data = data.take(pa.array(np.argsort(_numbers(data, "w") != 1, kind="stable")))
        self.rows = data.num_rows
        self._weight = _numbers(data, "w")
        self._codes: dict[str, tuple[npt.NDArray[np.int64], dict[str, int]]] = {}
        self._lists: dict[str, tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], Bools]] = {}
        self._vocab: dict[str, dict[str, int]] = {}
        for name, dim in self.dims.items():
            column = data.column(dim.column)
            if dim.multi:
                flat = pc.list_flatten(column)
                parents = np.asarray(pc.list_parent_indices(column).to_numpy(), dtype=np.int64)
                codes, vocab = _encode(flat)
                empty = np.asarray(pc.fill_null(pc.list_value_length(column), 0).to_numpy()) == 0
                self._lists[name] = (codes, parents, empty)
            else:
                codes, vocab = _encode(pc.cast(column, pa.string()))
                self._codes[name] = (codes, vocab)
            self._vocab[name] = vocab
        self._lock = threading.Lock()
        self._memo: OrderedDict[tuple[Any, ...], Any] = OrderedDict()  # Bools or Words
        self._tables: OrderedDict[tuple[Any, ...], tuple[tuple[Coords, int], ...]] = OrderedDict()
        person = None
        if "person" in data.column_names:  # one index per person, rows of a person together
            raw = data.column("person")
            linked = np.asarray(pc.is_valid(raw).to_numpy(zero_copy_only=False), dtype=bool)
            ids = np.asarray(pc.fill_null(raw, 0).to_numpy(zero_copy_only=False))
            starts = np.ones(self.rows, dtype=bool)
            starts[1:] = (ids[1:] != ids[:-1]) | ~linked[1:] | ~linked[:-1]
            person = np.cumsum(starts, dtype=np.int64) - 1
        self._person = person
        if person is None:
            self.weight = self._weight
            self.size = self.rows
        else:
            self.size = int(person.max()) + 1 if len(person) else 0
            first = np.ones(len(person), dtype=bool)
            first[1:] = person[1:] != person[:-1]
            self.weight = self._weight[first]  # one weight per person (their first row's)
        top = int(self.weight.max()) if self.size else 0
        heavy = np.flatnonzero(self.weight != 1)
        self._light_words = (int(heavy[0]) if len(heavy) else self.size) // 64
        self._planes = [
            (1 << bit, _pack((self.weight >> bit) & 1 == 1)) for bit in range(top.bit_length())
        ]

    def domain(self) -> dict[str, frozenset[str]]:
        """The values present in this scope, per dimension (years as text)."""
        return {name: frozenset(v) for name, v in self._vocab.items()}

    def _has(self, name: str, values: frozenset[str]) -> Bools:
        """Rows holding one of ``values`` of dimension ``name`` (a list dimension: among its
        values; ``unknown``: an empty list)."""
        memo = ("has", name, values)
        hit = self._memo.get(memo)
        if hit is not None:
            return hit
        vocab = self._vocab.get(name, {})
        lut = np.zeros(len(vocab) + 1, dtype=bool)  # the last entry: codes -1 (null, absent)
        lut[[vocab[v] for v in values if v in vocab]] = True
        if name in self._lists:
            codes, parents, empty = self._lists[name]
            out = np.zeros(self.rows, dtype=bool)
            out[parents[lut[codes]]] = True
            if UNKNOWN in values:
                out |= empty
        else:
            out = lut[self._codes[name][0]]
        self._remember(memo, out)
        return out

    def _remember(self, memo: tuple[Any, ...], value: Bools | Words) -> None:
        with self._lock:  # the server answers requests in threads
            self._memo[memo] = value
            while len(self._memo) > max(64, MEMO_BYTES // max(1, self.rows)):
                self._memo.popitem(last=False)

    def selected(self, filters: FilterKey) -> Bools:
        """Rows the filters select (period: years)."""
        memo = ("filters", filters)
        hit = self._memo.get(memo)
        if hit is not None:
            return hit
        out = np.ones(self.rows, dtype=bool)
        for name, values in filters:
            dim = "year" if name == "period" else name
            chosen = years(values) if name == "period" else frozenset(str(v) for v in values)
            out = out & self._has(dim, chosen)
        self._remember(memo, out)
        return out

    def members(self, filters: FilterKey, by: tuple[str, ...], coords: Coords) -> Bools:
        """The units (rows, or persons) cell ``coords`` of a table ``by`` under ``filters``
        (``key(filters)``) counts, as a boolean vector."""
        memo = ("cell", filters, by, coords)
        hit = self._memo.get(memo)
        if hit is not None:
            return hit
        base = self.selected(filters)
        if self._person is not None:  # each person by their first selected record
            rows = np.flatnonzero(base)
            people = self._person[rows]
            first = np.ones(len(rows), dtype=bool)
            first[1:] = people[1:] != people[:-1]
            chosen = np.zeros(self.rows, dtype=bool)
            chosen[rows[first]] = True
            base = chosen
        out = base
        for name, value in zip(by, coords, strict=True):
            if value is not MARGIN:
                out = out & self._has(name, frozenset({str(value)}))
        if self._person is not None:
            people_out = np.zeros(self.size, dtype=bool)
            people_out[self._person[out]] = True
            out = people_out
        self._remember(memo, out)
        return out

    def packed(self, filters: FilterKey, by: tuple[str, ...], coords: Coords) -> Words:
        """``members`` as bits (64 units a word), for ``weight_of``."""
        memo = ("packed", filters, by, coords)
        hit = self._memo.get(memo)
        if hit is None:
            hit = _pack(self.members(filters, by, coords))
            self._remember(memo, hit)
        return hit

    def weight_of(self, words: Words) -> npt.NDArray[np.int64]:
        """The summed weight of the units set in each row of ``words`` (packed vectors): one
        population count over the leading units of weight 1 (records are ordered so), one
        per bit of the weights over the rest (incidents' counts of several persons)."""
        light = self._light_words  # leading words of units of weight 1: one count
        out = _popcount(words[:, :light]) if light else np.zeros(len(words), dtype=np.int64)
        for value, plane in self._planes:
            out += value * _popcount(words[:, light:] & plane[light:])
        return out

    def count(self, filters: FilterKey, by: tuple[str, ...], coords: Coords) -> int:
        """The true count of one cell (as the engine's table would hold it)."""
        return int(self.weight[self.members(filters, by, coords)].sum())

    def published(
        self, filters: FilterKey, by: tuple[str, ...], k: int
    ) -> tuple[tuple[Coords, int], ...]:
        """The cells of at least ``k`` of the table ``by`` under ``filters`` (``table``), kept
        with this scope (the same for every request on this snapshot)."""
        memo = ("table", filters, by, k)
        hit = self._tables.get(memo)
        if hit is None:
            hit = tuple((c, n) for c, n in self.table(filters, by) if n >= k)
        with self._lock:
            self._tables[memo] = hit
            self._tables.move_to_end(memo)
            while len(self._tables) > TABLES:
                self._tables.popitem(last=False)
        return hit

    def table(self, filters: FilterKey, by: tuple[str, ...]) -> list[tuple[Coords, int]]:
        """The true table ``by`` under ``filters`` with every margin, as (coords, count),
        counted here as ``count`` counts each cell: no engine query, so that the first
        request after a snapshot refresh does not ask the engine once per earlier query."""
        base = self.selected(filters)
        if self._person is not None:  # each person by their first selected record
            rows = np.flatnonzero(base)
            first = np.ones(len(rows), dtype=bool)
            first[1:] = self._person[rows][1:] != self._person[rows][:-1]
            rows = rows[first]
            weight = self.weight[self._person[rows]]
        else:
            rows = np.flatnonzero(base)
            weight = self._weight[rows]
        out: list[tuple[Coords, int]] = []
        for size in range(len(by) + 1):
            for grouped in combinations(by, size):
                out += self._grouped(rows, weight, by, grouped)
        return out

    def _grouped(
        self,
        rows: npt.NDArray[np.int64],
        weight: npt.NDArray[np.int64],
        by: tuple[str, ...],
        grouped: tuple[str, ...],
    ) -> list[tuple[Coords, int]]:
        """The cells of one grouping set: ``rows`` (with their ``weight``) grouped by the
        dimensions ``grouped``, the others margins; a list dimension's values each count the
        row once (an empty list: ``unknown``)."""
        entry = np.arange(len(rows))  # the row of ``rows`` each entry stands for
        columns: list[npt.NDArray[np.int64]] = []
        names: list[list[str]] = []
        for name in grouped:
            vocab = self._vocab.get(name, {})
            names.append([*vocab, UNKNOWN])  # codes in order, then the code of "unknown"
            if name in self._lists:
                codes, parents, _empty = self._lists[name]
                at = rows[entry]
                start = np.searchsorted(parents, at, side="left")
                length = np.searchsorted(parents, at, side="right") - start
                many = np.maximum(length, 1)
                keep = np.repeat(entry, many)
                offset = np.arange(int(many.sum())) - np.repeat(np.cumsum(many) - many, many)
                position = np.repeat(start, many) + offset
                value = np.where(
                    np.repeat(length, many) > 0,
                    codes[np.minimum(position, max(len(codes) - 1, 0))] if len(codes) else -1,
                    len(vocab),
                )
                columns = [c[np.repeat(np.arange(len(entry)), many)] for c in columns]
                entry = keep
                columns.append(np.asarray(value, dtype=np.int64))
            else:
                columns.append(self._codes[name][0][rows[entry]])
        # one integer per cell (mixed radix over the codes), then per (row, cell)
        cell = np.zeros(len(entry), dtype=np.int64)
        valid = np.ones(len(entry), dtype=bool)
        for column, labels in zip(columns, names, strict=True):
            valid &= column >= 0  # null values: no cell
            cell = cell * len(labels) + column
        cell, entry = cell[valid], entry[valid]
        if any(name in self._lists for name in grouped):  # a value twice in a list: once
            span = int(cell.max()) + 1 if len(cell) else 1
            pair = np.unique(entry * span + cell)
            entry, cell = pair // span, pair % span
        cells = 1
        for labels in names:
            cells *= len(labels)
        if cells <= DENSE_CELLS:  # a sum per possible cell, no sort
            dense = np.bincount(cell, weights=weight[entry], minlength=cells)
            found = np.flatnonzero(np.bincount(cell, minlength=cells))
            sums = dense[found]
        else:
            found, inverse = np.unique(cell, return_inverse=True)
            sums = np.bincount(inverse, weights=weight[entry], minlength=len(found))
        if not grouped:
            found, sums = np.zeros(1, dtype=np.int64), np.asarray([weight.sum()], dtype=float)
        out: list[tuple[Coords, int]] = []
        for position, total in zip(map(int, found.tolist()), sums.tolist(), strict=True):
            values: dict[str, str] = {}
            for name, labels in zip(reversed(grouped), reversed(names), strict=True):
                position, index = divmod(position, len(labels))
                values[name] = labels[index]
            out.append((tuple(values.get(d, MARGIN) for d in by), round(total)))
        return out


def _numbers(data: pa.Table, name: str) -> npt.NDArray[np.int64]:
    return np.asarray(data.column(name).to_numpy(), dtype=np.int64)


def _pack(bools: Bools) -> Words:
    """A boolean vector as 64-bit words (zero-padded)."""
    packed = np.packbits(bools)
    padded = np.zeros(-(-len(packed) // 8) * 8, dtype=np.uint8)
    padded[: len(packed)] = packed
    return padded.view(np.uint64)


_POP8 = np.array([bin(i).count("1") for i in range(256)], dtype=np.int64)


def _popcount(words: Words) -> npt.NDArray[np.int64]:
    """Set bits per row of a 2-D array of words."""
    if hasattr(np, "bitwise_count"):  # numpy >= 2
        return np.asarray(np.bitwise_count(words).sum(axis=1, dtype=np.int64))
    return np.asarray(_POP8[words.view(np.uint8)].sum(axis=1))


def _encode(values: pa.Array | pa.ChunkedArray) -> tuple[npt.NDArray[np.int64], dict[str, int]]:
    """Dictionary codes of a text column (-1 for null) and the code of each value."""
    encoded = pc.dictionary_encode(values)
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks() if encoded.num_chunks else pa.array([], pa.string())
    if not isinstance(encoded, pa.DictionaryArray):  # an empty column
        return np.zeros(0, dtype=np.int64), {}
    indices = pc.fill_null(encoded.indices, -1)
    codes = np.asarray(indices.to_numpy(zero_copy_only=False), dtype=np.int64)
    vocab = {str(v): i for i, v in enumerate(encoded.dictionary.to_pylist()) if v is not None}
    return codes, vocab


@dataclass(frozen=True)
class Cell:
    """A cell released earlier: its true count and what it selects."""

    n: int
    filters: FilterKey
    by: tuple[str, ...]
    coords: Coords


@dataclass
class Released:
    """Cells released earlier (one scope), sorted by count, compared with new cells."""

    units: Units
    k: int
    cells: list[Cell] = field(default_factory=list)
    _counts: list[int] = field(default_factory=list)
    _seen: set[tuple[Any, ...]] = field(default_factory=set)
    _sorted: bool = True
    _words: Words = field(default_factory=lambda: np.zeros((0, 0), dtype=np.uint64))

    def add(
        self,
        filters: FilterKey,
        by: tuple[str, ...],
        cells: Iterable[tuple[Coords, int]],
        hidden: set[Coords] | frozenset[Coords] = frozenset(),
    ) -> None:
        """The published cells of a table ``by`` under ``filters``: (coords, true count) of
        at least k, less those the guard suppressed (``hidden``). A query seen already adds
        nothing."""
        if (filters, by) in self._seen:
            return
        self._seen.add((filters, by))
        new = [Cell(n, filters, by, c) for c, n in cells if n >= self.k and c not in hidden]
        if new:
            self.cells += new  # after the sorted ones; sorted when next compared
            self._sorted = False

    def close_cells(self, table: Table, filters: FilterKey) -> set[Coords]:
        """Cells of ``table`` (under ``filters``) whose records differ from those of a
        released cell by 1..k-1 records: every candidate pair (counts less than k apart)
        compared at once, ``n(A Δ B)`` = the weight of ``a XOR b``."""
        if not self._sorted:  # and the cells' records, packed, in the same order
            known = len(self._words)
            fresh = [self.units.packed(c.filters, c.by, c.coords) for c in self.cells[known:]]
            words = np.concatenate([self._words, np.stack(fresh)]) if known else np.stack(fresh)
            order = np.argsort([c.n for c in self.cells], kind="stable")
            self.cells = [self.cells[i] for i in order]
            self._words = words[order]
            self._counts = [c.n for c in self.cells]
            self._sorted = True
        k, units, by = self.k, self.units, table.dims
        candidates = [c for c, cell in table.cells.items() if cell.n >= k]  # else suppressed
        counts = np.asarray([table.cells[c].n for c in candidates], dtype=np.int64)
        lo = np.searchsorted(self._counts, counts - k + 1, side="left")
        hi = np.searchsorted(self._counts, counts + k - 1, side="right")
        near = hi > lo  # some released cell has a count that close
        if not near.any():
            return set()
        mine = [c for c, keep in zip(candidates, near, strict=True) if keep]
        lo, hi = lo[near], hi[near]
        width = hi - lo
        # every pair (new cell i, released cell j) with lo[i] <= j < hi[i]
        li = np.repeat(np.arange(len(mine)), width)
        rj = np.arange(int(width.sum())) - np.repeat(np.cumsum(width) - width, width)
        rj += np.repeat(lo, width)
        first, last = int(lo.min()), int(hi.max())
        a = np.stack([units.packed(filters, by, c) for c in mine])
        b = self._words[first:last]
        rj -= first
        close = np.zeros(len(mine), dtype=bool)
        step = max(1, CHUNK // max(1, b.shape[1]))
        for start in range(0, len(li), step):
            part = slice(start, start + step)
            apart = units.weight_of(a[li[part]] ^ b[rj[part]])  # n(A Δ B), pair by pair
            hit = (apart > 0) & (apart < k)
            close[li[part][hit]] = True
        return {mine[i] for i in np.flatnonzero(close)}


def _count(cell: Cell) -> int:
    return cell.n
