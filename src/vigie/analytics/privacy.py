"""Differentially private releases of count tables (OpenDP), recorded in the budget ledger.

The privacy unit is one person (a victim recorded individually, or one person counted in an
incident's disaggregated counts). Adding or removing a person changes, in every grouping set of
the table, at most ``MAX_VALUES_PER_RECORD`` cells of a multi-valued dimension (forms, means) and
one cell otherwise, by 1. The L1 sensitivity of the whole table with its margins is therefore the
sum over grouping sets of the product of those bounds. OpenDP's (discrete) Laplace mechanism on
the vector of counts, calibrated with its own privacy map, gives epsilon-DP; rounding and
clamping negative counts to 0 afterwards are post-processing. Every release is written to the
ledger *before* its values are returned. A release is refused (``BudgetExceeded``) if its
epsilon is over the cap per query (``VIGIE_DP_MAX_EPSILON``) or if it would exceed the budget
of its user (``VIGIE_DP_BUDGET_USER``), of its organisation (``VIGIE_DP_BUDGET_ORGANISATION``)
or of the installation (``VIGIE_DP_BUDGET``): one analyst cannot spend everybody's budget.
Small-cell rules apply to the *noisy* counts too (post-processing: no privacy cost).

``differencing_guard`` protects suppression-mode releases against averaged differencing
(docs/disclosure-control.md): the ledger also records every suppression-mode query (epsilon
0, mechanism ``cellkey``), and a cell that differs by 1..k-1 records from the same cell of an
earlier nested query of the same user or organisation is suppressed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import combinations
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from vigie.analytics import overlap
from vigie.analytics.disclosure import (
    MARGIN,
    Cell,
    Coords,
    Release,
    ReleasedCell,
    Table,
    default_policy,
    suppress,
)
from vigie.core.errors import Conflict

if TYPE_CHECKING:
    from vigie.core.models import User

MAX_VALUES_PER_RECORD = 4  # the snapshot keeps at most 4 forms / means per record
DP = "laplace"
CELLKEY = "cellkey"  # a suppression-mode query, recorded for the differencing guard
GUARD_DAYS = 90  # earlier queries compared with a new one
GUARD_MAX = 1000  # at most this many of them (the newest)
UNION_MAX = 64  # inclusion-exclusion over at most this many alike queries (the newest)
# records hold several values of these: a union of value sets is no sum of disjoint parts
MULTI_VALUED = frozenset({"form", "means"})


class BudgetExceeded(Conflict):
    """The release would spend more privacy budget than is left, or more than one query may."""

    default_code = "privacy_budget_exceeded"


def budget_total() -> float:
    return float(getattr(settings, "VIGIE_DP_BUDGET", 10.0))


def budget_user() -> float:
    return float(getattr(settings, "VIGIE_DP_BUDGET_USER", 2.0))


def budget_organisation() -> float:
    return float(getattr(settings, "VIGIE_DP_BUDGET_ORGANISATION", 5.0))


def max_epsilon() -> float:
    """The most one release may spend."""
    return float(getattr(settings, "VIGIE_DP_MAX_EPSILON", 1.0))


def budget_spent(user: User | None = None, organisation_id: int | None = None) -> float:
    """Epsilon spent by every release, or by ``user``'s, or by ``organisation_id``'s."""
    from vigie.analytics.models import PrivacyLedgerEntry

    qs = PrivacyLedgerEntry.objects.filter(mechanism=DP)
    if user is not None:
        qs = qs.filter(user=user)
    if organisation_id is not None:
        qs = qs.filter(organisation_id=organisation_id)
    return float(qs.aggregate(s=Sum("epsilon"))["s"] or 0.0)


def _check_budgets(epsilon: float, user: User | None, organisation_id: int | None) -> None:
    if epsilon > max_epsilon() + 1e-9:
        raise BudgetExceeded(
            _(
                "epsilon %(epsilon)s is over the cap of one release (%(limit)s, setting "
                "VIGIE_DP_MAX_EPSILON)"
            )
            % {"epsilon": f"{epsilon:g}", "limit": f"{max_epsilon():g}"},
            detail={"epsilon": epsilon, "limit": max_epsilon(), "scope": "query"},
        )
    scopes = {
        "installation": _("privacy budget of the installation exhausted"),
        "organisation": _("privacy budget of the organisation exhausted"),
        "user": _("privacy budget of the user exhausted"),
    }
    checks = [("installation", budget_spent(), budget_total())]
    if organisation_id is not None:
        checks.append(
            ("organisation", budget_spent(organisation_id=organisation_id), budget_organisation())
        )
    if getattr(user, "pk", None):
        checks.append(("user", budget_spent(user=user), budget_user()))
    for scope, spent, total in checks:
        if spent + epsilon > total + 1e-9:
            raise BudgetExceeded(
                _("%(what)s: %(spent)s of %(limit)s spent; this release needs %(epsilon)s")
                % {
                    "what": scopes[scope],
                    "spent": f"{spent:.3g}",
                    "limit": f"{total:.3g}",
                    "epsilon": f"{epsilon:.3g}",
                },
                detail={"scope": scope, "spent": spent, "limit": total, "epsilon": epsilon},
            )


def sensitivity(table: Table) -> int:
    """L1 sensitivity of ``table`` with every margin, for one person."""
    dims = table.dims
    total = 0
    for size in range(len(dims) + 1):
        for grouped in combinations(dims, size):
            factor = 1
            for d in grouped:
                if d in table.multi:
                    factor *= MAX_VALUES_PER_RECORD
            total += factor
    return total


def _measurement(scale: float) -> Any:
    import opendp.prelude as dp

    dp.enable_features("contrib")
    space = dp.vector_domain(dp.atom_domain(T=int)), dp.l1_distance(T=int)
    return dp.m.make_laplace(*space, scale=scale)


def release_dp(
    table: Table,
    epsilon: float,
    *,
    user: User | None = None,
    organisation_id: int | None = None,
    label: str = "",
    query: dict[str, Any] | None = None,
) -> Release:
    """Release ``table`` under ``epsilon``-DP and record the spend in the ledger."""
    from vigie.analytics.models import PrivacyLedgerEntry

    if not 0 < epsilon <= 10:
        raise ValueError(f"epsilon must be in (0, 10], not {epsilon}")
    table.complete()
    sens = sensitivity(table)
    scale = sens / epsilon
    meas = _measurement(scale)
    spent_eps = float(meas.map(sens))
    if spent_eps > epsilon * (1 + 1e-9):  # OpenDP's own accounting must agree with ours
        raise RuntimeError(f"OpenDP privacy map {spent_eps} exceeds requested {epsilon}")
    coords = sorted(table.cells, key=lambda c: tuple("" if v is MARGIN else str(v) for v in c))
    with transaction.atomic():
        if connection.vendor == "postgresql":  # concurrent releases check budgets one by one
            with connection.cursor() as cursor:
                table_name = PrivacyLedgerEntry._meta.db_table
                cursor.execute(f'LOCK TABLE "{table_name}" IN SHARE ROW EXCLUSIVE MODE')
        _check_budgets(epsilon, user, organisation_id)
        PrivacyLedgerEntry.objects.create(
            user=user if getattr(user, "pk", None) else None,
            organisation_id=organisation_id,
            label=label[:200],
            query=query or {},
            mechanism=DP,
            epsilon=epsilon,
            sensitivity=sens,
            scale=scale,
            cells=len(coords),
        )
    noisy = meas([table.cells[c].n for c in coords])
    counts = {c: max(0, int(v)) for c, v in zip(coords, noisy, strict=False)}
    # small-cell rules on the noisy counts (post-processing: no privacy cost, no true count)
    k = default_policy().k
    hidden = suppress(Table(table.dims, {c: Cell(n) for c, n in counts.items()}, table.multi), k)
    cells = {c: ReleasedCell(c, None if c in hidden else n) for c, n in counts.items()}
    notes = [
        f"differentially private (Laplace, epsilon={epsilon:g}, scale={scale:.3g}); "
        f"negative noisy counts shown as 0; noisy counts below {k} and their complements "
        "suppressed"
    ]
    return Release(table.dims, cells, "dp", k, notes, epsilon=epsilon)


# --- averaged differencing -----------------------------------------------------------------


def _years(values: Sequence[str]) -> frozenset[str]:
    out: set[str] = set()
    for v in values:
        first, _sep, last = str(v).partition("-")
        if first.isdigit() and (not last or last.isdigit()):
            out.update(str(y) for y in range(int(first), int(last or first) + 1))
        else:
            out.add(str(v))
    return frozenset(out)


def _values(filters: Mapping[str, Sequence[str]]) -> dict[str, frozenset[str]]:
    return {
        d: _years(v) if d == "period" else frozenset(str(x) for x in v) for d, v in filters.items()
    }


def nested(inner: Mapping[str, Sequence[str]], outer: Mapping[str, Sequence[str]]) -> bool:
    """Every record ``inner`` selects is selected by ``outer`` (an absent filter selects
    all; a multi-valued dimension's filter selects records holding any of its values)."""
    a, b = _values(inner), _values(outer)
    return all(d in a and a[d] <= values for d, values in b.items())


def differencing_guard(
    user: User | None,
    organisation_id: int | None,
    query: dict[str, Any],
    table: Table,
    true_table: Callable[[dict[str, tuple[str, ...]]], Table],
    source: Source | None = None,
    context: Context | None = None,
) -> set[Coords]:
    """Cells of ``table`` to suppress, then record this query. With a ``source`` (tables
    of the snapshot's rows: typologies, flows): the cells whose records differ by 1..k-1 from
    those of a cell an earlier query of the same user or organisation published, whatever its
    dimensions and wording (vigie.analytics.overlap). Without (route legs, transit): the cells
    that differ by 1..k-1 from the same cell of an earlier query of the same table and
    dimensions whose filters are nested with this one's (``true_table(filters)``: the true
    table of the same query with other filters). Either way the first query of a pair is
    published; the second has the cells that would complete the difference suppressed (and
    their complements), however many pairs are asked. ``context``: one request's ledger
    history and released cells, read once for all its tables (a dashboard's 14 panels)."""
    from vigie.analytics.models import PrivacyLedgerEntry

    k = default_policy().k
    filters = {d: tuple(v) for d, v in (query.get("filters") or {}).items()}
    uid = getattr(user, "pk", None)
    context = context or Context()
    if context.history is None:
        context.history = history(user, organisation_id)
    earlier = context.history
    same = (query.get("table"), list(query.get("by") or []))
    force: set[Coords] = set()
    seen = False
    alike: list[dict[str, Any]] = []  # earlier queries of the same table and dimensions
    for other in earlier:
        if (other.get("table"), list(other.get("by") or [])) != same:
            continue
        alike.append(other)
        others = {d: tuple(v) for d, v in (other.get("filters") or {}).items()}
        if _values(others) == _values(filters):
            seen = True
            continue
        if source is not None:  # compared below by the records of the cells
            continue
        if not (nested(filters, others) or nested(others, filters)):
            continue
        compared = true_table(others)
        for coords, cell in table.cells.items():
            before = compared.cells.get(coords)
            if 0 < abs(cell.n - (before.n if before else 0)) < k:
                force.add(coords)
    fkey = overlap.key(filters)
    if source is not None:
        released = source.released_before(earlier, k)
        force |= released.close_cells(table, fkey)
    force |= _isolated_by_unions(filters, alike, table, true_table, k, source)
    if not seen:
        recorded = {**query, "suppressed": [list(c) for c in sorted(force, key=str)]}
        PrivacyLedgerEntry.objects.create(
            user=user if uid else None,
            organisation_id=organisation_id,
            label=f"query by {','.join(query.get('by') or []) or 'total'}"[:200],
            query=recorded,
            mechanism=CELLKEY,
            epsilon=0.0,
            sensitivity=0,
            scale=0.0,
            cells=len(table.cells),
        )
        earlier.insert(0, recorded)
        del earlier[GUARD_MAX:]
    if source is not None:
        released.add(fkey, table.dims, ((c, cell.n) for c, cell in table.cells.items()), force)
    return force


def history(user: User | None, organisation_id: int | None) -> list[dict[str, Any]]:
    """The earlier suppression-mode queries the guard compares with, newest first: of the
    same user (or, for the system, the same organisation) and of the same organisation,
    within ``GUARD_DAYS``, at most ``GUARD_MAX``."""
    from vigie.analytics.models import PrivacyLedgerEntry

    uid = getattr(user, "pk", None)
    who = Q(user_id=uid) if uid else Q(user__isnull=True, organisation_id=organisation_id)
    if organisation_id is not None:
        who |= Q(organisation_id=organisation_id)
    since = timezone.now() - timedelta(days=GUARD_DAYS)
    return list(
        PrivacyLedgerEntry.objects.filter(who, mechanism=CELLKEY, created_at__gte=since)
        .order_by("-pk")
        .values_list("query", flat=True)[:GUARD_MAX]
    )


@dataclass
class Source:
    """What the record-level guard needs of the engine, for one scope (rows, organisations,
    unit): the scope's rows (overlap.Units), from which the earlier queries' tables are
    counted too. It keeps the released cells from one table to the next of the same
    request."""

    table: str  # "victims" or "perpetrators"
    unit: str
    units: overlap.Units
    released: overlap.Released | None = None

    def released_before(self, earlier: list[dict[str, Any]], k: int) -> overlap.Released:
        """The cells that the ``earlier`` queries of these rows and unit published (built
        once per request, then kept up to date by ``differencing_guard``)."""
        if self.released is None:
            self.released = overlap.Released(self.units, k)
            for other in reversed(earlier):  # oldest first, as they were released
                if other.get("table") != self.table or other.get("unit", "records") != self.unit:
                    continue
                by = tuple(other.get("by") or [])
                others = {d: tuple(v) for d, v in (other.get("filters") or {}).items()}
                fkey = overlap.key(others)
                hidden = {tuple(c) for c in other.get("suppressed") or []}
                cells = self.units.published(fkey, by, k)
                self.released.add(fkey, by, cells, hidden)
        return self.released


@dataclass
class Context:
    """One request's ledger history and record-level sources, shared by its tables."""

    history: list[dict[str, Any]] | None = None
    sources: dict[tuple[Any, ...], Source] = field(default_factory=dict)


# Overlapping queries that are not nested: A, B and A u B give A n B (inclusion-exclusion).


def _atoms(sets: Sequence[frozenset[str]]) -> list[frozenset[str]]:
    """The Venn regions of ``sets`` (values grouped by which sets hold them)."""
    regions: dict[tuple[bool, ...], set[str]] = {}
    for value in sorted(frozenset().union(*sets)):
        regions.setdefault(tuple(value in s for s in sets), set()).add(value)
    return [frozenset(r) for r in regions.values()]


_PRIME = 2**61 - 1  # ranks of 0/1 matrices over GF(p): exact while minors stay below p


def _rank(rows: list[list[int]]) -> int:
    """Rank of a 0/1 matrix, by elimination modulo a large prime (a 0/1 matrix of up to 25
    rows has minors below 25^12.5 < p, so its rank over GF(p) is its rank over the rationals;
    integers, much faster than fractions)."""
    m = [[v % _PRIME for v in row] for row in rows]
    rank, cols = 0, len(m[0]) if m else 0
    for col in range(cols):
        pivot = next((r for r in range(rank, len(m)) if m[r][col]), None)
        if pivot is None:
            continue
        m[rank], m[pivot] = m[pivot], m[rank]
        inv = pow(m[rank][col], _PRIME - 2, _PRIME)
        for r in range(len(m)):
            if r != rank and m[r][col]:
                f = m[r][col] * inv % _PRIME
                m[r] = [(a - f * b) % _PRIME for a, b in zip(m[r], m[rank], strict=True)]
        rank += 1
    return rank


def derivable(
    sets: Sequence[frozenset[str]], among: Sequence[frozenset[str]]
) -> set[frozenset[str]]:
    """The regions of ``among`` (values sets) whose count follows from the counts of ``sets``
    by adding and subtracting them: those whose indicator lies in the span of the sets'."""
    if not sets:
        return set()
    atoms = _atoms(among)
    rows = [[int(a <= s) for a in atoms] for s in sets]
    base = _rank(rows)
    out = set()
    for i, atom in enumerate(atoms):
        unit = [int(j == i) for j in range(len(atoms))]
        if _rank([*rows, unit]) == base:
            out.add(atom)
    return out


def _isolated_by_unions(
    filters: dict[str, tuple[str, ...]],
    alike: list[dict[str, Any]],
    table: Table,
    true_table: Callable[[dict[str, tuple[str, ...]]], Table],
    k: int,
    source: Source | None = None,
) -> set[Coords]:
    """Cells of ``table`` to suppress because, with earlier queries that differ from this
    one in the values of one single-valued dimension only, its counts would give by
    inclusion-exclusion the count of a group of values of 1..k-1 records (``{X,Y}``,
    ``{Y,Z}``, ``{X,Y,Z}`` give ``Y``) that the earlier queries did not give already. An
    earlier query's cells suppressed then (recorded in the ledger) count as unknown. With
    the record-level ``source``, values no record of the scope holds are left out (a code
    that matches nothing does not make two queries different) and regions are counted from
    its rows, not by the engine; the newest ``UNION_MAX`` alike queries are compared."""
    domain = source.units.domain() if source is not None else None

    def part(region_filters: dict[str, tuple[str, ...]], coords: Coords) -> int:
        if source is not None:
            return source.units.count(overlap.key(region_filters), table.dims, coords)
        cell = true_table(region_filters).cells.get(coords)
        return cell.n if cell is not None else 0

    def values(f: Mapping[str, Sequence[str]]) -> dict[str, frozenset[str]]:
        out = _values(f)
        if domain is None:
            return out
        return {d: v & domain.get("year" if d == "period" else d, v) for d, v in out.items()}

    mine = values(filters)
    by_dim: dict[str, list[tuple[frozenset[str], set[str]]]] = {}
    for other in alike[:UNION_MAX]:
        theirs = values({d: tuple(v) for d, v in (other.get("filters") or {}).items()})
        if set(theirs) != set(mine):
            continue
        apart = [d for d in mine if mine[d] != theirs[d]]
        if len(apart) != 1 or apart[0] in MULTI_VALUED:
            continue
        hidden = {str(c) for c in other.get("suppressed") or []}
        by_dim.setdefault(apart[0], []).append((theirs[apart[0]], hidden))
    force: set[Coords] = set()
    for dim, earlier in by_dim.items():
        sets = [values for values, _hidden in earlier]
        among = [*sets, mine[dim]]
        spans: dict[tuple[int, ...], set[frozenset[str]]] = {}  # cells with the same knowns
        for coords in table.cells:
            at = str(list(coords))
            key = tuple(i for i, (_v, hidden) in enumerate(earlier) if at not in hidden)
            if key not in spans:
                known = [earlier[i][0] for i in key]
                spans[key] = derivable([*known, mine[dim]], among) - derivable(known, among)
            new = spans[key]
            for region in new - {mine[dim]}:
                if 0 < part({**filters, dim: tuple(sorted(region))}, coords) < k:
                    force.add(coords)
                    break
    return force
