"""The next batch is staged while the current one is committed (ADR 0613), and what that
overlap must never leave behind: items or entries of a batch that did not commit, objects
named before they are durable, or temporary files of an interrupted run."""

from __future__ import annotations

import errno
import io
import os
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, BinaryIO

import pytest

from vigie.evidence import batch, services, store
from vigie.evidence.models import CustodyEntry, Item, LogState
from vigie.evidence.verify import unreferenced_objects, verify_all
from vigie.testing import World

WAIT = 30  # seconds: only reached when the overlap does not happen (the test then fails)


def _openers(
    tmp_path: Path, count: int, opened: dict[int, threading.Event]
) -> list[tuple[str, batch.Opener]]:
    """``count`` files; opening file ``i`` sets ``opened[i]`` when there is one."""
    out: list[tuple[str, batch.Opener]] = []
    for i in range(count):
        path = tmp_path / f"o{i:02d}.bin"
        path.write_bytes(os.urandom(3000 + i))

        def opener(path: Path = path, i: int = i) -> AbstractContextManager[BinaryIO]:
            if i in opened:
                opened[i].set()
            return path.open("rb")

        out.append((path.name, opener))
    return out


class _HookedStore(store.ObjectStore):
    """The vault's store, with ``before`` run at each ``put_many`` (its call number)."""

    def __init__(self, before: Callable[[int], None]) -> None:
        super().__init__()
        self.before, self.calls = before, 0

    def put_many(self, staged: list[store.Staged]) -> list[store.Stored]:
        self.calls += 1
        self.before(self.calls)
        return super().put_many(staged)


def _run(world: World, files: list[tuple[str, batch.Opener]], vault: store.ObjectStore) -> Any:
    return batch.ingest_many(
        None,
        world.own,
        files,
        collection=services.Collection(case_ref="OV", external_case=True),
        actor_name="t",
        batch_size=3,
        store=vault,
    )


def _tmp_files() -> list[Path]:
    tmp = store.ObjectStore().tmp
    return list(tmp.iterdir()) if tmp.exists() else []


def test_next_batch_is_staged_while_the_current_one_is_made_durable(
    world: World, tmp_path: Path
) -> None:
    """The first batch's flush waits until a file of the second batch is opened: it is,
    since staging goes on during the flush; both batches then commit whole."""
    opened = {3: threading.Event()}
    seen: list[bool] = []

    def before(call: int) -> None:
        if call == 1:
            seen.append(opened[3].wait(WAIT))

    outs = list(_run(world, _openers(tmp_path, 6, opened), _HookedStore(before)))
    assert seen == [True]
    assert [o.error for o in outs] == [""] * 6 and Item.objects.count() == 6
    assert not _tmp_files()
    assert verify_all().ok


def test_failed_commit_with_the_next_batch_staged_keeps_nothing_of_either(
    world: World, tmp_path: Path
) -> None:
    """The first batch's flush fails (not a storage refusal: the run stops) while the next
    batch is staged: no item, no entry, no object of either, no temporary file."""
    opened = {3: threading.Event()}

    def before(call: int) -> None:
        assert opened[3].wait(WAIT)
        raise RuntimeError("the disk went away")

    with pytest.raises(RuntimeError, match="went away"):
        list(_run(world, _openers(tmp_path, 6, opened), _HookedStore(before)))
    assert not Item.objects.exists() and not CustodyEntry.objects.exists()
    assert not LogState.objects.filter(size__gt=0).exists()
    assert not list(unreferenced_objects()) and not _tmp_files()
    assert verify_all().ok


def test_refused_batch_with_the_next_staged_reports_it_and_goes_on(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file system fails the first batch's flush (reported per file) while the second
    is staged: the second batch commits whole, nothing of the first is kept."""
    opened = {3: threading.Event()}
    real, calls = store.syncfs, []

    def syncfs(path: Path | str) -> bool:
        calls.append(path)
        if len(calls) == 1:
            assert opened[3].wait(WAIT)
            raise OSError(errno.EIO, os.strerror(errno.EIO), str(path))
        return real(path)

    monkeypatch.setattr(store, "syncfs", syncfs)
    outs = list(_run(world, _openers(tmp_path, 6, opened), store.ObjectStore()))
    assert all("Input/output error" in o.error for o in outs[:3]), outs
    assert [o.error for o in outs[3:]] == [""] * 3
    assert sorted(Item.objects.values_list("original_name", flat=True)) == [
        "o03.bin",
        "o04.bin",
        "o05.bin",
    ]
    assert CustodyEntry.objects.count() == 6
    assert not list(unreferenced_objects()) and not _tmp_files()
    assert verify_all().ok


def test_staging_ahead_is_bounded_by_two_batches(tmp_path: Path) -> None:
    """With nothing committed, at most two batches of files are opened and staged."""
    vault = store.ObjectStore(tmp_path / "vault")
    opens: list[int] = []

    def opener(i: int) -> batch.Opener:
        def open_it() -> AbstractContextManager[BinaryIO]:
            opens.append(i)
            return io.BytesIO(b"file %d" % i)

        return open_it

    ahead = batch._Ahead(vault, vault._active_key(), [(f"f{i}", opener(i)) for i in range(10)], 2)
    got = [ahead.get() for _ in range(4)]  # two batches' worth, none released
    assert sorted(opens) == [0, 1, 2, 3]
    ahead.release(2, sum(g.staged.stored.size for g in got[:2] if isinstance(g, batch._Prepared)))
    fifth = ahead.get()  # room for one more batch: staging goes on
    assert isinstance(fifth, batch._Prepared) and fifth.name == "f4"
    left = ahead.stop()
    for p in [*got, fifth, *left]:
        assert isinstance(p, batch._Prepared)
        p.staged.tmp.unlink()
    assert not list(vault.tmp.iterdir())


def test_sweep_removes_only_old_temporary_objects(tmp_path: Path) -> None:
    """What a killed run left (a day old) goes; a running ingest's files and others stay."""
    vault = store.ObjectStore(tmp_path / "vault")
    vault.tmp.mkdir(parents=True)
    old, fresh, other = (vault.tmp / n for n in ("ingest-old", "ingest-new", "keep.txt"))
    for p in (old, fresh, other):
        p.write_bytes(b"x")
    day_ago = time.time() - store.STALE_TMP_SECONDS - 60
    for p in (old, other):
        os.utime(p, (day_ago, day_ago))
    assert vault.sweep_temporary() == 1
    assert sorted(p.name for p in vault.tmp.iterdir()) == ["ingest-new", "keep.txt"]
