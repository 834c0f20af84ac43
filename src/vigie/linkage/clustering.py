"""Records into persons: the strongest links first, reviewers' decisions always obeyed, and
each person keeping its code across reruns (pure functions, tested with hypothesis)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping
from typing import TypeVar

K = TypeVar("K", bound=Hashable)


def cluster(
    nodes: Iterable[K],
    edges: Iterable[tuple[K, K, float]],
    must: Iterable[tuple[K, K]] = (),
    cannot: Iterable[tuple[K, K]] = (),
) -> list[set[K]]:
    """Connected groups: reviewers' "same person" first, then links by falling score; a
    link that would put two records a reviewer called different in one group is skipped
    (so a chain A-B-C never joins A and C against a reviewer's word)."""
    parent: dict[K, K] = {n: n for n in nodes}
    members: dict[K, set[K]] = {n: {n} for n in parent}
    apart: dict[K, set[K]] = {}
    for a, b in cannot:
        apart.setdefault(a, set()).add(b)
        apart.setdefault(b, set()).add(a)

    def root(n: K) -> K:
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    def join(a: K, b: K) -> None:
        ra, rb = root(a), root(b)
        if ra == rb:
            return
        small, big = (ra, rb) if len(members[ra]) < len(members[rb]) else (rb, ra)
        if any(apart.get(x, set()) & members[big] for x in members[small]):
            return
        parent[small] = big
        members[big] |= members.pop(small)

    ordered = [(a, b, 2.0) for a, b in must] + sorted(edges, key=lambda e: -e[2])
    for a, b, _ in ordered:
        if a in parent and b in parent:
            join(a, b)
    return [members[n] for n in parent if parent[n] == n]


def stable_codes(
    groups: list[set[K]], previous: Mapping[K, int]
) -> list[tuple[set[K], int | None]]:
    """Each group with the person it continues (the previous person most of its records
    belonged to, a larger group choosing first) or None for a new person."""
    taken: set[int] = set()
    out: list[tuple[set[K], int | None]] = []
    for group in sorted(groups, key=lambda g: (-len(g), min(str(x) for x in g))):
        votes = Counter(previous[x] for x in group if x in previous)
        choice = None
        for person, _ in sorted(votes.items(), key=lambda kv: (-kv[1], kv[0])):
            if person not in taken:
                choice = person
                taken.add(person)
                break
        out.append((group, choice))
    return out
