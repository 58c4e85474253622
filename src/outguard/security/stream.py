"""Streaming AEAD for blobs of any size, in flat memory.

Layout (v1):

    "OGS1" ‖ u16 header length ‖ u8 key-id length ‖ key id ‖ salt[32] ‖ nonce prefix[7]
          ‖ u32 chunk size ‖ commitment[32]
    then segments: AES-256-GCM(chunk) with nonce = prefix ‖ u32 counter ‖ u8 last-flag,
    AAD = the whole header.

Per-file keys come from HKDF(data key, random salt), so a segment moved from another file
fails; the counter in the nonce makes reordering fail; the last-flag makes truncation at a
segment boundary fail; the commitment (an HMAC under a second HKDF output) is checked
before anything is decrypted, so a wrong key is reported as such and never yields garbage.
A consumer that must not see partial plaintext stages it (the blob store writes to a temp
file and renames on success): a stream can only be known complete at its end.
"""

from __future__ import annotations

import hmac
import secrets
import struct
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from outguard.errors import TamperDetectedError
from outguard.security.aead import require_key

MAGIC = b"OGS1"
SALT_BYTES = 32
PREFIX_BYTES = 7
TAG_BYTES = 16
COMMIT_BYTES = 32
DEFAULT_CHUNK = 1 << 20
MAX_CHUNK = 1 << 26
MAX_SEGMENTS = 1 << 32


@dataclass(frozen=True)
class StreamHeader:
    key_id: str
    salt: bytes
    prefix: bytes
    chunk_size: int
    commitment: bytes

    def body(self) -> bytes:
        kid = self.key_id.encode()
        return (
            struct.pack(">B", len(kid))
            + kid
            + self.salt
            + self.prefix
            + struct.pack(">I", self.chunk_size)
        )

    def encode(self) -> bytes:
        rest = self.body() + self.commitment
        return MAGIC + struct.pack(">H", len(rest)) + rest


def _derive(dek: bytes, header: StreamHeader) -> tuple[AESGCM, bytes]:
    material = HKDF(
        algorithm=hashes.SHA256(),
        length=64,
        salt=header.salt,
        info=b"outguard/stream/v1\x00" + header.key_id.encode(),
    ).derive(require_key(dek, "data key"))
    commit_key = material[32:]
    commitment = hmac.new(commit_key, MAGIC + header.body(), "sha256").digest()
    return AESGCM(material[:32]), commitment


def _nonce(prefix: bytes, counter: int, last: bool) -> bytes:
    if counter >= MAX_SEGMENTS:
        raise TamperDetectedError(
            "The stream has more segments than the format allows."
        )
    return prefix + struct.pack(">IB", counter, 1 if last else 0)


def _rechunk(chunks: Iterable[bytes], size: int) -> Iterator[bytes | memoryview]:
    """Fixed-size pieces from any-size pieces (the last may be shorter or empty).

    Pieces that already have the right size pass through without a copy: the hot path
    for blobs read in the same block size.
    """
    pending = bytearray()
    for chunk in chunks:
        if not pending and len(chunk) == size:
            yield chunk
            continue
        view = memoryview(chunk)
        if pending:
            need = size - len(pending)
            pending += view[:need]
            view = view[need:]
            if len(pending) < size:
                continue
            yield bytes(pending)
            pending = bytearray()
        while len(view) >= size:
            yield view[:size]
            view = view[size:]
        pending += view
    yield bytes(pending)


def _with_last(
    pieces: Iterator[bytes | memoryview],
) -> Iterator[tuple[bytes | memoryview, bool]]:
    """Each piece with a flag telling whether it is the last (one piece of lookahead)."""
    previous = next(pieces)
    for piece in pieces:
        if piece:  # a trailing empty piece only marks the end
            yield previous, False
            previous = piece
    yield previous, True


