"""Ed25519 signing keys for checkpoints and certificates (the kernel owns `cryptography`).

The audit package's signed-note code takes plain callables (`sign`, `check`); this module
provides them, and a private key type that never prints itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

PRIVATE_KEY_BYTES = 32
PUBLIC_KEY_BYTES = 32


class SigningKeyError(ValueError):
    """A signing key of the wrong size or shape (the message says which)."""


@dataclass(frozen=True)
class SigningKey:
    """An Ed25519 private key (raw 32 bytes): signs, tells its public key, never prints."""

    material: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.material) != PRIVATE_KEY_BYTES:
            msg = f"an Ed25519 private key is {PRIVATE_KEY_BYTES} bytes, got {len(self.material)}"
            raise SigningKeyError(msg)

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(Ed25519PrivateKey.generate().private_bytes_raw())

    def __repr__(self) -> str:
        return "SigningKey(<redacted>)"

    @property
    def public_key(self) -> bytes:
        return (
            Ed25519PrivateKey.from_private_bytes(self.material)
            .public_key()
            .public_bytes_raw()
        )

    def sign(self, message: bytes) -> bytes:
        return Ed25519PrivateKey.from_private_bytes(self.material).sign(message)


def check_signature(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """True only for a valid signature; junk keys or signatures give False, never raise."""
    if len(public_key) != PUBLIC_KEY_BYTES:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True
