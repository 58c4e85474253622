"""Ed25519 signing keys: sign/verify, junk rejected without raising, never printed."""

from __future__ import annotations

import pytest

from outguard.security.signing import SigningKey, SigningKeyError, check_signature


def test_sign_and_check():
    key = SigningKey.generate()
    signature = key.sign(b"tree head")
    assert check_signature(key.public_key, b"tree head", signature)
    assert not check_signature(key.public_key, b"tree head!", signature)
    assert not check_signature(
        SigningKey.generate().public_key, b"tree head", signature
    )
    assert not check_signature(key.public_key, b"tree head", b"short")
    assert not check_signature(b"not a key", b"tree head", signature)
    assert SigningKey(key.material).public_key == key.public_key


def test_key_is_never_printed_and_checked_for_size():
    key = SigningKey.generate()
    assert key.material.hex() not in repr(key)
    assert "redacted" in repr(key)
    with pytest.raises(SigningKeyError, match="32 bytes, got 3"):
        SigningKey(b"abc")
