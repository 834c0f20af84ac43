"""The screening engine: a candidate index over every name of every listed entry, and the
scoring that ranks and explains the entries a query may be.

Blocking: each listed name is filed under its parts' spellings, metaphone codes and the
cross-script symbols rigour gives them. A query looks up its own keys, weighs shared keys by
rarity (inverse document frequency) and fully scores only the best ``CANDIDATES`` names,
instead of every name on the lists. Built once per set of list versions in force, kept in
memory and on disk (``index_cache``: a new process reads it instead of analysing every name).
"""

from __future__ import annotations

import functools
import math
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz, process
from rigour.names import Name

from vigie.screening import bounds, names, plain, ranking
from vigie.screening import corroboration as evidence  # secondary details adjust a name score
from vigie.screening.index_records import (
    Analysis,
    IndexedEntry,
    IndexedName,
    Query,
    Result,
)
from vigie.screening.names import NameMatch

THRESHOLD = 0.70  # default: a result at or above it is a potential match (ADR 0511)
CANDIDATES = 20  # names fully scored per query form ...
PER_ENTRY = 3  # ... at most this many of one entry
POOL = 80  # names ranked by shared rare keys, then re-ranked by spelling (ADR 0520)
MAX_KEYS_PER_PART = 6
MAX_DF = 0.02  # keys on more than this share of names only count if nothing rarer exists
MIN_CAP = 200  # ... but a key on fewer names than this is never "common"
PREFILTER = 50  # rapidfuzz token-set ratio below which two Latin-script names are not aligned
LOW_QUALITY = 0.95  # UN "Low" aliases and OFAC weak aliases count a little less
SCHEMA_MISMATCH = 0.85  # a person searched against an organisation, or the reverse
# Listed names whose name score provably cannot reach the threshold are not aligned (ADR
# 0531); False aligns every candidate, as before (the tests compare both).
PRUNE = True
MAX_PART_HITS = 5_000  # searched parts' lookups remembered per index (``_hits``)


# what a searched form finds before the cut (``ScreeningIndex._found``)
Found = tuple[dict[int, float], list[tuple[float, str]]]
_lexicon = names.Lexicon  # (the field "names" below hides the module in the class body)


