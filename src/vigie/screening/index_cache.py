"""The screening index on disk, so that a new process (``vigie screen NAME``, a worker after
a restart) does not analyse every listed name again (about 10 s for UN + OFAC).

One file per set of list versions in force, in ``DATA_DIR/screening/``, named by a hash of the
versions' ids, this module's format and the rigour version (rigour's name data decide the
symbols). It holds plain data only in the pickle: entries, the names as
``names.FrozenName`` tuples, the postings. Names are rebuilt from them when first compared.
Loading a list (a new version in force) makes a new key; older files are removed when a new
one is written. The newest file, whatever its key, lends its analysed names to the next build
(``latest``, ADR 0530). A file that cannot be read is ignored
and rebuilt. The data directory is trusted (it holds the database and the secrets): the
pickle is only read from there. See ADR 0510.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
from importlib.metadata import version
from pathlib import Path
from typing import Any

from django.conf import settings

from vigie.screening import engine, names

log = logging.getLogger(__name__)
# 2-3: issue 17 (normalisation, romanisation keys, equivalents); 4: names keep their comparable
# spelling (candidate re-ranking); 5-6: the symbol lexicon and the
# lists' words (ADR 0521). Bump when names.py changes
# what an analysed name or its keys are.
# 7: the rigour version stored, for ``latest`` (ADR 0530); 8: each name's parts and symbols
# (``bounds.listed``), to bound a score without rebuilding the name (ADR 0531); 9: and per
# part, its symbols, weight alone and whether it is minor (ADR 0532); 10: romanisation
# conventions change listed names' analysis and keys (ADR 0525); 11: a romanised form is
# folded as a name typed in Latin; 12: "Abd" compounds (ADR 0526); 13: equivalents file
# version 3 (Somali, Persian and cross-language given names) and the lexicon by type
# (ADR 0527); 15: the ezafe, "Abd" prefix typos and ELF legal forms change listed names'
# analysis (ADR 0529); the entries pickled are ``index_records.IndexedEntry``, which left
# ``engine`` at the same time; 17: a known spelling of a given name is filed under its
# name's symbol only (ADR 0544)
FORMAT = 17
PREFIX = "index-"


def cache_dir() -> Path:
    """``DATA_DIR/screening`` (the setting ``SCREENING_INDEX_CACHE_DIR`` overrides it)."""
    folder = getattr(settings, "SCREENING_INDEX_CACHE_DIR", None)
    return Path(folder) if folder else Path(settings.DATA_DIR) / "screening"


def path_for(signature: tuple[Any, ...]) -> Path:
    key = repr((FORMAT, version("rigour"), signature)).encode()
    return cache_dir() / f"{PREFIX}{hashlib.sha256(key).hexdigest()[:24]}.pickle"


def save(index: engine.ScreeningIndex) -> Path:
    """Write ``index`` atomically (temporary file, then rename) and remove older files."""
    target = path_for(index.signature)
    target.parent.mkdir(parents=True, exist_ok=True)
    state = {
        "format": FORMAT,
        "rigour": version("rigour"),
        "signature": index.signature,
        "entries": index.entries,
        "names": [
            (n.entry, n.text, n.kind, n.quality, n.frozen(), n.plain, n.probe) for n in index.names
        ],
        "postings": index.postings,
        "lexicon": dict(index.lexicon),
    }
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".pickle")
    try:
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(state, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    clear(keep=target)
    return target


def load(signature: tuple[Any, ...]) -> engine.ScreeningIndex | None:
    """The cached index for ``signature``, or None (no file, or one that cannot be read)."""
    return _read(path_for(signature), tuple(signature))


def latest() -> engine.ScreeningIndex | None:
    """The newest cached index whatever lists it was built over (same format and rigour
    version), or None: after a list update, the names it analysed need not be analysed
    again (``engine.build(reuse=...)``, ADR 0530)."""
    folder = cache_dir()
    if not folder.is_dir():
        return None
    found = sorted(folder.glob(f"{PREFIX}*.pickle"), key=lambda p: p.stat().st_mtime)
    return _read(found[-1], None) if found else None


def _read(path: Path, signature: tuple[Any, ...] | None) -> engine.ScreeningIndex | None:
    try:
        with path.open("rb") as fh:
            state = pickle.load(fh)  # noqa: S301 (our own file, in the trusted data directory)
        if state.get("format") != FORMAT or state.get("rigour") != version("rigour"):
            return None
        if signature is not None and tuple(state["signature"]) != signature:
            return None
        index = engine.ScreeningIndex(signature=tuple(state["signature"]))
        index.entries = state["entries"]
        index.names = [
            engine.IndexedName(entry, text, kind, quality, frozen=frozen, plain=plain, probe=probe)
            for entry, text, kind, quality, frozen, plain, probe in state["names"]
        ]
        index.postings = state["postings"]
        index.lexicon = names.Lexicon(state["lexicon"])
        return index
    except FileNotFoundError:
        return None
    except Exception as exc:  # a damaged or foreign file: rebuild rather than fail
        log.warning("screening index cache %s unreadable (%s): rebuilding", path.name, exc)
        return None


def clear(keep: Path | None = None) -> None:
    """Remove cached indexes (all, or all but ``keep``)."""
    folder = cache_dir()
    if not folder.is_dir():
        return
    for path in folder.glob(f"{PREFIX}*.pickle"):
        if keep is None or path != keep:
            path.unlink(missing_ok=True)
