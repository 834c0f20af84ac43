"""The same vault on S3-compatible object storage: a moto server on 127.0.0.1 started here."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from vigie.core.actor import Actor
from vigie.evidence import store
from vigie.evidence.tests.factories import add, jpeg_with_exif
from vigie.evidence.verify import unreferenced_objects, verify_all
from vigie.testing import World


@pytest.fixture
def s3(monkeypatch: Any) -> Iterator[Any]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    env = {
        "VIGIE_EVIDENCE_S3_BUCKET": "vault",
        "VIGIE_EVIDENCE_S3_ENDPOINT": endpoint,
        "VIGIE_EVIDENCE_S3_REGION": "us-east-1",
        "VIGIE_EVIDENCE_S3_ACCESS_KEY": "test",
        "VIGIE_EVIDENCE_S3_SECRET_KEY": "test",
    }
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    client.create_bucket(Bucket="vault")
    try:
        yield client
    finally:
        server.stop()


def test_ingest_verify_tamper_on_s3(world: World, s3: Any, vault_dir: Any) -> None:
    data = jpeg_with_exif("S3 camera")
    first = add(world, data, name="a.jpg").item
    again = add(world, data, name="b.jpg")
    assert again.duplicate_of == first and not again.created_object
    assert first.blob.metadata.data["exif"]["Model"] == "S3 camera"
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="vault")["Contents"]]
    assert keys == [
        f"vigie-evidence/objects/{first.blob.sha256[:2]}/{first.blob.sha256[2:4]}/"
        f"{first.blob.sha256}"
    ]
    assert not (vault_dir / "evidence" / "objects").exists()  # nothing kept locally
    assert list((vault_dir / "evidence" / "tmp").iterdir()) == []
    assert b"".join(store.default_store().open(first.blob.sha256)) == data
    assert verify_all().ok and unreferenced_objects() == []

    raw = bytearray(s3.get_object(Bucket="vault", Key=keys[0])["Body"].read())
    raw[-40] ^= 1
    s3.put_object(Bucket="vault", Key=keys[0], Body=bytes(raw))
    problems = verify_all().problems
    assert {p.where for p in problems} == {f"item {first.uuid}", f"item {again.item.uuid}"}
    assert all("fails authentication" in p.message for p in problems)
    s3.delete_object(Bucket="vault", Key=keys[0])
    assert "missing from the object storage" in verify_all().problems[0].message


def test_unreachable_object_storage_is_reported(world: World, s3: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("VIGIE_EVIDENCE_S3_BUCKET", "no-such-bucket")
    with pytest.raises(store.StoreError, match="object storage refused"):
        add(world, b"lost?")
    from vigie.evidence.models import Item

    assert Item.objects.count() == 0


def test_batched_ingest_on_s3(world: World, s3: Any, vault_dir: Any, tmp_path: Any) -> None:
    from vigie.evidence import batch, services

    paths = []
    for i, data in enumerate([b"one", b"two", b"one"]):
        path = tmp_path / f"s3-{i}.bin"
        path.write_bytes(data)
        paths.append(path)
    outs = list(
        batch.ingest_many(
            Actor.system("test", world.own.pk),
            world.own,
            [(p.name, batch.file_opener(p)) for p in paths],
            collection=services.Collection(case_ref="S3-B", external_case=True),
            batch_size=2,
        )
    )
    assert [o.error for o in outs] == ["", "", ""]
    assert outs[2].duplicate_of == outs[0].item
    assert len(s3.list_objects_v2(Bucket="vault")["Contents"]) == 2
    assert not (vault_dir / "evidence" / "objects").exists()
    assert list((vault_dir / "evidence" / "tmp").iterdir()) == []
    assert verify_all().ok