@dataclass
class ScreeningIndex:
    entries: list[IndexedEntry] = field(default_factory=list)
    names: list[IndexedName] = field(default_factory=list)
    postings: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    signature: tuple[Any, ...] = ()
    built_in: float = 0.0
    # symbols of the listed names by the words they cover: searched names are tagged from it
    lexicon: _lexicon = field(default_factory=_lexicon)
    _among: tuple[frozenset[int], frozenset[str]] | None = field(
        default=None, repr=False, compare=False
    )
    _entries_of_names: tuple[list[IndexedName], list[int]] | None = field(
        default=None, repr=False, compare=False
    )
    _plains_of_names: tuple[list[IndexedName], list[str]] | None = field(
        default=None, repr=False, compare=False
    )
    # what a searched part's keys find (``_hits``)
    _part_hits: dict[tuple[int, tuple[tuple[int, str], ...]], dict[int, float]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def add(
        self,
        entry: IndexedEntry,
        entry_names: Iterable[dict[str, Any]],
        known: dict[tuple[str, str], list[Name]] | None = None,
    ) -> None:
        """File ``entry``'s names. ``known``: analysed forms by (name, schema), from an index
        built earlier (``build(reuse=...)``): a name is analysed the same way every time, so
        only the names a list update brought are given to rigour's tagger again."""
        pos = len(self.entries)
        self.entries.append(entry)
        for n in entry_names:
            forms = known.get((n["name"], entry.schema)) if known is not None else None
            if forms is None:
                forms = names.analyse(n["name"], entry.schema)
            for analysed in forms:
                self.lexicon.learn(analysed)
                self.names.append(
                    IndexedName(pos, n["name"], n.get("kind", ""), n.get("quality", ""), analysed)
                )
                name_id = len(self.names) - 1
                for key in names.blocking_keys(analysed):
                    self.postings[key].append(name_id)

    def candidates(self, query: Name, limit: int = CANDIDATES) -> list[int]:
        """The listed names sharing the rarest parts with ``query``: each query part counts
        once per listed name, by the inverse frequency of its rarest shared key. Parts whose
        keys are all common (Mohammed, Ali) only rank the names the rarer parts found, unless
        no part is rarer."""
        return self._cut(query, self._found(query), limit)

    def _found(self, query: Name) -> Found:
        """What ``candidates`` finds for ``query`` whatever the limit: the names the rarer
        parts found, by weight (in the order found), and the bonus of each common part left
        out with its key. A crowded name's wider pass (ADR 0524) reuses it (``_best_names``)."""
        n = max(len(self.names), 1)
        cap = max(MAX_DF * n, MIN_CAP)
        postings = self.postings
        by_part: dict[int, list[tuple[int, str]]] = defaultdict(list)
        # keys standing for several parts at once: a joined form ("abdulali") or a compound
        # name's symbol ("Muhammad Ali")
        spanning: set[str] = set()
        for key, parts in names.blocking_keys(query).items():
            posting = postings.get(key)
            if posting is not None:
                if len(parts) > 1:
                    spanning.add(key)
                for p in parts:
                    by_part[p].append((len(posting), key))
        if not by_part:
            return {}, []
        # A part is rare by a key of its own. One whose only rare keys span it and another
        # part ("Abd Ali" as "abdulali", "Muhammad Ali" as one name) is common: those keys
        # alone left out every listed Abd ... Ali, Mohamad Ali Haidar (ADR 0528). They still
        # find the names they are on. A particle, which has no key of its own (the "al" of
        # "Al Haramain"), is still found by its joined form.
        own = {p: [k for k in keys if k[1] not in spanning] for p, keys in by_part.items()}
        selected: dict[int, list[tuple[int, str]]] = {}
        joined: set[tuple[int, str]] = set()
        for p, keys in by_part.items():
            rare = _rarest(ranking.finding_more(keys, cap, MAX_KEYS_PER_PART, postings), cap)
            if rare and (not own[p] or any(key not in spanning for _df, key in rare)):
                selected[p] = rare
            else:
                joined.update(rare)
        if not selected:
            # Every part is common (Muhammad Ahmad): each counts by its rarest key, so the
            # names holding all of them come first.
            selected = {part: [min(own[part] or keys)] for part, keys in by_part.items()}
        part_hits = [self._hits(keys, n) for keys in selected.values()]
        if joined:
            part_hits.append(self._hits(sorted(joined), n))
        weights = dict(part_hits[0])
        for hits in part_hits[1:]:
            # the names both found get the sum, the others are added in ``hits``' order: as
            # ``{k: weights.get(k, 0.0) + v for k, v in hits.items()}`` would, with the Python
            # loop over the (fewer) names in both only (0.0 + v is v)
            summed = {k: weights[k] + hits[k] for k in weights.keys() & hits.keys()}
            weights.update(hits)
            weights.update(summed)
        common = []
        for p, keys in by_part.items():
            if p not in selected:
                df, key = min(own[p] or keys)
                common.append((math.log(1 + n / df), key))
        return weights, common

    def _hits(self, keys: list[tuple[int, str]], n: int) -> dict[int, float]:
        """The names a searched part's keys (``keys``, (frequency, key) pairs) find, each with
        the inverse frequency of the rarest of them. Remembered by keys: a batch meets the same
        part in many names. (The dictionary returned is only read.)"""
        known = self._part_hits
        found = known.get(cache_key := (n, tuple(keys)))
        if found is not None:
            return found
        postings = self.postings
        if len(keys) == 1:
            df, key = keys[0]
            found = dict.fromkeys(postings[key], math.log(1 + n / df))
        else:
            # Most frequent key first, so the rarest (highest idf) key of a part wins.
            found = {}
            for df, key in sorted(keys, reverse=True):
                found.update(dict.fromkeys(postings[key], math.log(1 + n / df)))
        if len(known) >= MAX_PART_HITS:
            known.clear()
        known[cache_key] = found
        return found

    def _cut(self, query: Name, found: Found, limit: int) -> list[int]:
        """``candidates`` from what ``_found`` found (left unchanged)."""
        weights, common = found
        if len(weights) > limit and common:
            # The common parts left out above still rank the names found by the rare ones
            # (Ali Kaddura: of the Kadduras, those also named Ali first); they add no name.
            weights = dict(weights)
            for bonus, key in common:
                # (a common key's posting is long: the names already found are picked from
                # it in C; a listed name is filed once per key, so each gets one bonus)
                for name_id in weights.keys() & self.postings[key]:
                    weights[name_id] += bonus
        if len(weights) <= limit:
            return sorted(weights, key=weights.__getitem__, reverse=True)
        # At most PER_ENTRY names of one entry: an entry listed with ten spellings of one
        # name (and the same person on another list) must not crowd the others out.
        # (``sorted(...)[:n]`` is what ``heapq.nlargest(n, ...)`` returns, ties included, by
        # Python's documentation; three times faster on the few hundred names found here)
        ranked = sorted(weights, key=weights.__getitem__, reverse=True)[: POOL * 4]
        entry_of = self._entry_of()
        first = ranked[:POOL]
        per_entry = Counter([entry_of[i] for i in first])
        if max(per_entry.values()) <= PER_ENTRY:
            pool = first  # no entry has too many of the first POOL: the loop below takes them
        else:
            pool = []
            taken: dict[int, int] = {}
            for name_id in ranked:
                entry = entry_of[name_id]
                seen = taken.get(entry, 0)
                if seen < PER_ENTRY:
                    taken[entry] = seen + 1
                    pool.append(name_id)
                    if len(pool) == POOL:
                        break
        if len(pool) <= limit:
            return pool
        # Shared keys rank coarsely (every "Muhammad A..." shares one metaphone, "Abdul Karim
        # X" ties with "Abdul Kareem Ayeras"): the pool is re-ranked by spelling too (ADR 0520).
        # every name of the pool by its shared keys (as a share of the best) plus its
        # spelling's likeness (rapidfuzz token-sort ratio, as a share of 100)
        plains = self._plains()
        likeness = process.extract(
            query.comparable,
            [plains[i] for i in pool],
            scorer=fuzz.token_sort_ratio,
            limit=None,
        )
        top = weights[pool[0]] or 1.0
        rank = {pool[i]: weights[pool[i]] / top + like / 100 for _text, like, i in likeness}
        # (``heapq.nlargest``'s documented equivalent, ties included, as for the pool above)
        return sorted(pool, key=rank.__getitem__, reverse=True)[:limit]

    def _entry_of(self) -> list[int]:
        """Each listed name's entry (``IndexedName.entry``), by name id, read in a list."""
        known = self._entries_of_names
        if known is None or known[0] is not self.names or len(known[1]) != len(self.names):
            known = self._entries_of_names = (self.names, [n.entry for n in self.names])
        return known[1]

    def _plains(self) -> list[str]:
        """Each listed name's comparable spelling (``IndexedName.plain``), by name id, read in
        a list (the re-ranking reads 80 of them per searched form)."""
        known = self._plains_of_names
        if known is None or known[0] is not self.names or len(known[1]) != len(self.names):
            known = self._plains_of_names = (self.names, [n.plain for n in self.names])
        return known[1]

    def _keys_of(self, among: frozenset[int] | set[int]) -> frozenset[str]:
        """The blocking keys of the names of the entries ``among`` (kept for the last set
        asked: a re-screening asks for the same set once per subject)."""
        last = self._among
        if last is not None and (last[0] is among or last[0] == among):
            return last[1]
        found = frozenset(
            k
            for listed in self.names
            if listed.entry in among
            for k in names.blocking_keys(listed.name)
        )
        self._among = (frozenset(among), found)
        return found

    def _best_names(
        self,
        forms: list[Name],
        width: int,
        among: frozenset[int] | set[int] | None,
        shared: frozenset[str] | None,
        reach: float,
        aligned: Aligned,
        found: dict[int, Found],
    ) -> dict[int, tuple[float, NameMatch, IndexedName]]:
        """Each entry's best name score over the ``width`` candidates of every searched form,
        with the match and the listed name that gave it. ``aligned`` keeps the alignments
        made, by (form, listed analysis: ``_align``), and ``found`` what each form found
        before the cut (``_found``), for a second, wider pass over the same forms."""
        best: dict[int, tuple[float, NameMatch, IndexedName]] = {}
        for f, form in enumerate(forms):
            if shared is not None and shared.isdisjoint(names.blocking_keys(form)):
                continue  # candidates come from shared keys: none can be among those entries
            ascii_query = form.comparable.isascii()
            searched = bounds.searched(form) if reach > 0 else None
            known = found.get(f)
            if known is None:
                known = found[f] = self._found(form)
            # The prefilter and the bound read only the listed name's analysis (its spelling,
            # parts and symbols): a name listed twice alike (UN and OFAC) is judged once.
            skipped: set[Analysis] = set()
            kept: set[Analysis] = set()
            for name_id in self._cut(form, known, width):
                listed = self.names[name_id]
                if among is not None and listed.entry not in among:
                    continue
                analysis = listed.analysis
                if analysis in skipped:
                    continue
                if analysis not in kept:
                    # (``plain`` is the listed name's comparable form, read without rebuilding
                    # it)
                    if (
                        ascii_query
                        and listed.plain.isascii()
                        and fuzz.token_set_ratio(form.comparable, listed.plain) < PREFILTER
                    ) or (
                        searched is not None
                        and listed.plain != form.comparable
                        and bounds.at_most(searched, listed.probe) < reach
                    ):
                        # plainly different spellings, not worth the full alignment, or a name
                        # score that cannot reach the threshold (bounds.py, ADR 0531)
                        skipped.add(analysis)
                        continue
                    kept.add(analysis)
                match = _align(aligned, f, form, listed)
                score = match.score
                if listed.quality == "low" or listed.kind == "weak":
                    score *= LOW_QUALITY
                current = best.get(listed.entry)
                # at an equal score, the entry is shown by its best-quality name (issue 16)
                if current is None or (score, _rank(listed)) > (current[0], _rank(current[2])):
                    best[listed.entry] = (score, match, listed)
        return best

    def screen(
        self,
        query: Query,
        threshold: float = THRESHOLD,
        limit: int = 10,
        among: frozenset[int] | set[int] | None = None,
        width: int = CANDIDATES,
    ) -> list[Result]:
        """Entries whose score reaches ``threshold``, best first, each explained. The one
        path for a single search, a batch row, a re-screening and the API: the candidates
        and scores of a name never depend on how it was submitted (ADR 0511).

        ``among``: positions of entries (in ``entries``) to report, the others skipped
        before their names are compared; a re-screening after a list update passes the
        entries the update brought. The candidates are still chosen over every listed name,
        so an entry reported is reported with the score a full search gives it (ADR 0530).

        ``width``: candidates compared per searched form; a crowded name is compared again
        over ``ranking.WIDE`` (ADR 0524), and so is a re-screening among some entries (the
        others are skipped before comparison, so it costs little): it then finds every
        entry a widened full search finds."""
        if among is not None:
            width = ranking.WIDE
        forms = names.analyse(query.name, query.schema, self.lexicon)
        shared = self._keys_of(among) if among is not None else None
        # The name score a listed name needs to be reported: secondary evidence adds at most
        # MAX_BONUS, and only if the query gives some; a document can make any name decisive.
        reach = 0.0  # (0: every candidate is aligned)
        if PRUNE and not query.document:
            bonus = evidence.MAX_BONUS if (query.birth_date or query.country) else 0.0
            reach = threshold - bonus - bounds.MARGIN
        aligned: Aligned = {}
        found: dict[int, Found] = {}
        best = self._best_names(forms, width, among, shared, reach, aligned, found)
        if width < ranking.WIDE and ranking.crowded(
            (b[0] for b in best.values()), max(threshold, THRESHOLD)
        ):
            # compared again more widely; the alignments already made are not made twice
            best = self._best_names(forms, ranking.WIDE, among, shared, reach, aligned, found)
        results: list[Result] = []
        for pos, (name_score, match, listed) in best.items():
            if name_score + evidence.MAX_BONUS < threshold and not query.document:
                continue  # no secondary evidence can lift it to the threshold
            entry = self.entries[pos]
            adj = evidence.compare(entry.evidence, query.birth_date, query.country, query.document)
            score = name_score
            if listed.kind == "primary":
                which = "the listed name"
            else:
                which = f"a {listed.quality or 'listed'}-quality {listed.kind.replace('_', ' ')}"
            reasons = [f"{which} {listed.text!r} matches the name screened at {name_score:.2f}"]
            mismatch = bool(
                query.schema and entry.schema != query.schema and entry.schema != "LegalEntity"
            )
            if mismatch:
                score *= SCHEMA_MISMATCH
                reasons.append(f"searched a {query.schema}, listed as {entry.schema}")
            score = max(0.0, min(1.0, score + adj.score))
            if adj.decisive:
                score = 1.0
            reasons += adj.reasons
            if score < threshold:
                continue
            alignment = match.explain()
            explanation = {
                "query_name": match.query,
                "matched_name": listed.text,
                "matched_name_kind": listed.kind,
                "matched_name_quality": listed.quality,
                "features": {
                    "name": round(name_score, 4),
                    **names.string_features(match.query, listed.text),
                    **adj.features,
                },
                "alignment": alignment,
                # codes without names, described in the reader's language (plain.describe)
                "plain": plain.codes(alignment, adj, listed.kind),
                "reasons": reasons,
                "decisive": adj.decisive,
                "schema_mismatch": mismatch,
            }
            results.append(Result(entry, score, explanation))
        results.sort(key=lambda r: (-r.score, r.entry.reference))
        return ranking.cut(results, limit)


# the alignments made in one screening, by (searched form, listed analysis) (``_align``)
Aligned = dict[tuple[int, Analysis], NameMatch]


def _align(aligned: Aligned, f: int, form: Name, listed: IndexedName) -> NameMatch:
    """``names.compare_names(form, listed.name)``, made once per searched form and listed
    analysis (``aligned``, kept for one screening): the score and alignments depend on
    nothing else, and the same name is often on several lists (UN and OFAC). A listed name
    analysed alike under another original gets the match with its own original (the
    alignments hold only the parts' forms, which the analysis fixes). Kept for one
    screening only: a cache across screenings keeps alignments alive that the garbage
    collector then walks again and again (ADR 0535)."""
    key = (f, listed.analysis)
    match = aligned.get(key)
    if match is None:
        match = aligned[key] = names.compare_names(form, listed.name)
    elif match.entry != listed.original:
        match = NameMatch(match.score, match.query, listed.original, match.alignments)
    return match


@functools.lru_cache(maxsize=100_000)
def _rarest_of(keys: tuple[tuple[int, str], ...], cap: float) -> list[tuple[int, str]]:
    return names.rarest(list(keys), cap, MAX_KEYS_PER_PART)


def _rarest(keys: list[tuple[int, str]], cap: float) -> list[tuple[int, str]]:
    """``names.rarest(keys, cap, MAX_KEYS_PER_PART)``, remembered: a pure function of a
    searched part's keys found in the index and their frequencies, which a batch meets again
    with every name sharing the part. (The result is only read.)"""
    return _rarest_of(tuple(keys), cap)


def _rank(name: IndexedName) -> int:
    """How well a listed name shows its entry: primary, then good aliases, then the rest."""
    if name.kind == "primary":
        return 3
    if name.quality in ("low", "weak") or name.kind in ("weak", "narrative"):
        return 1
    return 2


def build(
    records: Iterable[dict[str, Any]],
    signature: tuple[Any, ...] = (),
    reuse: ScreeningIndex | None = None,
) -> ScreeningIndex:
    """``records``: dicts with id, watchlist, reference, schema, caption, fingerprint, data.

    ``reuse``: an index built earlier (the lists before an update): names it analysed and
    entries it holds unchanged (same id and fingerprint) are taken from it instead of being
    analysed again. The result is the index a build from scratch gives (same order, same
    analyses: a name's analysis depends only on its text and schema); a test checks it."""
    started = time.perf_counter()
    index = ScreeningIndex(signature=signature)
    known: dict[tuple[str, str], list[Name]] | None = None
    kept: dict[tuple[int | None, str], evidence.EntryEvidence] = {}
    if reuse is not None:
        known = _analyses(reuse)
        kept = {(e.id, e.fingerprint): e.evidence for e in reuse.entries if e.id is not None}
    for r in records:
        data = r["data"]
        found = kept.get((r.get("id") or 0, r.get("fingerprint", "")))
        index.add(
            IndexedEntry(
                id=r.get("id"),
                watchlist=r["watchlist"],
                reference=r["reference"],
                schema=r["schema"],
                caption=r["caption"],
                fingerprint=r.get("fingerprint", ""),
                evidence=found if found is not None else evidence.EntryEvidence.from_data(data),
                regime=data.get("regime", ""),
            ),
            data.get("names", []),
            known,
        )
    index.postings = dict(index.postings)
    index.built_in = time.perf_counter() - started
    return index


def _analyses(index: ScreeningIndex) -> dict[tuple[str, str], list[Name]]:
    """The analysed forms of every name ``index`` holds, by (name, schema): the forms one
    analysis gave (as written, then romanised) are filed one after another for the entry,
    and told apart by their text."""
    found: dict[tuple[str, str], list[Name]] = {}
    first: dict[tuple[str, str], int] = {}
    for listed in index.names:
        key = (listed.text, index.entries[listed.entry].schema)
        if first.setdefault(key, listed.entry) != listed.entry:
            continue  # the same name on another entry: analysed alike
        forms = found.setdefault(key, [])
        name = listed.name
        if all(f.original != name.original for f in forms):
            forms.append(name)
    return found
