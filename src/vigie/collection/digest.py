"""HTTP Digest authentication of devices (RFC 7616), beside Basic (ADR 0910).

ODK Collect and KoBoCollect answer a ``Digest`` challenge when the server sends one; a device
on a network that strips TLS then never sends its password. The server offers SHA-256 and MD5
(older clients know only MD5), ``qop=auth`` only. Nonces are stateless and signed: the time
they were made and a random part, with an HMAC of both under the server's secret, so a 401
writes nothing. A nonce older than ``VIGIE_COLLECTION_NONCE_SECONDS`` (300) is answered
``stale=true`` (the client retries at once with a fresh one). Replays are refused: the first
use of a nonce is recorded with its nonce count, and each later request must carry a higher
count (one conditional UPDATE, atomic across processes).

The server needs ``H(username:realm:password)`` for each algorithm: computed when the device
is issued and kept in an encrypted field (it opens this realm's digest, so it is guarded like
a password). Devices issued before Digest existed have none and keep using Basic.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta
from urllib.request import parse_http_list, parse_keqv_list

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from vigie.collection.models import Device, DigestNonce

REALM = "Vigie collect"
ALGORITHMS = {"SHA-256": hashlib.sha256, "MD5": hashlib.md5}


def nonce_seconds() -> int:
    configured = getattr(settings, "VIGIE_COLLECTION_NONCE_SECONDS", None)
    return int(configured or os.environ.get("VIGIE_COLLECTION_NONCE_SECONDS") or 300)


def _h(algorithm: str, text: str) -> str:
    return ALGORITHMS[algorithm](text.encode("utf-8"), usedforsecurity=False).hexdigest()


def ha1_of(username: str, secret: str) -> str:
    """The JSON of ``{algorithm: H(username:realm:secret)}`` stored with a device."""
    return json.dumps({a: _h(a, f"{username}:{REALM}:{secret}") for a in ALGORITHMS})


def _mac(text: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"digest-nonce:{text}".encode(), hashlib.sha256).hexdigest()[:32]


def new_nonce(now: float | None = None) -> str:
    made = f"{int(now if now is not None else time.time()):x}.{secrets.token_hex(8)}"
    return f"{made}.{_mac(made)}"


def _nonce_age(nonce: str) -> float | None:
    """Seconds since the nonce was made, or None when it is not one of ours."""
    made, _sep, mac = nonce.rpartition(".")
    if not made or not hmac.compare_digest(mac, _mac(made)):
        return None
    try:
        return time.time() - int(made.split(".", 1)[0], 16)
    except ValueError:
        return None


def opaque() -> str:
    return _mac("opaque")


def challenges(*, stale: bool = False) -> list[str]:
    """The Digest challenges of a 401 (SHA-256 first: a client takes the first it knows)."""
    extra = ", stale=true" if stale else ""
    return [
        f'Digest realm="{REALM}", qop="auth", algorithm={a}, nonce="{new_nonce()}", '
        f'opaque="{opaque()}", charset=UTF-8{extra}'
        for a in ALGORITHMS
    ]


@dataclass
class Outcome:
    device: Device | None = None
    stale: bool = False


def verify(request: HttpRequest) -> Outcome:
    """The device that signed this request with Digest, or why not (stale: ask again)."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    try:
        params = parse_keqv_list(parse_http_list(header[7:]))
    except (ValueError, IndexError):  # the standard library's parser on "k=" and the like
        return Outcome()
    algorithm = params.get("algorithm", "MD5").upper()
    needed = ("username", "realm", "nonce", "uri", "response", "qop", "nc", "cnonce")
    if algorithm not in ALGORITHMS or any(not params.get(k) for k in needed):
        return Outcome()
    if params["realm"] != REALM or params["qop"] != "auth":
        return Outcome()
    if params["uri"] != request.get_full_path() and params["uri"] != request.path:
        return Outcome()
    age = _nonce_age(params["nonce"])
    if age is None:
        return Outcome()
    try:
        nc = int(params["nc"], 16)
    except ValueError:
        return Outcome()
    device = (
        Device.objects.select_related("organisation")
        .filter(username=params["username"], revoked_at__isnull=True, organisation__is_active=True)
        .first()
    )
    if device is None or not device.digest_ha1:
        return Outcome()
    ha1 = json.loads(device.digest_ha1).get(algorithm, "")
    ha2 = _h(algorithm, f"{request.method}:{params['uri']}")
    expected = _h(
        algorithm, f"{ha1}:{params['nonce']}:{params['nc']}:{params['cnonce']}:auth:{ha2}"
    )
    if not ha1 or not hmac.compare_digest(expected, params["response"].lower()):
        return Outcome()
    if age > nonce_seconds():
        return Outcome(stale=True)  # right password, old nonce: the client retries
    if not _first_use(device, params["nonce"], nc):
        return Outcome()
    return Outcome(device)


def _first_use(device: Device, nonce: str, nc: int) -> bool:
    """Record (nonce, nc); False when this count was already seen (a replay)."""
    if nc < 1:
        return False
    try:
        with transaction.atomic():
            expires = timezone.now() + timedelta(seconds=nonce_seconds() + 60)
            DigestNonce.objects.create(nonce=nonce, device=device, last_nc=nc, expires_at=expires)
            DigestNonce.objects.filter(expires_at__lt=timezone.now()).delete()
        return True
    except IntegrityError:
        moved = DigestNonce.objects.filter(nonce=nonce, device=device, last_nc__lt=nc).update(
            last_nc=nc
        )
        return moved == 1
