"""In-memory fake with the same behaviour as the real stores (tests)."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator

from outguard.errors import NotFoundError
from outguard.storage.base import CHUNK_SIZE, validate_key


class InMemoryBlobStore:
    def __init__(self) -> None:
        self._blobs: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def put(self, key: str, chunks: Iterable[bytes]) -> int:
        validate_key(key)
        data = b"".join(chunks)  # a failing stream raises before anything is stored
        with self._lock:
            self._blobs[key] = data
        return len(data)

    def open(self, key: str) -> Iterator[bytes]:
        validate_key(key)
        with self._lock:
            data = self._blobs.get(key)
        if data is None:
            raise NotFoundError("Stored file not found.")
        return (data[i : i + CHUNK_SIZE] for i in range(0, len(data), CHUNK_SIZE))

    def exists(self, key: str) -> bool:
        validate_key(key)
        return key in self._blobs

    def size(self, key: str) -> int:
        validate_key(key)
        if key not in self._blobs:
            raise NotFoundError("Stored file not found.")
        return len(self._blobs[key])

    def delete(self, key: str) -> bool:
        validate_key(key)
        with self._lock:
            return self._blobs.pop(key, None) is not None

    def iter_keys(self, prefix: str = "") -> Iterator[str]:
        with self._lock:
            keys = sorted(self._blobs)
        yield from (k for k in keys if k.startswith(prefix))
