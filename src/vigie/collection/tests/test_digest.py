"""HTTP Digest (RFC 7616) for ODK Collect and KoBoCollect: SHA-256 and MD5, qop=auth, nonces
that expire (stale=true) and replays refused, beside Basic."""

from __future__ import annotations

import hashlib
import time
from typing import Any
from urllib.request import parse_http_list, parse_keqv_list

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given, settings
from hypothesis import strategies as st

from vigie.collection import digest, services
from vigie.collection.models import Submission
from vigie.collection.tests.conftest import instance
from vigie.core.actor import Actor

pytestmark = pytest.mark.django_db
URL = "/collect/own-org"
H = {"MD5": hashlib.md5, "SHA-256": hashlib.sha256}


def response_of(
    algorithm: str,
    username: str,
    realm: str,
    password: str,
    method: str,
    uri: str,
    nonce: str,
    nc: str,
    cnonce: str,
) -> str:
    """RFC 7616 section 3.4.1 with qop=auth, as a client computes it."""

    def h(text: str) -> str:
        return H[algorithm](text.encode()).hexdigest()

    ha1 = h(f"{username}:{realm}:{password}")
    return h(f"{ha1}:{nonce}:{nc}:{cnonce}:auth:{h(f'{method}:{uri}')}")


def test_the_client_side_matches_the_rfc_example() -> None:
    """RFC 7616 section 3.9.1 (Mufasa), both algorithms."""
    args = (
        "Mufasa",
        "http-auth@example.org",
        "Circle of Life",
        "GET",
        "/dir/index.html",
        "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
        "00000001",
        "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
    )
    assert response_of("MD5", *args) == "8ca523f5e9506fed4657c9700eebdbec"
    assert (
        response_of("SHA-256", *args)
        == "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"
    )


def challenges(response: Any) -> list[dict[str, str]]:
    """The Digest challenges of a WWW-Authenticate header (Basic is offered after them)."""
    header = response["WWW-Authenticate"]
    assert header.endswith('Basic realm="Vigie collect", charset="UTF-8"')
    out = []
    for part in header.split("Digest ")[1:]:
        out.append(parse_keqv_list(parse_http_list(part.rstrip(", ").split(", Basic")[0])))
    return out


def authorization(
    issued: Any,
    method: str,
    uri: str,
    challenge: dict[str, str],
    nc: int = 1,
    password: str | None = None,
) -> str:
    algorithm, cnonce = challenge["algorithm"], "0a4f113b"
    value = response_of(
        algorithm,
        issued.device.username,
        challenge["realm"],
        password or issued.secret,
        method,
        uri,
        challenge["nonce"],
        f"{nc:08x}",
        cnonce,
    )
    return (
        f'Digest username="{issued.device.username}", realm="{challenge["realm"]}", '
        f'nonce="{challenge["nonce"]}", uri="{uri}", algorithm={algorithm}, '
        f'response="{value}", qop=auth, nc={nc:08x}, cnonce="{cnonce}", '
        f'opaque="{challenge["opaque"]}"'
    )


@pytest.mark.parametrize("algorithm", ["SHA-256", "MD5"])
def test_submission_with_digest(client: Any, published: Any, device: Any, algorithm: str) -> None:
    first = client.head(f"{URL}/submission")
    assert first.status_code == 401
    offered = {c["algorithm"]: c for c in challenges(first)}
    assert set(offered) == {"SHA-256", "MD5"} and offered[algorithm]["qop"] == "auth"
    challenge = offered[algorithm]
    head = client.head(
        f"{URL}/submission",
        HTTP_AUTHORIZATION=authorization(device, "HEAD", f"{URL}/submission", challenge),
    )
    assert head.status_code == 204
    sent = {"xml_submission_file": SimpleUploadedFile("submission.xml", instance())}
    auth = authorization(device, "POST", f"{URL}/submission", challenge, nc=2)
    posted = client.post(f"{URL}/submission", sent, HTTP_AUTHORIZATION=auth)
    assert posted.status_code == 201, posted.content
    assert Submission.objects.get().device == device.device


def test_replay_wrong_password_forged_and_revoked_are_refused(
    client: Any, published: Any, device: Any
) -> None:
    challenge = challenges(client.get(f"{URL}/formList"))[0]
    url = f"{URL}/formList"
    ok = authorization(device, "GET", url, challenge)
    assert client.get(url, HTTP_AUTHORIZATION=ok).status_code == 200
    assert client.get(url, HTTP_AUTHORIZATION=ok).status_code == 401  # the same nc again
    later = authorization(device, "GET", url, challenge, nc=5)
    assert client.get(url, HTTP_AUTHORIZATION=later).status_code == 200
    lower = authorization(device, "GET", url, challenge, nc=3)
    assert client.get(url, HTTP_AUTHORIZATION=lower).status_code == 401
    wrong = authorization(device, "GET", url, challenge, nc=6, password="guess")
    assert client.get(url, HTTP_AUTHORIZATION=wrong).status_code == 401
    forged = {**challenge, "nonce": "1.2.3"}
    assert (
        client.get(url, HTTP_AUTHORIZATION=authorization(device, "GET", url, forged)).status_code
        == 401
    )
    other_uri = authorization(device, "GET", f"{URL}/submission", challenge, nc=7)
    assert client.get(url, HTTP_AUTHORIZATION=other_uri).status_code == 401
    services.revoke_device(Actor.system("test"), device.device)
    again = authorization(device, "GET", url, challenge, nc=8)
    assert client.get(url, HTTP_AUTHORIZATION=again).status_code == 401


def test_an_expired_nonce_is_stale(client: Any, published: Any, device: Any) -> None:
    challenge = challenges(client.get(f"{URL}/formList"))[0]
    old = {**challenge, "nonce": digest.new_nonce(time.time() - digest.nonce_seconds() - 5)}
    url = f"{URL}/formList"
    response = client.get(url, HTTP_AUTHORIZATION=authorization(device, "GET", url, old))
    assert response.status_code == 401
    assert all(c.get("stale") == "true" for c in challenges(response))
    # the same request with a wrong password is not told its nonce is merely stale
    wrong = authorization(device, "GET", url, old, password="guess")
    assert "stale" not in client.get(url, HTTP_AUTHORIZATION=wrong)["WWW-Authenticate"]


def test_basic_still_works_beside_digest(client: Any, published: Any, device: Any) -> None:
    from vigie.collection.tests.conftest import basic

    assert client.get(f"{URL}/formList", **basic(device)).status_code == 200


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300))
def test_any_digest_header_is_answered_401_never_a_crash(header: str) -> None:
    from django.test import Client

    from vigie.core.models import Organisation

    Organisation.objects.get_or_create(code="own-org", defaults={"name": "Own org"})
    response = Client().get(f"{URL}/formList", HTTP_AUTHORIZATION="Digest " + header)
    assert response.status_code == 401
