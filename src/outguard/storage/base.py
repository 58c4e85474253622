"""The blob-store port and the key rules every backend shares.

A key is `/`-separated segments of lower-case ASCII letters, digits, `.`, `_` and `-`,
each starting with a letter or digit: `datasets/3f2a.../v1.bin`. Anything else is refused
with `DomainValidationError` before a backend sees it, so no key can climb out of the
store's root (`..`, absolute paths, backslashes), smuggle a NUL or a newline, or alias another
key through Unicode look-alikes or case folding.

A key is either a blob or a folder of blobs, never both: storing `a` while `a/b` exists
(or the reverse) raises `ConflictError` in every backend.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Protocol

from outguard.errors import DomainValidationError

CHUNK_SIZE = 1024 * 1024
MAX_KEY_LENGTH = 512
MAX_SEGMENT_LENGTH = 128
# ASCII only (`[a-z]` never matches look-alikes such as `ａ` or `ı`); matched with
# `fullmatch`, because `$` would accept a trailing newline.
_SEGMENT = re.compile(r"[a-z0-9][a-z0-9._-]{0,127}")
_PREFIX = re.compile(r"[a-z0-9._/-]*")


class BlobStore(Protocol):
    """Where file contents live. Keys are validated by `validate_key`."""

    def put(self, key: str, chunks: Iterable[bytes]) -> int:
        """Store the stream under `key` atomically and return the bytes written.

        If the stream raises, nothing is stored (an existing blob is left as it was)
        and the error propagates.
        """
        ...

    def open(self, key: str) -> Iterator[bytes]:
        """Stream the blob in chunks of at most `CHUNK_SIZE`; `NotFoundError` if absent."""
        ...

    def exists(self, key: str) -> bool:
        """Whether a blob (not a folder) is stored under `key`."""
        ...

    def size(self, key: str) -> int:
        """The blob's length in bytes; `NotFoundError` if absent."""
        ...

    def delete(self, key: str) -> bool:
        """Remove the blob; False if it was not there."""
        ...

    def iter_keys(self, prefix: str = "") -> Iterator[str]:
        """Every stored key starting with `prefix`, in sorted order."""
        ...


def validate_key(key: str) -> str:
    """Return `key` if it is a safe blob key, else raise `DomainValidationError`."""
    if not key or len(key) > MAX_KEY_LENGTH:
        raise DomainValidationError(
            f"A storage key must be 1 to {MAX_KEY_LENGTH} characters."
        )
    for segment in key.split("/"):
        if not _SEGMENT.fullmatch(segment) or ".." in segment:
            raise DomainValidationError(
                "A storage key is made of '/'-separated parts of lower-case letters, "
                "digits, '.', '_' and '-', each starting with a letter or digit."
            )
    return key


def validate_prefix(prefix: str) -> str:
    """A listing prefix: the characters of a key, possibly ending part-way or in `/`."""
    if (
        len(prefix) > MAX_KEY_LENGTH
        or not _PREFIX.fullmatch(prefix)
        or ".." in prefix
        or prefix.startswith("/")
        or "//" in prefix
    ):
        raise DomainValidationError("That is not a valid storage key prefix.")
    return prefix


def parent_keys(key: str) -> list[str]:
    """`a/b/c` -> `["a", "a/b"]`: the folders a key lives in."""
    parts = key.split("/")
    return ["/".join(parts[:i]) for i in range(1, len(parts))]
