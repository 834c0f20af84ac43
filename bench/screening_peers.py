"""The peers the screening quality benchmark measures Vigie against, run from their libraries.

- ``NaiveScan``: rapidfuzz token-sort ratio of the romanised, lower-cased query against every
  listed name (no blocking), best name per entity.
- ``Nomenklatura``: OpenSanctions' matchers (``logic-v1``, ``logic-v2``, ``name-based``, the
  one yente uses by default being ``logic-v2``), on the same lists converted to
  FollowTheMoney entities. Candidates are retrieved yente-style, by a fuzzy full-text-like
  search (rapidfuzz WRatio over every romanised name, the best ``RETRIEVE`` entities), then
  scored by the algorithm. nomenklatura pins versions that clash with Vigie's (duckdb, mypy),
  so it lives in its own environment, ``.venv-peers`` (``make bench-peers-env``), and runs as
  a child process of the benchmark: ``python bench/screening_peers.py IN.json OUT.json``.
  Never part of the product.

This file imports nothing from Vigie, so that it runs in either environment.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process
from rigour.text import ascii_text

RETRIEVE = 20


def normalise(text: str) -> str:
    return " ".join(ascii_text(text).replace("?", " ").split()).lower()


class NaiveScan:
    def __init__(self, recs: list[dict[str, Any]]) -> None:
        self.choices: list[str] = []
        self.keys: list[str] = []
        for r in recs:
            for n in r["data"]["names"]:
                self.choices.append(normalise(n["name"]))
                self.keys.append(f"{r['watchlist']}:{r['reference']}")

    def scores(self, query: str, cutoff: float = 0.5) -> dict[str, float]:
        """Best score per entity among the names at or above ``cutoff``."""
        found = process.extract(
            normalise(query),
            self.choices,
            scorer=fuzz.token_sort_ratio,
            score_cutoff=cutoff * 100,
            limit=50,
        )
        out: dict[str, float] = {}
        for _choice, score, i in found:
            key = self.keys[i]
            out[key] = max(out.get(key, 0.0), score / 100)
        return out


@dataclass
class _Entity:
    key: str
    proxy: Any


class Nomenklatura:
    """nomenklatura's algorithms over FollowTheMoney entities built from our parsed lists."""

    def __init__(self, recs: list[dict[str, Any]], algorithms: tuple[str, ...]) -> None:
        from followthemoney import model
        from nomenklatura.matching import get_algorithm
        from nomenklatura.matching.types import ScoringConfig

        self.model = model
        self.config = ScoringConfig.defaults()
        self.algorithms = {a: get_algorithm(a) for a in algorithms}
        self.asked = 0
        self.entities: list[_Entity] = []
        self.choices: list[str] = []
        self.owner: list[int] = []
        for r in recs:
            data = r["data"]
            schema = r["schema"] if r["schema"] in ("Person", "Organization") else "LegalEntity"
            proxy = model.make_entity(schema)
            proxy.id = f"{r['watchlist']}-{r['reference']}"
            for n in data["names"]:
                prop = "weakAlias" if n.get("kind") == "weak" else "name"
                if n.get("kind") not in ("primary", "original_script") and prop == "name":
                    prop = "alias"
                proxy.add(prop, n["name"], quiet=True)
            if schema == "Person":
                for d in data.get("birth_dates", []):
                    proxy.add("birthDate", d[:10], quiet=True)
            pos = len(self.entities)
            self.entities.append(_Entity(f"{r['watchlist']}:{r['reference']}", proxy))
            for n in data["names"]:
                self.choices.append(normalise(n["name"]))
                self.owner.append(pos)

    def retrieve(self, query: str) -> list[int]:
        found = process.extract(
            normalise(query), self.choices, scorer=fuzz.WRatio, limit=RETRIEVE * 3
        )
        seen: list[int] = []
        for _c, _s, i in found:
            pos = self.owner[i]
            if pos not in seen:
                seen.append(pos)
            if len(seen) >= RETRIEVE:
                break
        return seen

    def scores(self, query: str, schema: str | None) -> dict[str, dict[str, float]]:
        """Per algorithm, the score of every retrieved entity."""
        q = self.model.make_entity(schema or "LegalEntity")
        # a new id per query: nomenklatura caches analysed names by entity id
        self.asked += 1
        q.id = f"query-{self.asked}"
        q.add("name", query)
        candidates = self.retrieve(query)
        out: dict[str, dict[str, float]] = {a: {} for a in self.algorithms}
        for pos in candidates:
            entity = self.entities[pos]
            if not entity.proxy.schema.can_match(q.schema) and not q.schema.can_match(
                entity.proxy.schema
            ):
                continue
            for name, algo in self.algorithms.items():
                result = algo.compare(q, entity.proxy, self.config)
                out[name][entity.key] = float(result.score)
        return out


def main() -> None:
    """Child process: score the queries of IN with nomenklatura's algorithms, write OUT."""
    if len(sys.argv) != 3:  # `make bench` runs every file: this one only as a child
        print(json.dumps({"bench": "screening_peers", "note": "run by screening_quality.py"}))
        return
    source, target = sys.argv[1], sys.argv[2]
    with open(source, encoding="utf-8") as fh:
        job = json.load(fh)
    nk = Nomenklatura(job["records"], tuple(job["algorithms"]))
    started = time.perf_counter()
    scores = [nk.scores(q["query"], q["schema"]) for q in job["queries"]]
    elapsed = time.perf_counter() - started
    with open(target, "w", encoding="utf-8") as fh:
        json.dump({"scores": scores, "seconds": elapsed}, fh)


if __name__ == "__main__":
    main()
