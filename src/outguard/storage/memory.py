"""In-memory fake with the behaviour of the real stores (tests, demos)."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator

from outguard.errors import ConflictError, NotFoundError
from outguard.storage.base import (
    CHUNK_SIZE,
    parent_keys,
    validate_key,
    validate_prefix,
)


class InMemoryBlobStore:
    def __init__(self) -> None:
        self._blobs: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def put(self, key: str, chunks: Iterable[bytes]) -> int:
        validate_key(key)
        with self._lock:
            self._refuse_folder_conflict(key)
        data = b"".join(chunks)  # a failing stream raises before anything is stored
        with self._lock:
            self._refuse_folder_conflict(key)
            self._blobs[key] = data
        return len(data)

    def open(self, key: str) -> Iterator[bytes]:
        data = self._get(key)
        return (data[i : i + CHUNK_SIZE] for i in range(0, len(data), CHUNK_SIZE))

    def exists(self, key: str) -> bool:
        validate_key(key)
        with self._lock:
            return key in self._blobs

    def size(self, key: str) -> int:
        return len(self._get(key))

    def delete(self, key: str) -> bool:
        validate_key(key)
        with self._lock:
            return self._blobs.pop(key, None) is not None

    def iter_keys(self, prefix: str = "") -> Iterator[str]:
        validate_prefix(prefix)
        with self._lock:
            keys = sorted(k for k in self._blobs if k.startswith(prefix))
        yield from keys

    def _get(self, key: str) -> bytes:
        validate_key(key)
        with self._lock:
            data = self._blobs.get(key)
        if data is None:
            raise NotFoundError("Stored file not found.")
        return data

    def _refuse_folder_conflict(self, key: str) -> None:
        folder = key + "/"
        if any(p in self._blobs for p in parent_keys(key)) or any(
            k.startswith(folder) for k in self._blobs
        ):
            raise ConflictError(
                "A storage key cannot be both a file and a folder of files."
            )
