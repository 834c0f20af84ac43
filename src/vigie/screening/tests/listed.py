"""Listed entries for the screening tests' small indexes (``engine.build``)."""

from __future__ import annotations

from typing import Any


def one_name(ref: str, name: str, schema: str = "Person") -> dict[str, Any]:
    """A listed entry with one good primary name and nothing else."""
    return {
        "id": None,
        "watchlist": "t",
        "reference": ref,
        "schema": schema,
        "caption": name,
        "data": {"names": [{"name": name, "kind": "primary", "quality": "good"}]},
    }
