"""The on-disk screening index: names rebuilt without the tagger are the same names; a new
process reads the cache instead of analysing every listed name; loading a list makes it
stale; a damaged file is rebuilt."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from vigie.devtools.shared_data import SHARED_DATA
from vigie.screening import engine, index_cache, names, selectors, services
from vigie.screening.parsers import parse
from vigie.screening.tests.factories import SAMPLE, un_individual, un_xml, write

UN_2020 = SHARED_DATA / "un-sanctions" / "UN_consolidated_2020-11-30.xml"


@pytest.fixture(autouse=True)
def own_cache_dir(settings: Any, tmp_path: Path) -> None:
    # Test processes running in parallel share a data directory: this module's tests look at
    # the cache files, so they get a folder of their own.
    settings.SCREENING_INDEX_CACHE_DIR = tmp_path / "index-cache"


def _shape(name: Any) -> tuple[Any, ...]:
    return (
        name.original,
        name.form,
        name.comparable,
        name.tag,
        [(p.form, p.index, p.tag, p.comparable, p.metaphone, p.latinize) for p in name.parts],
        sorted((tuple(p.index for p in s.parts), str(s.symbol)) for s in name.spans),
    )


@pytest.mark.shared_data
def test_every_name_of_a_real_un_snapshot_thaws_to_the_same_name() -> None:
    parsed = parse(UN_2020)
    analysed = [
        form
        for entry in parsed.entries
        for n in entry.data()["names"]
        for form in names.analyse(n["name"], entry.schema)
    ]
    assert len(analysed) > 1000
    for name in analysed:
        assert _shape(names.thaw(names.freeze(name))) == _shape(name)
    # ... and compare the same way against a query
    query = names.analyse("Abd al-Rahman bin Mohammed", "Person")[0]
    for name in analysed[:300]:
        assert (
            names.compare_names(query, names.thaw(names.freeze(name))).score
            == names.compare_names(query, name).score
        )


def _forget_index() -> None:
    selectors._INDEX = None  # as in a new process


def test_a_new_process_reads_the_cache_and_finds_the_same(tmp_path: Path, db: Any) -> None:
    services.load_list(write(tmp_path, "v1.xml", un_xml(SAMPLE)))
    built = selectors.screening_index()
    files = list(index_cache.cache_dir().glob("index-*.pickle"))
    assert files == [index_cache.path_for(built.signature)]

    _forget_index()
    cached = selectors.screening_index()
    assert cached is not built and cached.signature == built.signature
    assert all(n._name is None for n in cached.names)  # not analysed again
    query = engine.Query("Ermies Testfai", "Person")
    assert [r.as_dict() for r in cached.screen(query)] == [r.as_dict() for r in built.screen(query)]
    assert cached.screen(query)[0].entry.reference == "LYi.901"


def test_loading_a_list_makes_the_cache_stale(tmp_path: Path, db: Any) -> None:
    services.load_list(write(tmp_path, "v1.xml", un_xml(SAMPLE)))
    first = selectors.screening_index()
    newer = [*SAMPLE, un_individual("LYi.950", "Cachetest", "Newlylisted")]
    services.load_list(write(tmp_path, "v2.xml", un_xml(newer)))
    assert index_cache.load(selectors.index_signature()) is None  # no file for the new lists
    _forget_index()
    second = selectors.screening_index()
    assert second.signature != first.signature
    assert second.screen(engine.Query("Cachetest Newlylisted"))[0].entry.reference == "LYi.950"
    assert list(index_cache.cache_dir().glob("index-*.pickle")) == [
        index_cache.path_for(second.signature)
    ]


@pytest.mark.parametrize("damage", [b"", b"not a pickle", b"\x80\x05K\x01."])
def test_a_damaged_cache_file_is_rebuilt(tmp_path: Path, db: Any, damage: bytes) -> None:
    services.load_list(write(tmp_path, "v1.xml", un_xml(SAMPLE)))
    built = selectors.screening_index()
    path = index_cache.path_for(built.signature)
    path.write_bytes(damage)
    _forget_index()
    again = selectors.screening_index()
    assert again.screen(engine.Query("Ermies Testfai"))[0].entry.reference == "LYi.901"
    assert index_cache.load(built.signature) is not None  # written again
