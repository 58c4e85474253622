"""Keyed 64-bit fingerprints of values: what went to whom, with nothing stored in clear.

A rendition registers, per field kind, the fingerprints of the originals it tokenized (its
"sent" set), of its canary values and of the pseudonyms it rendered. A fingerprint is
BLAKE2b keyed with the tenant's fingerprint key (a random data key in the key store), so the
sets reveal nothing without that key, and an SSN's small value space cannot be brute-forced
from a stolen database. Sets are sorted `uint64` arrays: 8 bytes a value, membership by
binary search, a million values in 8 MB.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

import numpy as np

from outguard.security.aead import require_key

DIGEST_BYTES = 8


def normalise(value: str) -> str:
    """The form a value is fingerprinted under: trimmed, a neutralised formula's quote dropped."""
    return value.strip().removeprefix("'")


def fingerprints(key: bytes, label: str, values: Iterable[str]) -> np.ndarray:
    """Sorted, distinct keyed fingerprints of the non-empty values (the label separates kinds)."""
    require_key(key, "fingerprint key")
    person = label.encode()[:16]
    blake2b = hashlib.blake2b
    # Each distinct value hashed once: the set is the same, a column repeats itself.
    digests = [
        blake2b(
            v.encode("utf-8", "surrogatepass"),
            key=key,
            digest_size=DIGEST_BYTES,
            person=person,
        ).digest()
        for v in dict.fromkeys([normalise(v) for v in values])
        if v
    ]
    if not digests:
        return np.zeros(0, dtype=np.uint64)
    array = np.frombuffer(b"".join(digests), dtype="<u8")
    return np.unique(array)


def to_bytes(digests: np.ndarray) -> bytes:
    return np.ascontiguousarray(digests, dtype="<u8").tobytes()


def from_bytes(blob: bytes) -> np.ndarray:
    if len(blob) % DIGEST_BYTES:
        msg = "a fingerprint set is a whole number of 8-byte digests"
        raise ValueError(msg)
    return np.frombuffer(blob, dtype="<u8").astype(np.uint64)


def union(sets: Sequence[np.ndarray]) -> np.ndarray:
    if not sets:
        return np.zeros(0, dtype=np.uint64)
    return np.unique(np.concatenate(sets))


def contains(sorted_set: np.ndarray, digests: np.ndarray) -> np.ndarray:
    """Boolean membership of each digest in a sorted set."""
    if sorted_set.size == 0 or digests.size == 0:
        return np.zeros(digests.shape, dtype=bool)
    at = np.searchsorted(sorted_set, digests)
    at[at == sorted_set.size] = 0
    found: np.ndarray = sorted_set[at] == digests
    return found


def member_mask(
    key: bytes, label: str, values: Sequence[str], sorted_set: np.ndarray
) -> list[bool]:
    """Per value (same order, empties False): is its fingerprint in the set?

    Each distinct value is hashed once: a column repeats itself (departments, hours, codes).
    """
    if sorted_set.size == 0:
        return [False] * len(values)
    require_key(key, "fingerprint key")
    person = label.encode()[:16]
    normalised = [normalise(v) for v in values]
    distinct = [t for t in dict.fromkeys(normalised) if t]
    if not distinct:
        return [False] * len(values)
    blake2b = hashlib.blake2b
    digests = b"".join(
        [
            blake2b(
                t.encode("utf-8", "surrogatepass"),
                key=key,
                digest_size=DIGEST_BYTES,
                person=person,
            ).digest()
            for t in distinct
        ]
    )
    hits = contains(
        sorted_set, np.frombuffer(digests, dtype="<u8").astype(np.uint64)
    ).tolist()
    found = dict(zip(distinct, hits, strict=True))
    return [found.get(t, False) for t in normalised]
