"""Re-screening after a list update (ADR 0530): the index built from the previous one is the
index a build from scratch gives; a subject re-screened against what changed gets exactly
the entries and scores a search for it gives among those entries; hits are written in bulk,
one event per organisation and action, and decisions still stand. Synthetic names only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vigie.core.events import records_changed
from vigie.screening import engine, names, selectors, services
from vigie.screening.models import Hit, ListEntry
from vigie.screening.tests.factories import SAMPLE, un_entity, un_individual, un_xml, write
from vigie.testing import World

PEOPLE = [
    ("T1", "Ermias", "Tesfamikael Ghermazion"),
    ("T2", "Mohammed", "Tarek Zafiri"),
    ("T3", "Yusuf", "Kamil Dervani"),
    ("T4", "Fatima", "Zahra Benkirane"),
    ("T5", "Abd Al-Rahman", "Selim Al-Badri"),
    ("T6", "Nasrullah", "Amin Khorasani"),
]


def _record(i: int, ref: str, schema: str, listed: list[str], fp: str = "") -> dict[str, Any]:
    return {
        "id": i,
        "watchlist": "t",
        "reference": ref,
        "schema": schema,
        "caption": listed[0],
        "fingerprint": fp or "|".join(listed),
        "data": {"names": [{"name": n, "kind": "primary"} for n in listed]},
    }


def _shape(index: engine.ScreeningIndex) -> tuple[Any, ...]:
    return (
        [(e.id, e.reference, e.fingerprint, e.evidence) for e in index.entries],
        [(n.entry, n.text, n.kind, n.quality, n.frozen(), n.plain) for n in index.names],
        index.postings,
        dict(index.lexicon),
    )


def test_an_index_built_from_the_previous_one_is_the_index_built_from_scratch() -> None:
    before = [
        _record(1, "T1", "Person", ["Ermias Tesfamikael Ghermazion", "ኤርምያስ ተስፋሚካኤል"]),
        _record(2, "T2", "Person", ["Mohammed Tarek Zafiri", "محمد طارق الظفيري"]),
        _record(3, "T3", "Organization", ["Baobab Fishing Company Limited"]),
    ]
    after = [
        before[0],
        # amended: a new alias, and a name the other entry also has
        _record(2, "T2", "Person", ["Mohammed Tarek Zafiri", "Muhamad Tariq Dhafiri"], "v2"),
        _record(4, "T4", "Person", ["Ermias Tesfamikael Ghermazion", "Yusuf Kamil Dervani"]),
    ]  # T3 removed
    previous = engine.build(before)
    for reuse in (previous, _from_disk(previous)):
        assert _shape(engine.build(after, reuse=reuse)) == _shape(engine.build(after))


def _from_disk(index: engine.ScreeningIndex) -> engine.ScreeningIndex:
    """``index`` as read back from the cache: names frozen, rebuilt when first used."""
    copy = engine.ScreeningIndex(entries=index.entries, postings=index.postings)
    copy.names = [
        engine.IndexedName(n.entry, n.text, n.kind, n.quality, frozen=n.frozen(), plain=n.plain)
        for n in index.names
    ]
    copy.lexicon = names.Lexicon(index.lexicon)
    return copy


@pytest.fixture
def hit_events() -> Any:
    seen: list[dict[str, Any]] = []

    def receive(sender: Any, **kwargs: Any) -> None:
        if kwargs.get("kind") == "screening.hit":
            seen.append(kwargs)

    records_changed.connect(receive, dispatch_uid="test.screening.rescreen")
    try:
        yield seen
    finally:
        records_changed.disconnect(dispatch_uid="test.screening.rescreen")


SUBJECT_NAMES = [
    "Ermias Tesfamikael",
    "Ghermazion Ermias",
    "Mohamed Zafiri",
    "Youssef Dervani",
    "Fatima Benkirane",
    "Abdul Rahman Al Badri",
    "Nasrullah Khorasani",
    "Jean Dupont",
    "Mohammed Abdelkader",
]


def test_a_rescreened_subject_gets_what_a_search_gives_among_the_changed_entries(
    world: World,
    tmp_path: Path,
    hit_events: list[dict[str, Any]],
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.SCREENING_INDEX_CACHE_DIR = tmp_path / "cache"
    services.load_list(write(tmp_path, "v1.xml", un_xml(SAMPLE)))
    officer = world.users["screening_officer"]
    subjects = [services.create_subject(officer, world.own, name=n)[0] for n in SUBJECT_NAMES * 2]
    # one subject's hit is decided: the decision stands if neither side changed
    decided = Hit.objects.filter(subject=subjects[-1]).first()
    assert decided is not None
    services.decide(officer, decided, "false_positive", "another man")
    hit_events.clear()
    added = [un_individual(ref, first, second) for ref, first, second in PEOPLE]
    alias = (("Ermias Tesfamikael", "Good"),)
    amended = un_individual("LYi.901", "Ermias", "Testfay", aliases=alias)
    started = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        result = services.load_list(
            write(tmp_path, "v2.xml", un_xml([amended, SAMPLE[1], *added], [un_entity("E1", "X")]))
        )
    assert len(result.added) == 7 and result.amended == ["LYi.901"]
    changed = set(result.added) | set(result.amended)
    index = selectors.screening_index()
    for subject in subjects:
        expected = {
            r.entry.reference: round(r.score, 6)
            for r in index.screen(services.subject_query(subject), limit=20)
            if r.entry.reference in changed
        }
        got = {
            h.entry.reference: round(h.score, 6)
            for h in Hit.objects.filter(subject=subject, updated_at__gte=started)
        }
        assert got == expected, subject.name
    raised = Hit.objects.filter(updated_at__gte=started)
    assert raised.count() >= len(SUBJECT_NAMES)  # every subject name meets a new entry ...
    assert Hit.objects.get(pk=decided.pk).status == Hit.Status.FALSE_POSITIVE  # ... but not LYi.902
    # one event per organisation and action, naming every hit it raised or refreshed
    assert sorted(e["action"] for e in hit_events) in (["created"], ["changed", "created"])
    assert {i for e in hit_events for i in e["ids"]} == set(raised.values_list("pk", flat=True))


def test_an_amended_entry_reopens_a_decided_hit(world: World, tmp_path: Path) -> None:
    services.load_list(write(tmp_path, "v1.xml", un_xml(SAMPLE)))
    officer = world.users["screening_officer"]
    subject, _ = services.create_subject(officer, world.own, name="Ermias Testfay")
    hit = Hit.objects.get(subject=subject, entry__reference="LYi.901")
    services.decide(officer, hit, "false_positive", "another man")
    amended = un_individual("LYi.901", "Ermias", "Testfay", dob="1981-01-01")
    result = services.load_list(write(tmp_path, "v2.xml", un_xml([amended, SAMPLE[1]])))
    hit.refresh_from_db()
    assert hit.status == Hit.Status.OPEN and hit.raised_by == result.version
    assert hit.entry_fingerprint == ListEntry.objects.get(reference="LYi.901").fingerprint


LISTED = [ref for ref, _f, _s in PEOPLE]
words = st.sampled_from(
    sorted({w for _r, f, s in PEOPLE for w in f"{f} {s}".split()} | {"Smith", "Mohamed"})
)


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.lists(st.lists(words, min_size=1, max_size=3).map(" ".join), min_size=1, max_size=5),
    st.sets(st.sampled_from(LISTED), min_size=1),
)
def test_screening_among_some_entries_keeps_their_full_search_scores(
    queries: list[str], among_refs: set[str]
) -> None:
    index = _index()
    among = frozenset(i for i, e in enumerate(index.entries) if e.reference in among_refs)
    for q in queries:
        query = engine.Query(q, "Person")
        full = [r.as_dict() for r in index.screen(query, limit=50)]
        some = [r.as_dict() for r in index.screen(query, limit=50, among=among)]
        assert some == [r for r in full if r["reference"] in among_refs]


_INDEX: list[engine.ScreeningIndex] = []


def _index() -> engine.ScreeningIndex:
    if not _INDEX:
        _INDEX.append(
            engine.build(
                [
                    _record(i, ref, "Person", [f"{first} {second}"])
                    for i, (ref, first, second) in enumerate(PEOPLE, 1)
                ]
            )
        )
    return _INDEX[0]
