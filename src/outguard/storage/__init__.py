"""Blob storage behind the `BlobStore` port: a local folder, or memory for tests."""

from typing import assert_never

from outguard.settings import Settings
from outguard.storage.base import (
    CHUNK_SIZE,
    BlobStore,
    validate_key,
    validate_prefix,
)
from outguard.storage.local import LocalBlobStore
from outguard.storage.memory import InMemoryBlobStore


def make_blob_store(settings: Settings) -> BlobStore:
    """The store `settings.storage.backend` names (composition roots only)."""
    backend = settings.storage.backend
    if backend == "local":
        return LocalBlobStore(settings.blob_path)
    if backend == "memory":
        return InMemoryBlobStore()
    assert_never(backend)


__all__ = [
    "CHUNK_SIZE",
    "BlobStore",
    "InMemoryBlobStore",
    "LocalBlobStore",
    "make_blob_store",
    "validate_key",
    "validate_prefix",
]
