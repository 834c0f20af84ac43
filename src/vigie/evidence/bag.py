"""Court export as a BagIt bag (RFC 8493), and its check with only the vault's public key.

Layout (everything under data/ is in the SHA-256 and SHA-512 manifests)::

    data/items/<item uuid>/<original file name>    the original bytes
    data/custody/<item uuid>.json                  record, hashes, events, inclusion proofs
    data/custody/tree-head.json                    the signed tree head the proofs lead to
    data/custody/contents.json                     the signed list of the exported items
    data/custody/vault-public-key.pem              a copy of the key (check its fingerprint)
    data/custody-report.pdf                        the report for the court (fr or en)
    data/README.txt                                how to check the bag by hand

The bag is built in a temporary folder beside DIR and renamed into place at the end, so an
interrupted export leaves no partial bag. ``contents.json`` lists every exported item with
its file's SHA-256 and SHA-512, signed with the vault's Ed25519 key: a bag with an item
removed (and its manifests and Payload-Oxum recomputed) is caught, because the list cannot
be re-signed without the key. Checking uses bagit's public API only.
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
from cryptography.exceptions import InvalidSignature
from django.utils.translation import gettext as _

from vigie.core.errors import VigieError
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
4. data/custody/contents.json lists every exported item and its file's hashes; its
   "signature" is the Ed25519 signature (key "key_id", the SHA-256 of the raw public key)
   of the line "vigie-bag-contents-v1", a newline, and the JSON object without "signature"
   (keys sorted, as above). Every item listed must be in the bag, and no other.
5. The "received" event of each item records the SHA-256 and SHA-512 of the bytes as they
   arrived; they must equal the hashes of data/items/<item>/<file>.

`vigie evidence verify-bag BAG --public-key KEY.pem` does all of this.
"""


class BagError(VigieError):
    """The export could not be made; nothing was left behind. ``bag_refused`` (400): the
    folder is not empty; ``bag_write_failed`` (503): the disk refused."""

    default_code = "bag_refused"
    status = 400


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
        raise BagError(
            _("%(folder)s exists and is not empty; choose a new folder.") % {"folder": outdir}
        )
    outdir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{outdir.name}-", dir=outdir.parent))
    try:
        listed = []
        for it in items:
            folder = staging / "items" / it["uuid"]
            folder.mkdir(parents=True)
            h256, h512 = hashlib.sha256(), hashlib.sha512()
            with (folder / it["record"]["name"]).open("wb") as out:
                for chunk in contents[it["uuid"]]:
                    out.write(chunk)
                    h256.update(chunk)
                    h512.update(chunk)
                    if progress is not None:
                        progress(len(chunk), it["record"]["name"])
            listed.append(
                {
                    "uuid": it["uuid"],
                    "file": f"data/items/{it['uuid']}/{it['record']['name']}",
                    "sha256": h256.hexdigest(),
                    "sha512": h512.hexdigest(),
                }
            )
        custody = staging / "custody"
        custody.mkdir()
        for it in items:
            (custody / f"{it['uuid']}.json").write_text(
                json.dumps(it, indent=2, ensure_ascii=False), encoding="utf-8"
            )
        (custody / "tree-head.json").write_text(json.dumps(head, indent=2), encoding="utf-8")
        (custody / "vault-public-key.pem").write_text(public_key_pem, encoding="ascii")
        (custody / "contents.json").write_text(
            json.dumps(_signed_contents(case_ref, organisation, head, listed), indent=2),
            encoding="utf-8",
        )
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
            _("Could not write the bag in %(folder)s: %(reason)s")
            % {"folder": outdir.parent, "reason": exc.strerror or exc},
            code="bag_write_failed",
            status=503,
        ) from exc
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return outdir


CONTENTS_LABEL = b"vigie-bag-contents-v1\n"


def contents_message(body: dict[str, Any]) -> bytes:
    """The bytes the contents signature covers: a label, then the sorted-key JSON."""
    unsigned = {k: v for k, v in body.items() if k != "signature"}
    return CONTENTS_LABEL + json.dumps(unsigned, sort_keys=True, ensure_ascii=False).encode()


