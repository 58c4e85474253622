"""Blobs encrypted with a data key of their own: written sealed, read back authenticated.

Envelope encryption: the blob is the streaming AEAD of `security.stream` under a fresh data
key, the data key is stored wrapped (keystore), and destroying that key (`destroy_data_key`)
makes the blob unreadable for good, wherever copies of it went (backups included).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from outguard.db import Session
from outguard.keystore.service import create_data_key, load_data_key
from outguard.security.aead import KeyProvider
from outguard.security.stream import decrypt_stream, encrypt_stream
from outguard.storage import BlobStore
from outguard.types import Clock


def put_sealed(
    session: Session,
    provider: KeyProvider,
    blobs: BlobStore,
    *,
    tenant: str,
    key_id: str,
    purpose: str,
    blob_key: str,
    chunks: Iterable[bytes],
    clock: Clock,
) -> int:
    """Encrypt `chunks` as they stream in under a new data key; returns the blob's size.

    Nothing is written in clear. If `chunks` raises (too large, client gone), the store's
    atomic write leaves no blob, and the key row goes with the caller's rolled-back
    transaction.
    """
    dek = create_data_key(
        session, provider, tenant=tenant, key_id=key_id, purpose=purpose, clock=clock
    )
    return blobs.put(blob_key, encrypt_stream(dek, key_id, chunks))


def read_sealed(
    session: Session,
    provider: KeyProvider,
    blobs: BlobStore,
    *,
    tenant: str,
    key_id: str,
    blob_key: str,
) -> Iterator[bytes]:
    """The clear content, chunk by chunk, each authenticated before it is yielded.

    Raises `KeyDestroyedError` once the key is shredded, `TamperDetectedError` if the blob
    was altered, truncated or swapped for another.
    """
    dek = load_data_key(session, provider, tenant=tenant, key_id=key_id)
    return decrypt_stream(dek, blobs.open(blob_key))


def read_sealed_bytes(
    session: Session,
    provider: KeyProvider,
    blobs: BlobStore,
    *,
    tenant: str,
    key_id: str,
    blob_key: str,
) -> bytes:
    """`read_sealed`, whole, in memory: for a scan, a rendition or a response."""
    return b"".join(
        read_sealed(
            session, provider, blobs, tenant=tenant, key_id=key_id, blob_key=blob_key
        )
    )
