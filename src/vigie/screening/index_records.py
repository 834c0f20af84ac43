"""What the screening index keeps of each listed entry and name, and what a screening asks and
gives back. The index itself, its candidate retrieval and its scoring are in ``engine``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rigour.names import Name

from vigie.screening import bounds, names
from vigie.screening import corroboration as evidence  # secondary details adjust a name score

# What ``names.compare_names`` reads of an analysed name: everything ``names.freeze`` keeps
# but the original text (its form, type tag, part tags and symbols; ``names.thaw`` rebuilds
# the name from them). Two names with the same analysis are compared alike with any third.
Analysis = tuple[Any, ...]


def analysis_of(frozen: names.FrozenName) -> Analysis:
    return frozen[1:]


@dataclass
class IndexedEntry:
    id: int | None
    watchlist: str
    reference: str
    schema: str
    caption: str
    fingerprint: str
    evidence: evidence.EntryEvidence
    regime: str = ""


class IndexedName:
    """One listed name. Its analysed form is rebuilt from ``frozen`` when first compared, for
    an index loaded from the disk cache (see ``index_cache``)."""

    __slots__ = (
        "_analysis",
        "_frozen",
        "_name",
        "_probe",
        "entry",
        "kind",
        "plain",
        "quality",
        "text",
    )

    def __init__(
        self,
        entry: int,
        text: str,
        kind: str,
        quality: str,
        name: Name | None = None,
        frozen: names.FrozenName | None = None,
        plain: str | None = None,
        probe: bounds.Listed | None = None,
    ) -> None:
        self.entry = entry  # position in ScreeningIndex.entries
        self.text = text
        self.kind = kind
        self.quality = quality
        self._name = name
        self._frozen = frozen
        # the comparable spelling, to re-rank candidates without rebuilding the name
        self.plain = plain if plain is not None else (name.comparable if name else "")
        # its parts and symbols, to bound its score without rebuilding the name (bounds.py)
        self._probe = probe
        self._analysis: Analysis | None = None

    @property
    def probe(self) -> bounds.Listed:
        if self._probe is None:
            self._probe = bounds.listed(self.name)
        return self._probe

    @property
    def name(self) -> Name:
        if self._name is None:
            assert self._frozen is not None
            self._name = names.thaw(self._frozen)
        return self._name

    def frozen(self) -> names.FrozenName:
        return self._frozen if self._frozen is not None else names.freeze(self.name)

    @property
    def original(self) -> str:
        """The analysed name's original text (``Name.original``), read without rebuilding it."""
        return self._frozen[0] if self._frozen is not None else self.name.original

    @property
    def analysis(self) -> Analysis:
        """What ``names.compare_names`` reads of this name (``analysis_of``), kept."""
        if self._analysis is None:
            self._analysis = analysis_of(self.frozen())
        return self._analysis


@dataclass
class Result:
    entry: IndexedEntry
    score: float
    explanation: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        e = self.entry
        return {
            "entry_id": e.id,
            "watchlist": e.watchlist,
            "reference": e.reference,
            "schema": e.schema,
            "caption": e.caption,
            "regime": e.regime,
            "score": round(self.score, 4),
            "explanation": self.explanation,
        }


@dataclass
class Query:
    name: str
    schema: str | None = None
    birth_date: str = ""
    country: str = ""
    document: str = ""
