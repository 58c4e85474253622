"""Ed25519 for the audit tests, from the security kernel (the only `cryptography` importer)."""

from outguard.audit.checkpoint import SignerKey, VerifierKey
from outguard.security.signing import SigningKey, check_signature

check = check_signature


def new_signer(name: str) -> SignerKey:
    key = SigningKey.generate()
    return SignerKey(name, key.public_key, key.sign)


def verifier(signer: SignerKey) -> VerifierKey:
    return signer.verifier(check)