def _signed_contents(
    case_ref: str, organisation: str, head: dict[str, Any], listed: list[dict[str, str]]
) -> dict[str, Any]:
    from vigie.evidence import keys

    key = keys.signing_key()
    body: dict[str, Any] = {
        "case": case_ref,
        "organisation": organisation,
        "tree_size": head["tree_size"],
        "root_hash": head["root_hash"],
        "items": listed,
        "key_id": sth.key_id(key.public_key()),
    }
    body["signature"] = key.sign(contents_message(body)).hex()
    return body


@dataclass
class BagReport:
    items: int = 0
    entries: int = 0
    problems: list[str] = field(default_factory=list)
    key_from_bag: bool = False
    fingerprint: str = ""
    retired_key: str = ""  # the retired key that signed the bag, if not the one given
    timestamp: str = ""


def _file_hashes(path: Path, algorithms: list[str]) -> dict[str, str]:
    hashers = {alg: hashlib.new(alg) for alg in algorithms}
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            for h in hashers.values():
                h.update(chunk)
    return {alg: h.hexdigest() for alg, h in hashers.items()}


def _manifest_problems(bag: bagit.Bag) -> tuple[list[str], dict[str, dict[str, str]]]:
    """RFC 8493 checks with bagit's public API, each problem once: structure and
    Payload-Oxum (``validate(fast=True)``), every payload file in every payload manifest
    and every manifest entry on disk (section 3), every listed checksum. Also the hashes
    computed, by path (so that item files are read once)."""
    problems: list[str] = []
    try:
        bag.validate(fast=True)
    except bagit.BagValidationError as exc:
        problems.extend(f"bag: {d}" for d in (exc.details or [exc.message]))
    payload_algs = sorted(
        Path(m).name.removeprefix("manifest-").removesuffix(".txt") for m in bag.manifest_files()
    )
    only_in_manifest, only_on_disk = bag.compare_manifests_with_fs()
    for name in sorted(only_in_manifest):
        problems.append(f"bag: {name} is listed in the manifests but missing from the bag")
    for name in sorted(only_on_disk):
        problems.append(f"bag: {name} is in the bag but in no manifest")
    for name, sums in sorted(bag.payload_entries().items()):
        for alg in payload_algs:
            if alg not in sums:
                problems.append(f"bag: {name} is not in manifest-{alg}.txt")
    computed: dict[str, dict[str, str]] = {}
    root = Path(bag.path)
    for name, sums in sorted(bag.entries.items()):
        path = root / name
        if not path.is_file():
            continue  # reported above (payload) or a tag file the tag manifest names
        usable = sorted(alg for alg in sums if alg in hashlib.algorithms_available)
        computed[name] = _file_hashes(path, sorted({*usable, "sha256", "sha512"}))
        differ = [alg for alg in usable if computed[name][alg] != sums[alg].lower()]
        if differ:
            listed = " and ".join(
                f"{'tag' if not name.startswith('data/') else ''}manifest-{a}.txt" for a in differ
            )
            problems.append(f"bag: {name} does not match {listed} (changed after the bag was made)")
    return problems, computed


