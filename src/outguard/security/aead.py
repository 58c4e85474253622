"""Envelope encryption: key providers, wrapped keys bound to their context, streaming AEAD.

Hierarchy: a root key (behind `KeyProvider`, so a KMS or Vault Transit can hold it) wraps
versioned per-tenant key-encryption keys (KEKs); a KEK wraps random per-object data keys
(DEKs); a DEK encrypts the object. Every wrap is AES-256-GCM with an AAD that binds tenant,
object id, purpose, key version and algorithm in a canonical encoding, so a wrapped key moved
to another row, tenant or purpose fails to unwrap.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from dataclasses import dataclass, field
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from outguard.errors import TamperDetectedError

KEY_BYTES = 32
NONCE_BYTES = 12
WRAP_ALG = "A256GCM-wrap-v1"
# What `json.dumps(ensure_ascii=False)` escapes in a string: without it, a string is its JSON.
_JSON_ESCAPED = re.compile(r'[\x00-\x1f"\\]')


class KeyLengthError(ValueError):
    """A key of the wrong length was given (the message names the expected length)."""


def require_key(key: bytes, what: str = "key") -> bytes:
    if len(key) != KEY_BYTES:
        msg = f"{what} must be {KEY_BYTES} bytes (AES-256), got {len(key)}"
        raise KeyLengthError(msg)
    return key


def new_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


@dataclass(frozen=True)
class KeyContext:
    """What a wrapped key belongs to; its canonical encoding is the AAD of the wrap."""

    tenant: str
    object_id: str
    purpose: str
    key_version: int
    algorithm: str = WRAP_ALG

    def aad(self) -> bytes:
        """Canonical JSON of the context (sorted keys, no spaces), UTF-8."""
        parts = (self.algorithm, self.object_id, self.purpose, self.tenant)
        if type(self.key_version) is int and all(
            type(p) is str and _JSON_ESCAPED.search(p) is None for p in parts
        ):  # the common case, written directly: the bytes json.dumps gives
            return (
                f'{{"alg":"{parts[0]}","object":"{parts[1]}","purpose":"{parts[2]}",'
                f'"tenant":"{parts[3]}","v":{self.key_version}}}'
            ).encode()
        return self.canonical_json()

    def canonical_json(self) -> bytes:
        """The definition of the AAD (`aad` writes the same bytes faster when it can)."""
        return json.dumps(
            {
                "alg": self.algorithm,
                "object": self.object_id,
                "purpose": self.purpose,
                "tenant": self.tenant,
                "v": self.key_version,
            },
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
        ).encode()


@dataclass(frozen=True)
class SecretKey:
    """Key material that never prints itself."""

    material: bytes = field(repr=False)

    def __post_init__(self) -> None:
        require_key(self.material)

    def __repr__(self) -> str:
        return "SecretKey(<redacted>)"

    def __str__(self) -> str:
        return "<redacted>"


def wrap(kek: bytes, plaintext_key: bytes, context: KeyContext) -> bytes:
    """Nonce ‖ AES-256-GCM(kek, key, aad=context)."""
    require_key(kek, "key-encryption key")
    require_key(plaintext_key, "wrapped key")
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce + AESGCM(kek).encrypt(nonce, plaintext_key, context.aad())


def unwrap(kek: bytes, wrapped: bytes, context: KeyContext) -> bytes:
    require_key(kek, "key-encryption key")
    if len(wrapped) != NONCE_BYTES + KEY_BYTES + 16:
        raise TamperDetectedError("A wrapped key has the wrong length.")
    try:
        return AESGCM(kek).decrypt(
            wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], context.aad()
        )
    except InvalidTag as exc:
        raise TamperDetectedError("A wrapped key failed its integrity check.") from exc


class KeyProvider(Protocol):
    """Holds the root key and wraps/unwraps KEKs with it (a KMS or Vault Transit fits here)."""

    @property
    def key_id(self) -> str: ...

    def wrap(self, plaintext_key: bytes, context: KeyContext) -> bytes: ...

    def unwrap(self, wrapped: bytes, context: KeyContext) -> bytes: ...


class LocalKeyProvider:
    """The root key in process memory, read by the composition root from a file or variable."""

    def __init__(self, root_key: bytes) -> None:
        self._root = require_key(root_key, "root key")
        digest = hashlib.sha256(b"outguard/root-key-id/v1" + self._root).hexdigest()
        self._key_id = f"local:{digest[:16]}"

    @property
    def key_id(self) -> str:
        return self._key_id

    def wrap(self, plaintext_key: bytes, context: KeyContext) -> bytes:
        return wrap(self._root, plaintext_key, context)

    def unwrap(self, wrapped: bytes, context: KeyContext) -> bytes:
        return unwrap(self._root, wrapped, context)

    def __repr__(self) -> str:
        return f"LocalKeyProvider(key_id={self._key_id!r})"


class StaticKeyProvider(LocalKeyProvider):
    """Test fake: a fixed root key, named so that production settings refuse it."""

    def __init__(self, root_key: bytes = b"\x01" * KEY_BYTES) -> None:
        super().__init__(root_key)


def key_fingerprint(key: bytes) -> str:
    """A short, non-reversible name for a key (for destruction certificates and logs)."""
    return hmac.new(b"outguard/key-fingerprint/v1", key, hashlib.sha256).hexdigest()[
        :32
    ]


def keyed_digest(key: bytes, label: str, value: str) -> bytes:
    """HMAC-SHA-256 of a labelled value: equality lookups without storing the value."""
    require_key(key)
    message = label.encode() + b"\x00" + value.encode("utf-8", "surrogatepass")
    return hmac.digest(key, message, "sha256")  # one C call: the same bytes as hmac.new


def seal(key: bytes, plaintext: bytes, context: KeyContext) -> bytes:
    """Nonce ‖ AES-256-GCM(key, small value, aad=context): vault entries and the like."""
    require_key(key)
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, context.aad())


def open_sealed(key: bytes, sealed: bytes, context: KeyContext) -> bytes:
    require_key(key)
    return _open(AESGCM(key), sealed, context)


def _open(cipher: AESGCM, sealed: bytes, context: KeyContext) -> bytes:
    if len(sealed) < NONCE_BYTES + 16:
        raise TamperDetectedError("A sealed value is truncated.")
    try:
        return cipher.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], context.aad())
    except InvalidTag as exc:
        raise TamperDetectedError("A sealed value failed its integrity check.") from exc


class Sealer:
    """`seal` and `open_sealed` under one key, for many values: the cipher is set up once."""

    def __init__(self, key: bytes) -> None:
        self._cipher = AESGCM(require_key(key))

    def __repr__(self) -> str:
        return "Sealer(key=<redacted>)"

    def seal(self, plaintext: bytes, context: KeyContext) -> bytes:
        nonce = secrets.token_bytes(NONCE_BYTES)
        return nonce + self._cipher.encrypt(nonce, plaintext, context.aad())

    def open(self, sealed: bytes, context: KeyContext) -> bytes:
        return _open(self._cipher, sealed, context)
