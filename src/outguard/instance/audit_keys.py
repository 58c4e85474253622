"""The instance's audit signer and verifier, as the signed-note code wants them."""

from __future__ import annotations

import hashlib

from outguard.audit.checkpoint import SignerKey, VerifierKey
from outguard.instance.home import load_audit_key
from outguard.security.signing import SigningKey, check_signature
from outguard.settings import Settings


def origin_for(public_key: bytes) -> str:
    """The log's name in its checkpoints: stable per instance, from its public key."""
    return f"outguard.audit/{hashlib.sha256(public_key).hexdigest()[:16]}"


def signer_from(key: SigningKey) -> SignerKey:
    return SignerKey(origin_for(key.public_key), key.public_key, key.sign)


def audit_signer(settings: Settings) -> tuple[SignerKey, bool]:
    key, created = load_audit_key(settings)
    return signer_from(key), created


def verifier_of(signer: SignerKey) -> VerifierKey:
    return signer.verifier(check_signature)
