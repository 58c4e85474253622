"""The blob-store port and key rules shared by every backend."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Protocol

from outguard.errors import DomainValidationError

CHUNK_SIZE = 1024 * 1024
MAX_KEY_LENGTH = 512
# Lower-case ASCII path segments only: no traversal, no look-alike Unicode, no surprises
# on case-insensitive file systems.
_SEGMENT = re.compile(r"^[a-z0-9][a-z0-9._-]{0,127}$")


class BlobStore(Protocol):
    def put(self, key: str, chunks: Iterable[bytes]) -> int:
        """Store the stream under `key` atomically; return the bytes written."""
        ...

    def open(self, key: str) -> Iterator[bytes]:
        """Stream the blob in chunks; `NotFoundError` if absent."""
        ...

    def exists(self, key: str) -> bool: ...

    def size(self, key: str) -> int: ...

    def delete(self, key: str) -> bool:
        """Remove the blob; False if it was not there."""
        ...

    def iter_keys(self, prefix: str = "") -> Iterator[str]: ...


def validate_key(key: str) -> str:
    """Refuse anything that is not `segment/segment/...` of safe characters."""
    if not key or len(key) > MAX_KEY_LENGTH:
        raise DomainValidationError("A blob key must be 1 to 512 characters.")
    segments = key.split("/")
    for segment in segments:
        if segment in {"", ".", ".."} or not _SEGMENT.match(segment) or ".." in segment:
            raise DomainValidationError(
                "A blob key is lower-case letters, digits, '.', '_' and '-' in '/'-separated parts."
            )
    return key
