"""FF1 (SP 800-38G): every published vector, differential against libffx, batch == scalar."""

from __future__ import annotations

import json
import random
from pathlib import Path

import ffx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from outguard.security.ff1 import FF1, DomainError, FF1Text, min_length

VECTORS = Path(__file__).resolve().parents[4] / "shared" / "vectors" / "ff1"


def _vectors():
    for name in ("nist_ff1_samples.json", "acvp_ff1_subset.json"):
        for v in json.loads((VECTORS / name).read_text())["vectors"]:
            yield pytest.param(v, id=f"{name}:{v.get('name', v.get('tc'))}")


@pytest.mark.parametrize("vector", list(_vectors()))
def test_every_published_vector(vector):
    cipher = FF1Text(bytes.fromhex(vector["key"]), vector["alphabet"])
    tweak = bytes.fromhex(vector["tweak"])
    pt = vector.get("plaintext", vector.get("pt"))
    ct = vector.get("ciphertext", vector.get("ct"))
    if vector.get("dir", "enc") == "enc":
        assert cipher.encrypt(pt, tweak) == ct
    else:
        assert cipher.decrypt(ct, tweak) == pt
    assert cipher.decrypt(cipher.encrypt(pt, tweak), tweak) == pt


def test_the_vector_files_are_all_there():
    assert sum(1 for _ in _vectors()) >= 25


@pytest.mark.parametrize("radix", [2, 10, 26, 36, 62])
@pytest.mark.parametrize("length", [None, 12, 19, 20, 33, 80])
@pytest.mark.parametrize("tweak_len", [0, 7, 20])
def test_differential_against_libffx(radix, length, tweak_len):
    rng = random.Random(radix * 1000 + (length or 0) * 10 + tweak_len)
    key = bytes(rng.randrange(256) for _ in range(32))
    alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"[:radix]
    ours = FF1Text(key, alphabet)
    ref = ffx.FF1(key, alphabet=alphabet)
    n = max(length or 0, min_length(radix), 2)
    for _ in range(4):
        tweak = bytes(rng.randrange(256) for _ in range(tweak_len))
        value = "".join(rng.choice(alphabet) for _ in range(n))
        token = ours.encrypt(value, tweak)
        assert token == ref.encrypt(value, tweak=tweak)
        assert ours.decrypt(token, tweak) == value


def test_batch_equals_scalar_and_reverses():
    key = bytes(range(32))
    cipher = FF1(key, 10)
    rng = np.random.default_rng(7)
    a = rng.integers(0, 10**4, 500).astype(np.uint64)
    b = rng.integers(0, 10**5, 500).astype(np.uint64)
    ea, eb = cipher.encrypt_ints(a, b, 9, b"t")
    for k in range(0, 500, 37):
        numerals = [int(c) for c in f"{int(a[k]):04d}{int(b[k]):05d}"]
        assert cipher.encrypt_numerals(numerals, b"t") == [
            int(c) for c in f"{int(ea[k]):04d}{int(eb[k]):05d}"
        ]
    da, db = cipher.decrypt_ints(ea, eb, 9, b"t")
    assert (da == a).all()
    assert (db == b).all()


@given(st.lists(st.integers(0, 9), min_size=6, max_size=40), st.binary(max_size=24))
@settings(max_examples=60, deadline=None)
def test_round_trip_property(numerals, tweak):
    cipher = FF1(b"k" * 16, 10)
    assert (
        cipher.decrypt_numerals(cipher.encrypt_numerals(numerals, tweak), tweak)
        == numerals
    )


def test_domain_and_key_errors_are_clear():
    with pytest.raises(ValueError, match="16, 24 or 32 bytes"):
        FF1(b"short", 10)
    with pytest.raises(ValueError, match=r"radix must be 2\.\.65536"):
        FF1(b"k" * 16, 1)
    cipher = FF1(b"k" * 16, 10)
    with pytest.raises(
        DomainError, match=r"100,000 possible values; FF1 needs at least 1,000,000"
    ):
        cipher.encrypt_numerals([1, 2, 3, 4, 5])
    with pytest.raises(DomainError, match="outside radix"):
        cipher.encrypt_numerals([1, 2, 3, 4, 5, 10])
    with pytest.raises(DomainError, match="longer than"):
        cipher.encrypt_numerals([1] * 5000)
    with pytest.raises(ValueError, match="2 distinct symbols"):
        FF1Text(b"k" * 16, "aa")
    with pytest.raises(DomainError, match="outside the alphabet"):
        FF1Text(b"k" * 16, "0123456789").encrypt("12345x")
    assert min_length(10) == 6
    assert min_length(2) == 20
    assert min_length(36) == 4


def test_reprs_hide_the_key():
    assert "redacted" in repr(FF1(b"k" * 32, 10))
    assert "redacted" in repr(FF1Text(b"k" * 32, "0123456789"))
    assert "6b6b" not in repr(FF1(b"k" * 32, 10))
