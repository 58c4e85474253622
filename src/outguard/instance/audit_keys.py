"""The instance's audit signer and verifier, as the signed-note code wants them."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from outguard.audit.checkpoint import SignerKey, VerifierKey
from outguard.instance.home import InstancePaths, load_audit_key
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


def witnesses_path(settings: Settings) -> Path:
    return InstancePaths(settings.home).home / "keys" / "witnesses"


def trusted_witnesses(settings: Settings) -> list[VerifierKey]:
    """Co-signers' verifier keys this instance was told to trust (one vkey per line)."""
    path = witnesses_path(settings)
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [
        VerifierKey.from_vkey(line.strip(), check_signature)
        for line in lines
        if line.strip() and not line.startswith("#")
    ]


def trust_witness(settings: Settings, vkey: str) -> VerifierKey:
    key = VerifierKey.from_vkey(vkey.strip(), check_signature)  # NoteError if malformed
    path = witnesses_path(settings)
    known = {k.vkey for k in trusted_witnesses(settings)}
    if key.vkey not in known:
        with path.open("a", encoding="utf-8") as fh:
            fh.write(key.vkey + "\n")
    return key


def witness_signer(name: str, key_file: Path) -> SignerKey:
    """A co-signer from a key file written by `outguard audit witness-key`."""
    return SignerKey(name, *_signing_parts(SigningKey(key_file.read_bytes())))


def _signing_parts(key: SigningKey) -> tuple[bytes, Callable[[bytes], bytes]]:
    return key.public_key, key.sign
