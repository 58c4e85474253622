"""Envelope encryption and streaming AEAD: round trips, and every tampering fails closed."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from outguard.errors import TamperDetectedError
from outguard.security.aead import (
    KeyContext,
    KeyLengthError,
    LocalKeyProvider,
    Sealer,
    SecretKey,
    StaticKeyProvider,
    key_fingerprint,
    keyed_digest,
    new_key,
    open_sealed,
    seal,
    unwrap,
    wrap,
)
from outguard.security.stream import decrypt_stream, encrypt_stream, stream_key_id

CTX = KeyContext(tenant="t1", object_id="dataset/42", purpose="blob", key_version=1)


def _enc(dek, data: bytes, chunk_size=64, key_id="obj-1", pieces=7) -> list[bytes]:
    step = max(1, len(data) // pieces)
    return list(
        encrypt_stream(
            dek,
            key_id,
            (data[i : i + step] for i in range(0, len(data), step)),
            chunk_size=chunk_size,
        )
    )


def _dec(dek, segments) -> bytes:
    return b"".join(decrypt_stream(dek, segments))


class TestWrap:
    def test_round_trip_and_context_binding(self):
        kek, dek = new_key(), new_key()
        wrapped = wrap(kek, dek, CTX)
        assert unwrap(kek, wrapped, CTX) == dek
        for other in (
            KeyContext("t2", "dataset/42", "blob", 1),
            KeyContext("t1", "dataset/43", "blob", 1),
            KeyContext("t1", "dataset/42", "token", 1),
            KeyContext("t1", "dataset/42", "blob", 2),
        ):
            with pytest.raises(TamperDetectedError):
                unwrap(kek, wrapped, other)
        with pytest.raises(TamperDetectedError):
            unwrap(new_key(), wrapped, CTX)
        with pytest.raises(TamperDetectedError):
            unwrap(kek, wrapped[:-1], CTX)

    @pytest.mark.parametrize("bad", [b"", b"x" * 16, b"x" * 31, b"x" * 33])
    def test_wrong_key_length_is_a_clear_error(self, bad):
        with pytest.raises(KeyLengthError, match="32 bytes"):
            wrap(bad, new_key(), CTX)
        with pytest.raises(KeyLengthError):
            LocalKeyProvider(bad)

    def test_provider_wraps_and_names_its_key(self):
        provider = StaticKeyProvider()
        kek = new_key()
        assert provider.unwrap(provider.wrap(kek, CTX), CTX) == kek
        assert provider.key_id.startswith("local:")
        assert "\\x01" not in repr(provider)

    def test_secret_key_never_prints(self):
        key = SecretKey(b"k" * 32)
        assert "kkkk" not in repr(key)
        assert str(key) == "<redacted>"
        assert len(key_fingerprint(b"k" * 32)) == 32


class TestStream:
    @settings(max_examples=60, deadline=None)
    @given(
        data=st.binary(max_size=2000),
        chunk=st.integers(1, 300),
        pieces=st.integers(1, 9),
    )
    def test_round_trip_any_size(self, data, chunk, pieces):
        dek = b"d" * 32
        assert _dec(dek, _enc(dek, data, chunk, pieces=pieces)) == data

    def test_key_id_is_readable_before_decrypting(self):
        segments = _enc(new_key(), b"hello", key_id="dataset/42/v1")
        assert stream_key_id(segments[0]) == "dataset/42/v1"

    def test_wrong_key_fails_before_any_plaintext(self):
        segments = _enc(new_key(), b"secret" * 100)
        with pytest.raises(TamperDetectedError, match="Wrong key"):
            next(decrypt_stream(new_key(), segments))

    def test_flipped_byte_anywhere_fails(self):
        dek = new_key()
        blob = b"".join(_enc(dek, bytes(range(256)) * 3))
        for position in range(0, len(blob), 37):
            altered = bytearray(blob)
            altered[position] ^= 0x01
            with pytest.raises(TamperDetectedError):
                _dec(dek, [bytes(altered)])

    def test_truncation_at_a_segment_boundary_fails(self):
        dek = new_key()
        segments = _enc(dek, b"x" * 640, chunk_size=64)
        with pytest.raises(TamperDetectedError):
            _dec(dek, segments[:-1])
        with pytest.raises(TamperDetectedError):
            _dec(dek, segments[:1])

    def test_reordering_fails(self):
        dek = new_key()
        segments = _enc(dek, bytes(range(200)), chunk_size=32)
        swapped = [segments[0], segments[2], segments[1], *segments[3:]]
        with pytest.raises(TamperDetectedError):
            _dec(dek, swapped)

    def test_segment_swapped_in_from_another_file_fails(self):
        dek = new_key()
        a = _enc(dek, b"a" * 256, chunk_size=64)
        b = _enc(dek, b"b" * 256, chunk_size=64)
        with pytest.raises(TamperDetectedError):
            _dec(dek, [a[0], b[1], *a[2:]])

    def test_extra_data_after_the_end_fails(self):
        dek = new_key()
        with pytest.raises(TamperDetectedError):
            _dec(dek, [*_enc(dek, b"abc"), b"more"])

    @pytest.mark.parametrize(
        "blob",
        [b"", b"XXXX", b"OGS1", b"OGS1\x00", b"OGS1\x00\x05abcde", b"OGS1\x00\x01\x00"],
    )
    def test_garbage_is_refused(self, blob):
        with pytest.raises(TamperDetectedError):
            _dec(new_key(), [blob])

    def test_bad_parameters(self):
        with pytest.raises(ValueError, match="chunk_size"):
            list(encrypt_stream(new_key(), "k", [b"x"], chunk_size=0))
        with pytest.raises(ValueError, match="255"):
            list(encrypt_stream(new_key(), "k" * 256, [b"x"]))
        with pytest.raises(KeyLengthError):
            list(encrypt_stream(b"short", "k", [b"x"]))

    def test_memory_stays_flat_for_large_streams(self):
        dek = new_key()
        chunk = b"z" * (1 << 16)
        total = 0
        for piece in decrypt_stream(
            dek,
            encrypt_stream(dek, "big", (chunk for _ in range(200)), chunk_size=1 << 16),
        ):
            assert len(piece) <= 1 << 16
            total += len(piece)
        assert total == 200 * (1 << 16)


def _header(kid: bytes, chunk_size: int) -> bytes:
    import struct

    rest = (
        bytes([len(kid)])
        + kid
        + b"s" * 32
        + b"p" * 7
        + struct.pack(">I", chunk_size)
        + b"c" * 32
    )
    return b"OGS1" + struct.pack(">H", len(rest)) + rest


@pytest.mark.parametrize(
    ("kid", "chunk"), [(b"\xff\xfe", 64), (b"ok", 0), (b"ok", (1 << 26) + 1)]
)
def test_malformed_header_fields_are_refused(kid, chunk):
    with pytest.raises(TamperDetectedError, match="malformed"):
        stream_key_id(_header(kid, chunk))


def test_segment_counter_limit(monkeypatch):
    from outguard.security import stream

    monkeypatch.setattr(stream, "MAX_SEGMENTS", 2)
    dek = new_key()
    with pytest.raises(TamperDetectedError, match="more segments"):
        list(encrypt_stream(dek, "k", [b"x" * 10], chunk_size=3))


@settings(max_examples=300)
@given(
    st.text(),
    st.text(),
    st.text(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.text() | st.just("A256GCM-wrap-v1"),
)
def test_aad_is_the_canonical_json_byte_for_byte(tenant, object_id, purpose, v, alg):
    """The direct AAD writer gives exactly the JSON definition, escapes and all."""
    ctx = KeyContext(tenant, object_id, purpose, v, alg)
    try:
        expected = ctx.canonical_json()
    except UnicodeEncodeError:  # a lone surrogate: neither form encodes
        with pytest.raises(UnicodeEncodeError):
            ctx.aad()
        return
    assert ctx.aad() == expected


def test_aad_of_usual_and_unusual_contexts():
    for ctx in (
        CTX,
        KeyContext('t"1', "a\\b", "p\n", 3),
        KeyContext("t", "o", "p", key_version=True),  # a bool is JSON true
        KeyContext("t\u00e9", "\u2028", "\x7f", 0),
    ):
        assert ctx.aad() == ctx.canonical_json()


def test_sealer_is_seal_and_open_sealed_with_one_cipher():
    key = new_key()
    ctx = KeyContext(tenant="t", object_id="vault/x", purpose="vault", key_version=1)
    sealer = Sealer(key)
    assert open_sealed(key, sealer.seal(b"Jane Roe", ctx), ctx) == b"Jane Roe"
    assert sealer.open(seal(key, b"Jane Roe", ctx), ctx) == b"Jane Roe"
    assert "<redacted>" in repr(sealer)
    with pytest.raises(TamperDetectedError):
        sealer.open(seal(new_key(), b"Jane Roe", ctx), ctx)
    with pytest.raises(KeyLengthError):
        Sealer(b"short")


def test_keyed_digest_is_keyed_labelled_and_deterministic():
    k1, k2 = new_key(), new_key()
    d = keyed_digest(k1, "orig", "Jane Roe")
    assert d == keyed_digest(k1, "orig", "Jane Roe")
    assert len(d) == 32
    assert d != keyed_digest(k2, "orig", "Jane Roe")
    assert d != keyed_digest(k1, "pseu", "Jane Roe")
    with pytest.raises(KeyLengthError):
        keyed_digest(b"short", "orig", "x")
    assert d == hmac.new(k1, b"orig\x00Jane Roe", hashlib.sha256).digest()


def test_seal_round_trip_and_fails_closed():
    key = new_key()
    ctx = KeyContext(tenant="t", object_id="vault/x", purpose="vault", key_version=1)
    sealed = seal(key, b"123 Main St", ctx)
    assert open_sealed(key, sealed, ctx) == b"123 Main St"
    assert b"Main" not in sealed
    other = KeyContext(tenant="t2", object_id="vault/x", purpose="vault", key_version=1)
    with pytest.raises(TamperDetectedError):
        open_sealed(key, sealed, other)
    with pytest.raises(TamperDetectedError):
        open_sealed(key, sealed[:20], ctx)
    with pytest.raises(TamperDetectedError):
        open_sealed(new_key(), sealed, ctx)
