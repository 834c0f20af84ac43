"""Court export as a BagIt bag (RFC 8493), and its check with only the vault's public key.

Layout (everything under data/ is in the SHA-256 and SHA-512 manifests)::

    data/items/<item uuid>/<original file name>    the original bytes
    data/custody/<item uuid>.json                  record, hashes, events, inclusion proofs
    data/custody/tree-head.json                    the signed tree head the proofs lead to
    data/custody/vault-public-key.pem              a copy of the key (check its fingerprint)
    data/custody-report.pdf                        the report for the court (fr or en)
    data/README.txt                                how to check the bag by hand

The bag is built in a temporary folder beside DIR and renamed into place at the end, so an
interrupted export leaves no partial bag.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bagit

from vigie.evidence import merkle, sth

README = """Vigie evidence bag (BagIt, RFC 8493)

1. Check the bag: every file's SHA-256/SHA-512 against manifest-sha256.txt and
   manifest-sha512.txt (for example: cd BAG && sha256sum -c manifest-sha256.txt).
2. Check the signed tree head (data/custody/tree-head.json) with the vault's Ed25519 public
   key obtained from the vault's operator. The signed bytes are the line
   "vigie-custody-sth-v1" followed by a newline and the JSON object
   {"log_id": ..., "root_hash": ..., "timestamp": ..., "tree_size": ...}
   with keys sorted, as written by Python's json.dumps(obj, sort_keys=True).
3. For each event in data/custody/<item>.json: leaf hash = SHA-256(0x00 || leaf bytes UTF-8);
   check its inclusion proof against root_hash for tree_size with the algorithm of
   RFC 9162 section 2.1.3.2 (node hash = SHA-256(0x01 || left || right)); the leaf index is
   seq - 1.
4. The "received" event of each item records the SHA-256 and SHA-512 of the bytes as they
   arrived; they must equal the hashes of data/items/<item>/<file>.

