"""Differentially private releases of count tables (OpenDP), recorded in the budget ledger.

The privacy unit is one person (a victim recorded individually, or one person counted in an
incident's disaggregated counts). Adding or removing a person changes, in every grouping set of
the table, at most ``MAX_VALUES_PER_RECORD`` cells of a multi-valued dimension (forms, means) and
one cell otherwise, by 1. The L1 sensitivity of the whole table with its margins is therefore the
sum over grouping sets of the product of those bounds. OpenDP's (discrete) Laplace mechanism on
the vector of counts, calibrated with its own privacy map, gives epsilon-DP; rounding and
clamping negative counts to 0 afterwards are post-processing. Every release is written to the
ledger *before* its values are returned; a release that would exceed the installation's budget
(``VIGIE_DP_BUDGET``, total epsilon) is refused.
"""

from __future__ import annotations

from itertools import combinations
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Sum

from vigie.analytics.disclosure import MARGIN, Release, ReleasedCell, Table

MAX_VALUES_PER_RECORD = 4  # the snapshot keeps at most 4 forms / means per record


class BudgetExceeded(Exception):
    """The release would spend more privacy budget than is left."""


def budget_total() -> float:
    return float(getattr(settings, "VIGIE_DP_BUDGET", 10.0))


def budget_spent() -> float:
    from vigie.analytics.models import PrivacyLedgerEntry

    return float(PrivacyLedgerEntry.objects.aggregate(s=Sum("epsilon"))["s"] or 0.0)


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
    user: Any = None,
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
        spent = budget_spent()
        if spent + epsilon > budget_total() + 1e-9:
            raise BudgetExceeded(
                f"privacy budget exhausted: {spent:.3g} of {budget_total():.3g} spent; "
                f"this release needs {epsilon:.3g}"
            )
        PrivacyLedgerEntry.objects.create(
            user=user if getattr(user, "pk", None) else None,
            organisation_id=organisation_id,
            label=label[:200],
            query=query or {},
            mechanism="laplace",
            epsilon=epsilon,
            sensitivity=sens,
            scale=scale,
            cells=len(coords),
        )
    noisy = meas([table.cells[c].n for c in coords])
    cells = {c: ReleasedCell(c, max(0, int(v))) for c, v in zip(coords, noisy, strict=False)}
    notes = [
        f"differentially private (Laplace, epsilon={epsilon:g}, scale={scale:.3g}); "
        "negative noisy counts shown as 0"
    ]
    return Release(table.dims, cells, "dp", 0, notes, epsilon=epsilon)