def verify_bag(
    directory: Path,
    public_key_pem: bytes | None = None,
    tsa_ca_pem: bytes | None = None,
    retired_keys: str | None = None,
) -> BagReport:
    """Check a bag with only the public key (no database, no vault).

    ``tsa_ca_pem``: the CA certificate(s) the tree head's RFC 3161 timestamp must chain to
    (else ``VIGIE_EVIDENCE_TSA_CA`` if set; with neither, the timestamp is checked but its
    certificate chain is not, and the report says so). ``retired_keys``: the text of the
    vault's retired-keys file (public halves, docs/adr/0044): a bag signed by a key the vault
    retired after the bag was made verifies; one signed by a retired key after its
    retirement (an insider who kept the old key) does not."""
    rep = BagReport()
    try:
        bag = bagit.Bag(str(directory))
    except bagit.BagError as exc:
        rep.problems.append(f"bag: {exc}")
        return rep
    manifest_problems, computed = _manifest_problems(bag)
    rep.problems.extend(manifest_problems)
    in_manifests = set(bag.payload_entries())
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
        key = _retired_signer(head, key, retired_keys, rep)
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
    # item uuid -> SHA-256 of its file ("" once the file was reported as not the original)
    file_sha256: dict[str, str] = {}
    for cfile in sorted(custody.glob("*.json")):
        if cfile.name in ("tree-head.json", "contents.json"):
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
        rel = f"data/items/{uuid}/{it['record']['name']}"
        if not path.is_file():
            if rel not in in_manifests:  # else already reported by the manifest check
                rep.problems.append(f"{where}: file {it['record']['name']} is missing from the bag")
            file_sha256[uuid] = ""
            continue
        sums = computed.get(rel) or _file_hashes(path, ["sha256", "sha512"])
        h256, h512 = sums["sha256"], sums["sha512"]
        file_sha256[uuid] = h256
        if received is None:
            rep.problems.append(f"{where}: no 'received' event in its custody history")
        elif received.get("sha256") != h256 or received.get("detail", {}).get("sha512") != h512:
            file_sha256[uuid] = ""
            rep.problems.append(
                f"{where}: {path.name} hashes to {h256}, but the vault received "
                f"{received.get('sha256')}: the file is not the original"
            )
    for orphan in sorted(item_dirs):
        rep.problems.append(f"item {orphan}: file without custody history")
    rep.problems.extend(_contents_problems(custody / "contents.json", key, head, file_sha256))
    return rep


def _retired_signer(
    head: dict[str, Any], key: Any, retired_keys: str | None, rep: BagReport
) -> Any:
    """The key that signed ``head`` when it is not ``key``: a key the vault retired (its
    record chains back to ``key``), acceptable for what it signed before its retirement."""
    from vigie.core import signing

    log_id = str(head.get("log_id"))
    old = signing.retired_chain(retired_keys or "", key).get(log_id)
    if old is None:
        rep.problems.append(
            f"tree head: made by the log {log_id}, not by the key {rep.fingerprint}"
        )
        return key
    rep.retired_key = log_id
    if not old.covers(int(head["tree_size"]), "custody", int(head["timestamp"])):
        rep.problems.append(
            f"tree head: signed by the key {log_id} after the vault retired it (retired at "
            f"{old.retired_at} ms with {old.sizes.get('custody', 0)} custody entries; this "
            f"head: {head['timestamp']} ms, {head['tree_size']} entries): someone holding a "
            "retired key made this bag"
        )
    return old.public()


def _contents_problems(
    path: Path, key: Any, head: dict[str, Any], file_sha256: dict[str, str]
) -> list[str]:
    """The signed list of exported items against what the bag holds: missing, extra, or a
    file other than the one exported."""
    where = "signed contents"
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return [
            "data/custody/contents.json: no signed list of the exported items: items may "
            "have been removed from the bag (or it was made by an older Vigie)"
        ]
    except (OSError, ValueError) as exc:
        return [f"data/custody/contents.json: unreadable ({exc})"]
    try:
        if body.get("key_id") != sth.key_id(key):
            return [f"{where}: signed by the key {body.get('key_id')}, not by the vault's key"]
        key.verify(bytes.fromhex(str(body.get("signature", ""))), contents_message(body))
    except (InvalidSignature, ValueError):
        return [f"{where}: signature does not verify (forged or altered)"]
    problems = []
    if (body.get("tree_size"), body.get("root_hash")) != (head["tree_size"], head["root_hash"]):
        problems.append(f"{where}: made for another tree head than data/custody/tree-head.json")
    listed = {str(x["uuid"]): x for x in body.get("items", [])}
    for uuid in sorted(set(listed) - set(file_sha256)):
        problems.append(f"item {uuid}: listed in the signed contents but missing from the bag")
    for uuid in sorted(set(file_sha256) - set(listed)):
        problems.append(f"item {uuid}: in the bag but not in the signed contents")
    for uuid in sorted(set(listed) & set(file_sha256)):
        if file_sha256[uuid] and listed[uuid].get("sha256") != file_sha256[uuid]:
            problems.append(f"item {uuid}: its file is not the one the signed contents list")
    return problems
