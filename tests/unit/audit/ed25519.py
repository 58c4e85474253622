"""Ed25519 adapter for the tests. Production code gets the same two callables from the
security kernel, the only package allowed to import `cryptography`."""

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from outguard.audit.checkpoint import SignerKey, VerifierKey


def check(public_key: bytes, message: bytes, signature: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except InvalidSignature:
        return False
    return True


def new_signer(name: str) -> SignerKey:
    private = Ed25519PrivateKey.generate()
    return SignerKey(name, private.public_key().public_bytes_raw(), private.sign)


def verifier(signer: SignerKey) -> VerifierKey:
    return signer.verifier(check)
