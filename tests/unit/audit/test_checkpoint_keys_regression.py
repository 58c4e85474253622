"""A verifier key whose base64 contains '+' (the vkey separator) still parses."""

from __future__ import annotations

from outguard.audit.checkpoint import VerifierKey

from .ed25519 import check, new_signer


def test_vkey_with_plus_in_its_base64_round_trips():
    for _ in range(200):
        signer = new_signer("outguard.audit/test")
        vkey = signer.verifier(check).vkey
        if "+" in vkey.split("+", 2)[2]:
            break
    else:  # pragma: no cover - about half of all keys have one
        raise AssertionError("no key with '+' in 200 tries")
    parsed = VerifierKey.from_vkey(vkey, check)
    assert parsed.public_key == signer.public_key
    assert parsed.name == "outguard.audit/test"
