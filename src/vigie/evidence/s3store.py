"""S3-compatible object storage for the evidence store (split from vigie.evidence.store;
``default_store`` chooses it when ``VIGIE_EVIDENCE_S3_BUCKET`` is set)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from vigie.evidence.store import ContentMismatch, ObjectStore, StoreError


class S3ObjectStore(ObjectStore):
    """S3-compatible object storage (django-storages) for agencies.

    Objects are encrypted and hashed exactly as locally (the temporary file stays in the
    local data directory); the finished object is uploaded under
    ``<prefix>/objects/ab/cd/<sha256>``, and the temporary file is deleted. Configured by
    ``VIGIE_EVIDENCE_S3_BUCKET`` (+ ``_ENDPOINT``, ``_REGION``, ``_ACCESS_KEY``,
    ``_SECRET_KEY``, ``_PREFIX``).
    """

    local = False

    def __init__(self, storage: Any, root: Path | None = None) -> None:
        super().__init__(root)
        self.storage = storage

    @classmethod
    def from_env(cls) -> S3ObjectStore:
        from storages.backends.s3 import S3Storage

        env = os.environ.get
        storage = S3Storage(
            bucket_name=env("VIGIE_EVIDENCE_S3_BUCKET"),
            endpoint_url=env("VIGIE_EVIDENCE_S3_ENDPOINT") or None,
            region_name=env("VIGIE_EVIDENCE_S3_REGION") or None,
            access_key=env("VIGIE_EVIDENCE_S3_ACCESS_KEY") or None,
            secret_key=env("VIGIE_EVIDENCE_S3_SECRET_KEY") or None,
            location=env("VIGIE_EVIDENCE_S3_PREFIX", "vigie-evidence"),
            file_overwrite=False,
            default_acl=None,
        )
        return cls(storage)

    def key_of(self, sha256: str) -> str:
        return f"objects/{sha256[:2]}/{sha256[2:4]}/{sha256}"

    def exists(self, sha256: str) -> bool:
        return bool(self.storage.exists(self.key_of(sha256)))

    def _commit(self, tmp: Path, sha256: str, sync_dir: bool = True) -> bool:
        from django.core.files import File

        key = self.key_of(sha256)
        try:
            if self.storage.exists(key):
                tmp.unlink()
                return False
            with tmp.open("rb") as handle:
                self.storage.save(key, File(handle))
        except Exception as exc:
            if isinstance(exc, OSError):
                raise
            raise StoreError(f"object storage refused the object: {exc}") from exc
        tmp.unlink()
        return True

    def _open_raw(self, sha256: str) -> BinaryIO:
        key = self.key_of(sha256)
        if not self.storage.exists(key):
            raise ContentMismatch(f"object {sha256} is missing from the object storage")
        handle: BinaryIO = self.storage.open(key, "rb")
        return handle

    def stored_names(self) -> Iterator[str]:
        prefix = f"{self.storage.location}/objects/".lstrip("/")
        for obj in self.storage.bucket.objects.filter(Prefix=prefix):
            yield obj.key.rsplit("/", 1)[-1]
