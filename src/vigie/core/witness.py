"""Signed checkpoints of the logs' heads, exported to witnesses outside the database.

A checkpoint says "log L had N entries and head H at time T", signed with the
installation's Ed25519 key (:mod:`vigie.core.signing`). It is appended to a file an auditor
keeps (a directory: ``checkpoints.jsonl`` in it; or the file itself), and/or written as an
object to ``s3://bucket/prefix`` (with S3 object lock when ``VIGIE_WITNESS_S3_LOCK_DAYS``
is set), with an RFC 3161 timestamp when a timestamp authority is configured. Verification
reads a witness back and checks the database against it: an insider who truncates or
rewrites a log, even with the keys of the data directory, cannot change what the witness
already holds. Each log is a :class:`Source`: the access log here, the custody log in
``vigie.evidence.checkpoint``. See docs/adr/0030-anchored-tamper-evidence.md.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.apps import apps
from django.conf import settings
from django.utils.translation import gettext as _

from vigie.core import signing
from vigie.core.errors import Unavailable

LABEL = b"vigie-checkpoint-v1\n"
FILE_NAME = "checkpoints.jsonl"


class WitnessError(Unavailable):
    """A witness cannot be written or read; the message says which and why."""

    default_code = "witness_failed"


@dataclass
class Checkpoint:
    log: str
    size: int
    head: str  # hex: the access log's last MAC, the custody tree's root
    timestamp: int  # milliseconds since the epoch
    key_id: str = ""
    signature: str = ""
    public_key: str = ""  # PEM, so that the line checks on its own; compare key_id
    previous_size: int = 0  # custody: the size of the checkpoint the proof starts from
    proof: list[str] = field(default_factory=list)  # custody: RFC 9162 consistency proof
    tsa_token: str = ""

    def message(self) -> bytes:
        body = {
            "head": self.head,
            "key_id": self.key_id,
            "log": self.log,
            "size": self.size,
            "timestamp": self.timestamp,
        }
        return LABEL + json.dumps(body, sort_keys=True).encode()

    def when(self) -> str:
        try:
            moment = dt.datetime.fromtimestamp(int(self.timestamp) / 1000, dt.UTC)
        except (TypeError, ValueError, OverflowError, OSError):
            return f"an unreadable time ({self.timestamp!r})"
        return moment.isoformat(timespec="seconds")

    def signature_ok(self) -> bool:
        try:
            key = serialization.load_pem_public_key(self.public_key.encode("ascii"))
            if not isinstance(key, Ed25519PublicKey) or signing.fingerprint(key) != self.key_id:
                return False
            key.verify(bytes.fromhex(self.signature), self.message())
        except (InvalidSignature, ValueError, TypeError):
            return False
        return True

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Checkpoint:
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass(frozen=True)
class Source:
    """A log that can be checkpointed.

    ``build(previous)``: the current (size, head) and, for a Merkle log, the previous size and
    the consistency proof from it; ``follows(a, b)``: a problem if witnessed checkpoint ``b``
    cannot come after ``a`` (else None)."""

    name: str
    build: Callable[[Checkpoint | None], Checkpoint | None]
    follows: Callable[[Checkpoint, Checkpoint], str | None]


SOURCES: dict[str, Source] = {}


def register(source: Source) -> None:
    SOURCES[source.name] = source


def _sign(cp: Checkpoint) -> Checkpoint:
    key = signing.signing_key()
    public = key.public_key()
    cp.key_id = signing.fingerprint(public)
    cp.public_key = signing.public_pem(public)
    cp.signature = key.sign(cp.message()).hex()
    if apps.is_installed("vigie.evidence"):
        from vigie.evidence import tsa

        url = tsa.configured_url()
        if url:
            try:
                cp.tsa_token = base64.b64encode(tsa.request_timestamp(url, cp.message())).decode()
            except tsa.TsaError:
                cp.tsa_token = ""  # the signed line still anchors; the next one may be stamped
    return cp


# Witness targets -------------------------------------------------------------------------


def _local_file(target: str) -> Path:
    path = Path(target).expanduser()
    if path.is_dir() or not path.suffix:
        return path / FILE_NAME
    return path


def _s3(target: str) -> tuple[Any, str, str]:
    import boto3

    bucket, _sep, prefix = target.removeprefix("s3://").partition("/")
    env = os.environ.get
    client = boto3.client(
        "s3",
        endpoint_url=env("VIGIE_WITNESS_S3_ENDPOINT") or None,
        region_name=env("VIGIE_WITNESS_S3_REGION") or None,
        aws_access_key_id=env("VIGIE_WITNESS_S3_ACCESS_KEY") or None,
        aws_secret_access_key=env("VIGIE_WITNESS_S3_SECRET_KEY") or None,
    )
    return client, bucket, prefix.strip("/") or "vigie-witness"


def read(target: str, newest_only: bool = False) -> list[Checkpoint]:
    """Every checkpoint a witness holds, oldest first (``newest_only``: the newest of each
    log, which is all an export needs: on S3 that is one GET per log, not one per hour)."""
    lines: list[Checkpoint] = []
    try:
        if target.startswith("s3://"):
            client, bucket, prefix = _s3(target)
            pages = client.get_paginator("list_objects_v2").paginate(
                Bucket=bucket, Prefix=prefix + "/"
            )
            names = sorted(o["Key"] for p in pages for o in p.get("Contents", []))
            if newest_only:  # names are <timestamp>-<log>-<size>.json
                newest = {n.rsplit("/", 1)[-1].split("-")[1]: n for n in names}
                names = sorted(newest.values())
            for name in names:
                body = client.get_object(Bucket=bucket, Key=name)["Body"].read()
                lines.append(Checkpoint.from_json(json.loads(body)))
        else:
            path = _local_file(target)
            if not path.exists():
                raise WitnessError(_("%(path)s: no witness file there.") % {"path": path})
            for raw in path.read_text(encoding="utf-8").splitlines():
                if raw.strip():
                    lines.append(Checkpoint.from_json(json.loads(raw)))
        return lines
    except WitnessError:
        raise
    except Exception as exc:  # any storage or parse error: the witness cannot be read
        raise WitnessError(
            _("%(target)s: cannot read the witness (checkpoint %(n)d): %(reason)s")
            % {"target": target, "n": len(lines) + 1, "reason": exc}
        ) from exc


def _write(target: str, checkpoints: list[Checkpoint]) -> None:
    if target.startswith("s3://"):
        client, bucket, prefix = _s3(target)
        lock_days = int(getattr(settings, "VIGIE_WITNESS_S3_LOCK_DAYS", 0) or 0)
        for cp in checkpoints:
            extra: dict[str, Any] = {}
            if lock_days > 0:
                extra = {
                    "ObjectLockMode": "COMPLIANCE",
                    "ObjectLockRetainUntilDate": dt.datetime.now(dt.UTC)
                    + dt.timedelta(days=lock_days),
                }
            client.put_object(
                Bucket=bucket,
                Key=f"{prefix}/{cp.timestamp:015d}-{cp.log}-{cp.size:012d}.json",
                Body=json.dumps(asdict(cp), sort_keys=True).encode(),
                ContentType="application/json",
                **extra,
            )
        return
    path = _local_file(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Append-only: O_APPEND never rewrites what the file already holds.
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    with os.fdopen(fd, "a", encoding="utf-8") as out:
        for cp in checkpoints:
            out.write(json.dumps(asdict(cp), sort_keys=True) + "\n")
        out.flush()
        os.fsync(out.fileno())


def last_of(checkpoints: list[Checkpoint], log: str) -> Checkpoint | None:
    mine = [c for c in checkpoints if c.log == log]
    return mine[-1] if mine else None


def export(targets: list[str]) -> list[Checkpoint]:
    """Sign a checkpoint of every log and write it to every target (each log's consistency
    proof starts from the newest checkpoint the first readable target holds)."""
    if not targets:
        raise WitnessError(
            _("No witness given (--to PATH or s3://bucket/prefix, or VIGIE_WITNESS).")
        )
    previous: list[Checkpoint] = []
    for target in targets:
        try:
            previous = read(target, newest_only=True)
            break
        except WitnessError:
            continue
    now = int(time.time() * 1000)
    made = []
    failures = []
    for source in SOURCES.values():
        try:
            cp = source.build(last_of(previous, source.name))
        except WitnessError as exc:  # the other log is still witnessed
            failures.append(
                _("%(log)s log not witnessed: %(reason)s") % {"log": source.name, "reason": exc}
            )
            continue
        if cp is None:
            continue
        cp.timestamp = now
        made.append(_sign(cp))
    for target in targets:
        try:
            _write(target, made)
        except Exception as exc:  # report every target that failed, after trying them all
            failures.append(
                _("cannot write the witness %(target)s: %(reason)s")
                % {"target": target, "reason": exc}
            )
    if failures:
        raise WitnessError("; ".join(failures))
    return made


def check_lines(checkpoints: list[Checkpoint], log: str) -> tuple[Checkpoint | None, list[str]]:
    """Check a witness's checkpoints of ``log`` on their own: each signature, the key they
    name against the installation's key, and each one following the one before. Returns the
    newest checkpoint whose signature verifies, and the problems."""
    problems: list[str] = []
    current = signing.fingerprint(signing.signing_key().public_key())
    mine = [c for c in checkpoints if c.log == log]
    good: Checkpoint | None = None
    other_keys: set[str] = set()
    for cp in mine:
        where = f"witness: {log} checkpoint of {cp.when()} (size {cp.size})"
        if not cp.signature_ok():
            problems.append(f"{where}: signature does not verify: the witness line was altered")
            continue
        if cp.key_id != current:
            problem = signing.check_key(cp.key_id, log, cp.size, cp.timestamp)
            if problem and cp.key_id in signing.retired_keys():
                problems.append(f"{where}: {problem}")  # a retired key used after retirement
                continue
            if problem:
                other_keys.add(cp.key_id)
        if cp.tsa_token:
            problem = _timestamp_problem(cp)
            if problem:
                problems.append(f"{where}: RFC 3161 timestamp: {problem}")
        if good is not None:
            source = SOURCES.get(log)
            problem = source.follows(good, cp) if source else None
            if problem:
                problems.append(f"{where}: {problem}")
        good = cp
    for kid in sorted(other_keys):
        problems.append(
            f"witness: {log} checkpoints were signed by the key {kid}, but the installation's "
            f"signing key is now {current}: the signing key was swapped"
        )
    return good, problems


def _timestamp_problem(cp: Checkpoint) -> str | None:
    from vigie.evidence import tsa

    try:
        tsa.check_token(base64.b64decode(cp.tsa_token), cp.message(), require_chain=False)
    except (tsa.TsaError, ValueError) as exc:
        return str(exc)
    return None


def grows(a: Checkpoint, b: Checkpoint) -> str | None:
    """A log never shrinks between two checkpoints."""
    if b.size < a.size:
        return f"follows a checkpoint of {a.size} entries: the log shrank"
    return None
