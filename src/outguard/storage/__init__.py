"""Blob storage behind the `BlobStore` port: a local folder, or memory for tests."""

from outguard.settings import Settings
from outguard.storage.base import BlobStore, validate_key
from outguard.storage.local import LocalBlobStore
from outguard.storage.memory import InMemoryBlobStore


def make_blob_store(settings: Settings) -> BlobStore:
    if settings.storage.backend == "memory":
        return InMemoryBlobStore()
    return LocalBlobStore(settings.blob_path)


__all__ = [
    "BlobStore",
    "InMemoryBlobStore",
    "LocalBlobStore",
    "make_blob_store",
    "validate_key",
]