def encrypt_stream(
    dek: bytes, key_id: str, chunks: Iterable[bytes], *, chunk_size: int = DEFAULT_CHUNK
) -> Iterator[bytes]:
    if not 0 < chunk_size <= MAX_CHUNK:
        msg = f"chunk_size must be between 1 and {MAX_CHUNK} bytes"
        raise ValueError(msg)
    if len(key_id.encode()) > 255:  # noqa: PLR2004 - one length byte
        msg = "key id must be at most 255 bytes"
        raise ValueError(msg)
    draft = StreamHeader(
        key_id,
        secrets.token_bytes(SALT_BYTES),
        secrets.token_bytes(PREFIX_BYTES),
        chunk_size,
        b"",
    )
    aead, commitment = _derive(dek, draft)
    header = StreamHeader(
        draft.key_id, draft.salt, draft.prefix, chunk_size, commitment
    )
    aad = header.encode()
    yield aad
    for counter, (piece, last) in enumerate(_with_last(_rechunk(chunks, chunk_size))):
        yield aead.encrypt(_nonce(header.prefix, counter, last), piece, aad)


class _Reader:
    """Reads exact byte counts from an iterator of chunks.

    Whole chunks that already have the requested size are returned without a copy (the
    usual case: segments as they were written).
    """

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._it = iter(chunks)
        self._queue: deque[memoryview] = deque()
        self._queued = 0
        self._done = False

    def _fill(self, n: int) -> None:
        while self._queued < n and not self._done:
            try:
                chunk = next(self._it)
            except StopIteration:
                self._done = True
            else:
                if chunk:
                    self._queue.append(memoryview(chunk))
                    self._queued += len(chunk)

    def read(self, n: int) -> bytes | memoryview:
        self._fill(n)
        if self._queue and len(self._queue[0]) == n:
            self._queued -= n
            return self._queue.popleft()
        parts: list[memoryview] = []
        want = n
        while want and self._queue:
            head = self._queue[0]
            if len(head) <= want:
                parts.append(self._queue.popleft())
                want -= len(head)
            else:
                parts.append(head[:want])
                self._queue[0] = head[want:]
                want = 0
        taken = n - want
        self._queued -= taken
        return b"".join(parts)

    def at_end(self) -> bool:
        self._fill(1)
        return self._queued == 0


def read_header(chunks: Iterable[bytes]) -> tuple[StreamHeader, _Reader]:
    reader = _Reader(chunks)
    if bytes(reader.read(len(MAGIC))) != MAGIC:
        raise TamperDetectedError("Not an outguard encrypted stream (bad magic).")
    (length,) = struct.unpack(">H", bytes(reader.read(2)).rjust(2, b"\x00"))
    rest = bytes(reader.read(length))
    if len(rest) != length or length < 1:
        raise TamperDetectedError("The encrypted stream's header is truncated.")
    kid_len = rest[0]
    expected = 1 + kid_len + SALT_BYTES + PREFIX_BYTES + 4 + COMMIT_BYTES
    if length != expected:
        raise TamperDetectedError("The encrypted stream's header is malformed.")
    pos = 1 + kid_len
    try:
        key_id = rest[1:pos].decode()
    except UnicodeDecodeError as exc:
        raise TamperDetectedError(
            "The encrypted stream's header is malformed."
        ) from exc
    salt = rest[pos : pos + SALT_BYTES]
    pos += SALT_BYTES
    prefix = rest[pos : pos + PREFIX_BYTES]
    pos += PREFIX_BYTES
    (chunk_size,) = struct.unpack(">I", rest[pos : pos + 4])
    if not 0 < chunk_size <= MAX_CHUNK:
        raise TamperDetectedError("The encrypted stream's header is malformed.")
    return StreamHeader(key_id, salt, prefix, chunk_size, rest[pos + 4 :]), reader


def decrypt_stream(dek: bytes, chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Yield authenticated plaintext; raise `TamperDetectedError` on any alteration."""
    header, reader = read_header(chunks)
    aead, commitment = _derive(dek, header)
    if not hmac.compare_digest(commitment, header.commitment):
        raise TamperDetectedError(
            "Wrong key for this stream, or its header was altered."
        )
    aad = header.encode()
    segment = header.chunk_size + TAG_BYTES
    counter = 0
    while True:
        data = reader.read(segment)
        last = reader.at_end()
        if len(data) < TAG_BYTES:
            raise TamperDetectedError("The encrypted stream is truncated.")
        try:
            yield aead.decrypt(_nonce(header.prefix, counter, last), data, aad)
        except InvalidTag as exc:
            raise TamperDetectedError(
                "The encrypted stream was altered, truncated or reordered."
            ) from exc
        if last:
            return
        counter += 1


def stream_key_id(first_bytes: bytes) -> str:
    """The key id named in a stream's header (to look the data key up before decrypting)."""
    header, _ = read_header([first_bytes])
    return header.key_id
