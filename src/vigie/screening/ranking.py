"""How many listed entries a screening returns, so that a name many listed people share does
not hide some of them behind the cut of a result page (ADR 0524).

A search, a batch row, a re-screening and the API all go through ``ScreeningIndex.screen``,
which applies these two rules; the candidates and results of a name therefore never depend
on how it was submitted.

- **Crowded names are looked at more widely.** The engine fully compares the ``CANDIDATES``
  best-ranked listed names per searched form. When ``CROWDED`` entries or more already reach
  the default threshold by their name alone ("Abdur Rahman", "Muhammad Qasim": dozens of
  listed people bear them or a spelling of them), the candidates were chosen among many
  equally plausible names, and the one the officer needs may be the 21st: the comparison is
  run again over ``WIDE`` candidates. The test is on the default threshold, not the one asked,
  so a search at a lower threshold widens exactly when one at the default does (the same
  entries at or above the default, whatever threshold was asked).
- **The cut never splits equal scores.** ``limit`` results are kept, and every further one
  whose (displayed, four-decimal) score equals the last one kept: which of two equally
  scored listed people is shown must not depend on their reference numbers.

And which keys of a searched part choose its candidates (``finding_more``, ADR 0545): a
typing-error key that finds no listed name the part's other keys do not already find takes
no place among the part's keys.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol, TypeVar

# entries reaching the default threshold by name that make a name crowded (ADR 0527: 3, was
# 5; a name three listed people bear in some spelling may be a fourth's, past the 20th
# candidate)
CROWDED = 3
WIDE = 80  # candidates compared per searched form for a crowded name (engine.POOL)


class Scored(Protocol):
    @property
    def score(self) -> float: ...


R = TypeVar("R", bound=Scored)


def crowded(name_scores: Iterable[float], threshold: float) -> bool:
    """True when at least ``CROWDED`` entries' name scores reach ``threshold``."""
    n = 0
    for score in name_scores:
        if score >= threshold:
            n += 1
            if n >= CROWDED:
                return True
    return False


def cut(results: Sequence[R], limit: int) -> list[R]:
    """The first ``limit`` of ``results`` (best first), and every further result tied with
    the last of them at four decimals (the precision shown and exported)."""
    if len(results) <= limit:
        return list(results)
    if limit <= 0:
        return []
    last = round(results[limit - 1].score, 4)
    end = limit
    while end < len(results) and round(results[end].score, 4) == last:
        end += 1
    return list(results[:end])


def finding_more(
    keys: list[tuple[int, str]], cap: float, limit: int, postings: Mapping[str, Sequence[int]]
) -> list[tuple[int, str]]:
    """One searched part's (frequency, key) pairs found in the index (``keys``), without the
    typing-error keys (``d:``) that find only listed names its other chosen keys (the
    ``limit`` rarest under ``cap``, as ``names.rarest`` chooses them) already find (ADR 0545).

    ``names.rarest`` gives the typing-error keys the places the other keys leave, rarest
    first; the rarest are often the deletions of the searched spelling that only the listed
    name spelled exactly so bears ("Kelvhar": ``d:elvhar``, ``d:kelhar`` ... on the one
    listed Kelvhar, already found by ``t:kelvhar``), and they took the places of the one
    that finds the listed name a letter away (``d:kelvar``, on Kelvhar and Kelvar). A key
    that adds no listed name adds nothing to the part's candidates: it is left out."""
    if not any(key.startswith("d:") for _df, key in keys):
        return keys
    chosen = sorted(k for k in keys if k[0] <= cap and not k[1].startswith("d:"))[:limit]
    if len(chosen) >= limit:
        return keys  # the typing-error keys get no place anyway
    found: set[int] = set()
    for _df, key in chosen:
        found.update(postings[key])
    return [k for k in keys if not k[1].startswith("d:") or not found.issuperset(postings[k[1]])]
