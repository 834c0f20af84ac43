"""Threshold guidance for administrators: the precision/recall trade-off measured on the
evaluation set and the threshold recommended for each use of screening.

The data file (``data/threshold_guidance.yaml``) is written by the quality benchmark
(``python bench/screening_quality.py --guidance src/vigie/screening/data/threshold_guidance.yaml``):
each use's threshold is chosen on the *dev* half of evaluation set v2 as the one with the
highest recall whose false-positive rates stay within the use's limits (``USES``); the
recall and false-positive rates shown are those measured on the held-out *test* half.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from django.utils.translation import gettext_lazy as _

FILE = Path(__file__).parent / "data" / "threshold_guidance.yaml"

# Per use: the false-positive rates it tolerates (random names, near-miss names).
USES: dict[str, tuple[float, float]] = {
    # Who may be a perpetrator: missing one is worst; officers review every hit.
    "perpetrator_check": (0.03, 0.20),
    # New suppliers: few names, each reviewed; the limits of issue 17.
    "supplier_onboarding": (0.01, 0.05),
    # Every payment: many names, an alert stops a payment; fewer false alarms.
    "payment_screening": (0.005, 0.02),
}
LABELS = {
    "perpetrator_check": _("Perpetrator check"),
    "supplier_onboarding": _("Supplier onboarding"),
    "payment_screening": _("Payment screening"),
}
WHY = {
    "perpetrator_check": _(
        "Missing a listed person is the worst outcome and every potential match is reviewed "
        "by an officer: a lower threshold finds more spellings at the cost of more alerts."
    ),
    "supplier_onboarding": _(
        "Each new supplier is reviewed once: high recall with few false alarms."
    ),
    "payment_screening": _(
        "Many names are screened and an alert holds a payment: a higher threshold keeps "
        "false alarms rare; spellings far from the listed names may be missed."
    ),
}


@dataclass
class Recommendation:
    use: str
    label: str
    why: str
    threshold: float
    recall: float
    fp_random: float
    fp_near_miss: float

    @property
    def recall_pct(self) -> float:
        return self.recall * 100

    @property
    def fp_random_pct(self) -> float:
        return self.fp_random * 100

    @property
    def fp_near_miss_pct(self) -> float:
        return self.fp_near_miss * 100


def write(
    path: Path, chosen: dict[str, dict[str, Any]], test_curve: list[dict[str, Any]], split: str
) -> None:
    """Store the chosen thresholds with the held-out figures at each."""
    at = {round(c["threshold"], 2): c for c in test_curve}
    uses = {}
    for use, pick in chosen.items():
        measured = at.get(round(pick["threshold"], 2), pick)
        uses[use] = {
            "threshold": round(pick["threshold"], 2),
            "recall": measured["recall"],
            "fp_random": measured["fp_random"],
            "fp_near_miss": measured["fp_near_miss"],
        }
    data = {
        "version": 1,
        "eval_set": "screening_eval_v2",
        "measured_on": split,
        "uses": uses,
        "curve": test_curve,
    }
    with path.open("w", encoding="utf-8") as fh:
        fh.write(
            "# Written by bench/screening_quality.py --guidance; see vigie/screening/guidance.py\n"
        )
        yaml.safe_dump(data, fh, sort_keys=False)


@lru_cache(maxsize=1)
def load() -> dict[str, Any]:
    if not FILE.exists():
        return {"uses": {}, "curve": []}
    with FILE.open(encoding="utf-8") as fh:
        return dict(yaml.safe_load(fh))


def recommendations() -> list[Recommendation]:
    uses = load().get("uses", {})
    return [
        Recommendation(
            use=use,
            label=str(LABELS[use]),
            why=str(WHY[use]),
            threshold=float(v["threshold"]),
            recall=float(v["recall"]),
            fp_random=float(v["fp_random"]),
            fp_near_miss=float(v["fp_near_miss"]),
        )
        for use, v in uses.items()
        if use in LABELS
    ]


def curve(step: int = 5) -> list[dict[str, float]]:
    """The measured curve every ``step`` hundredths, with percentages for display."""
    out = []
    for c in load().get("curve", [])[::step]:
        row = dict(c)
        for k in ("recall", "fp_random", "fp_near_miss"):
            row[f"{k}_pct"] = float(c[k]) * 100
        out.append(row)
    return out


def context() -> dict[str, Any]:
    """What the lists page shows administrators."""
    from vigie.screening.engine import THRESHOLD

    return {"recommendations": recommendations(), "curve": curve(), "default_threshold": THRESHOLD}