`vigie evidence verify-bag BAG --public-key KEY.pem` does all of this.
"""


class BagError(Exception):
    """The export could not be made; nothing was left behind."""


def write_bag(
    outdir: Path,
    *,
    case_ref: str,
    organisation: str,
    items: list[dict[str, Any]],
    contents: dict[str, Any],
    head: dict[str, Any],
    public_key_pem: str,
    lang: str,
    progress: Callable[[int, str], None] | None = None,
) -> Path:
    """``contents``: item uuid -> iterator of plaintext chunks. ``progress(bytes, name)`` is
    called after each chunk written (for a progress bar)."""
    from vigie.evidence import report

    outdir = outdir.resolve()
    if outdir.exists() and any(outdir.iterdir()):
        raise BagError(f"{outdir} exists and is not empty; choose a new folder")
    outdir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{outdir.name}-", dir=outdir.parent))
    try:
        for it in items:
            folder = staging / "items" / it["uuid"]
            folder.mkdir(parents=True)
            with (folder / it["record"]["name"]).open("wb") as out:
                for chunk in contents[it["uuid"]]:
                    out.write(chunk)
                    if progress is not None:
                        progress(len(chunk), it["record"]["name"])
        custody = staging / "custody"
        custody.mkdir()
        for it in items:
            (custody / f"{it['uuid']}.json").write_text(
                json.dumps(it, indent=2, ensure_ascii=False), encoding="utf-8"
            )
        (custody / "tree-head.json").write_text(json.dumps(head, indent=2), encoding="utf-8")
        (custody / "vault-public-key.pem").write_text(public_key_pem, encoding="ascii")
        (staging / "README.txt").write_text(README, encoding="utf-8")
        report.write(
            staging / "custody-report.pdf",
            case_ref=case_ref,
            items=items,
            head=head,
            key_fingerprint=head["log_id"],
            lang=lang,
        )
        bagit.make_bag(
            str(staging),
            {
                "Source-Organization": organisation,
                "External-Identifier": case_ref,
                "External-Description": f"Vigie evidence export, case {case_ref}",
                "Vigie-Log-Size": str(head["tree_size"]),
                "Vigie-Log-Root": head["root_hash"],
            },
            checksums=["sha256", "sha512"],
        )
        if outdir.exists():
            outdir.rmdir()
        staging.rename(outdir)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise BagError(
            f"could not write the bag in {outdir.parent}: {exc.strerror or exc}"
        ) from exc
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return outdir


@dataclass
class BagReport:
    items: int = 0
    entries: int = 0
    problems: list[str] = field(default_factory=list)
    key_from_bag: bool = False
    fingerprint: str = ""
    timestamp: str = ""


def _file_hashes(path: Path) -> tuple[str, str]:
    h256, h512 = hashlib.sha256(), hashlib.sha512()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            h256.update(chunk)
            h512.update(chunk)
    return h256.hexdigest(), h512.hexdigest()


def verify_bag(
    directory: Path, public_key_pem: bytes | None = None, tsa_ca_pem: bytes | None = None
) -> BagReport:
    """Check a bag with only the public key (no database, no vault).

    ``tsa_ca_pem``: the CA certificate(s) the tree head's RFC 3161 timestamp must chain to
    (else ``VIGIE_EVIDENCE_TSA_CA`` if set; with neither, the timestamp is checked but its
    certificate chain is not, and the report says so)."""
    rep = BagReport()
    try:
        bag = bagit.Bag(str(directory))
    except bagit.BagError as exc:
        rep.problems.append(f"bag: {exc}")
        return rep
    try:
        bag.validate()
    except bagit.BagValidationError as exc:
        rep.problems.append(f"bag: {exc.message}")
        # Name every file that differs, not only the first failed check.
        try:
            bag._validate_completeness()
            bag._validate_entries(1)
        except bagit.BagValidationError as detail:
            rep.problems.extend(f"bag: {d}" for d in (detail.details or [detail.message]))
    data = Path(directory) / "data"
    custody = data / "custody"
    try:
        head = json.loads((custody / "tree-head.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        rep.problems.append(f"data/custody/tree-head.json: unreadable ({exc})")
        return rep
    if public_key_pem is None:
        rep.key_from_bag = True
        public_key_pem = (custody / "vault-public-key.pem").read_bytes()
    try:
        key = sth.load_public_key(public_key_pem)
    except ValueError as exc:
        rep.problems.append(f"public key: {exc}")
        return rep
    rep.fingerprint = sth.key_id(key)
    if head.get("log_id") != rep.fingerprint:
        rep.problems.append(
            f"tree head: made by the log {head.get('log_id')}, not by the key {rep.fingerprint}"
        )
    if not sth.check_signature(head, key):
        rep.problems.append("tree head: signature does not verify (forged or altered)")
    if head.get("tsa_token"):
        from vigie.evidence import tsa

        try:
            anchors = (
                tsa.load_anchors(tsa_ca_pem, "the TSA CA file")
                if tsa_ca_pem is not None
                else tsa.configured_anchors()
            )
            stamp = tsa.check_token(
                base64.b64decode(head["tsa_token"]),
                sth.message(
                    int(head["tree_size"]),
                    str(head["root_hash"]),
                    int(head["timestamp"]),
                    str(head["log_id"]),
                ),
                anchors=anchors or [],
                require_chain=False,
            )
            rep.timestamp = f"{stamp.gen_time.isoformat()} by {stamp.tsa_subject}; {stamp.chain}"
        except (tsa.TsaError, ValueError) as exc:
            rep.problems.append(f"tree head: RFC 3161 timestamp: {exc}")
    root, size = bytes.fromhex(head["root_hash"]), int(head["tree_size"])
    item_dirs = {p.name for p in (data / "items").iterdir()} if (data / "items").exists() else set()
    for cfile in sorted(custody.glob("*.json")):
        if cfile.name == "tree-head.json":
            continue
        it = json.loads(cfile.read_text(encoding="utf-8"))
        uuid = it["uuid"]
        rep.items += 1
        item_dirs.discard(uuid)
        where = f"item {uuid}"
        received = None
        for e in it["entries"]:
            rep.entries += 1
            leaf = e["leaf"].encode("utf-8")
            lh = merkle.leaf_hash(leaf)
            fields = json.loads(leaf)
            if lh.hex() != e["leaf_hash"]:
                rep.problems.append(f"{where}: entry {e['seq']}: leaf hash does not match its text")
            if fields.get("item") != uuid or fields.get("seq") != e["seq"]:
                rep.problems.append(f"{where}: entry {e['seq']}: belongs to another item or place")
            proof = [bytes.fromhex(h) for h in e["proof"]]
            if not merkle.verify_inclusion(lh, e["seq"] - 1, size, proof, root):
                rep.problems.append(
                    f"{where}: entry {e['seq']} ({fields.get('event')}): not in the signed log "
                    "(inclusion proof fails)"
                )
            if fields.get("event") == "received":
                received = fields
        collected = next((e for e in it["entries"] if e["event"] == "collected"), None)
        digest = hashlib.sha256(
            json.dumps(it["record"], sort_keys=True, ensure_ascii=False).encode()
        ).hexdigest()
        if collected is not None and collected["detail"].get("record_sha256") != digest:
            rep.problems.append(f"{where}: its collection record differs from the one logged")
        path = data / "items" / uuid / it["record"]["name"]
        if not path.is_file():
            rep.problems.append(f"{where}: file {it['record']['name']} is missing from the bag")
            continue
        h256, h512 = _file_hashes(path)
        if received is None:
            rep.problems.append(f"{where}: no 'received' event in its custody history")
        elif received.get("sha256") != h256 or received.get("detail", {}).get("sha512") != h512:
            rep.problems.append(
                f"{where}: {path.name} hashes to {h256}, but the vault received "
                f"{received.get('sha256')}: the file is not the original"
            )
    for orphan in sorted(item_dirs):
        rep.problems.append(f"item {orphan}: file without custody history")
    return rep
