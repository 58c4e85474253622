"""C2SP signed notes: format, key ids, vkeys, signing, co-signing, rejection."""

import base64
import re

import pytest

from outguard.audit.checkpoint import (
    MAX_SIGNATURES,
    NoteError,
    SignerKey,
    VerifierKey,
    cosign_note,
    key_hash,
    open_note,
    parse_note,
    sign_note,
)
from tests.unit.audit.ed25519 import check, new_signer, verifier

# The example in the documentation of Go's golang.org/x/mod/sumdb/note (BSD-3-Clause):
# an independent implementation's key id, vkey and signature line.
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
GO_NOTE = (
    GO_TEXT
    + "\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)

LOG = new_signer("outguard.example/audit")
VENDOR = new_signer("vendor.example/witness")
TEXT = "outguard.example/audit\n3\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"


def test_go_note_package_example_verifies():
    key = VerifierKey.from_vkey(GO_VKEY, check)
    assert key.vkey == GO_VKEY
    assert key.key_hash == bytes.fromhex("c74f20a3")
    assert open_note(GO_NOTE, [key]) == (GO_TEXT, ("PeterNeumann",))
    assert not check(key.public_key, b"other", b"\x00" * 64)


def test_sign_then_open():
    note = sign_note(TEXT, LOG)
    assert note.startswith(TEXT + "\n— outguard.example/audit ")
    sig = base64.b64decode(note.rsplit(" ", 1)[1])
    assert sig[:4] == LOG.key_hash == key_hash(LOG.name, LOG.public_key)
    assert len(sig) == 4 + 64
    assert open_note(note, [verifier(LOG), verifier(VENDOR)]) == (TEXT, (LOG.name,))


def test_cosign_needs_a_valid_first_signature_and_adds_one_line():
    note = sign_note(TEXT, LOG)
    both = cosign_note(note, VENDOR, [verifier(LOG)])
    trusted = [verifier(LOG), verifier(VENDOR)]
    assert open_note(both, trusted)[1] == (LOG.name, VENDOR.name)
    with pytest.raises(NoteError, match="already signed"):
        cosign_note(both, VENDOR, trusted)
    with pytest.raises(NoteError, match="no signature by a trusted key"):
        cosign_note(note, VENDOR, [verifier(VENDOR)])
    forged = note.replace("\n3\n", "\n4\n")
    with pytest.raises(NoteError, match="does not verify"):
        cosign_note(forged, VENDOR, [verifier(LOG)])


def test_unknown_signatures_are_rejected_unless_ignored():
    both = cosign_note(sign_note(TEXT, LOG), VENDOR, [verifier(LOG)])
    with pytest.raises(
        NoteError, match=re.escape("unknown key 'vendor.example/witness'")
    ):
        open_note(both, [verifier(LOG)])
    assert open_note(both, [verifier(LOG)], ignore_unknown=True)[1] == (LOG.name,)
    with pytest.raises(NoteError, match="no signature by a trusted key"):
        open_note(both, [], ignore_unknown=True)


def test_same_name_other_key_is_unknown():
    impostor = new_signer(LOG.name)
    with pytest.raises(NoteError, match="unknown key"):
        open_note(sign_note(TEXT, impostor), [verifier(LOG)])


def test_altered_body_is_rejected():
    note = sign_note(TEXT, LOG)
    for altered in (
        note.replace("\n3\n", "\n30\n"),
        "x" + note,
        note.replace("audit", "audiT", 1),
    ):
        with pytest.raises(NoteError, match="does not verify"):
            open_note(altered, [verifier(LOG)])


def test_duplicate_signature_lines_are_rejected():
    note = sign_note(TEXT, LOG)
    line = note.split("\n\n", 1)[1]
    with pytest.raises(NoteError, match="two signatures"):
        parse_note(note + line)


def test_signature_of_the_wrong_length_fails_without_calling_check():
    calls: list[tuple[bytes, bytes, bytes]] = []

    def spy(public_key: bytes, message: bytes, signature: bytes) -> bool:
        calls.append((public_key, message, signature))
        return True

    key = VerifierKey(LOG.name, LOG.public_key, spy)
    sig = base64.b64encode(LOG.key_hash + b"\x00" * 63).decode()
    assert not key.verify(b"m", b"\x00" * 63)
    with pytest.raises(NoteError, match="does not verify"):
        open_note(f"{TEXT}\n— {LOG.name} {sig}\n", [key])
    assert calls == []


def _line(name: str, raw: bytes) -> str:
    return f"— {name} {base64.b64encode(raw).decode()}\n"


GOOD = _line(LOG.name, LOG.key_hash + b"\x00" * 64)


@pytest.mark.parametrize(
    ("note", "error"),
    [
        (TEXT, "no signature block"),
        (TEXT + "\n", "signature block must be non-empty"),
        (TEXT + "\n" + GOOD[:-1], "signature block must be non-empty"),
        ("\n\n" + GOOD, "note text must be non-empty"),
        ("a\n\nb\n\n" + GOOD, "note text must be non-empty"),
        ("a\tb\n\n" + GOOD, "control characters"),
        (TEXT + "\n- x " + GOOD[-10:], "em dash"),
        (TEXT + "\n— " + GOOD[2:].replace(" ", "  "), "not base64"),
        (TEXT + "\n" + _line("a\u00a0b", b"12345"), "key name"),
        (TEXT + "\n" + _line("a+b", b"12345"), "key name"),
        (TEXT + "\n" + _line("", b"12345"), "key name"),
        (TEXT + "\n— x AAAA*\n", "not base64"),
        (TEXT + "\n— x AAB=\n", "not canonical base64"),
        (TEXT + "\n" + _line("x", b"1234"), "too short"),
        (
            TEXT
            + "\n"
            + "".join(_line(f"k{i}", b"12345") for i in range(MAX_SIGNATURES + 1)),
            "too many",
        ),
    ],
)
def test_malformed_notes(note, error):
    with pytest.raises(NoteError, match=re.escape(error)):
        open_note(note, [verifier(LOG)])


def test_exactly_max_signatures_parse():
    lines = "".join(_line(f"k{i}", b"12345") for i in range(MAX_SIGNATURES))
    assert len(parse_note(TEXT + "\n" + lines).signatures) == MAX_SIGNATURES


@pytest.mark.parametrize(
    ("vkey", "error"),
    [
        ("a+b", "<name>+<key id>+<key>"),
        (
            "a+00000000+" + base64.b64encode(b"\x02" + b"\x00" * 32).decode(),
            "only Ed25519",
        ),
        ("a+00000000+" + base64.b64encode(b"\x01" + b"\x00" * 31).decode(), "32 bytes"),
        (
            "a+00000000+" + base64.b64encode(b"\x01" + b"\x00" * 32).decode(),
            "does not match",
        ),
        (
            " a+00000000+" + base64.b64encode(b"\x01" + b"\x00" * 32).decode(),
            "key name",
        ),
    ],
)
def test_malformed_vkeys(vkey, error):
    with pytest.raises(NoteError, match=re.escape(error)):
        VerifierKey.from_vkey(vkey, check)


def test_signing_refuses_malformed_text():
    with pytest.raises(NoteError, match="ending in a newline"):
        sign_note("no newline", LOG)


def test_private_key_never_shows():
    text = repr(LOG) + str(LOG)
    assert "redacted" in text
    assert LOG.key_hash.hex() in text
    assert "Ed25519PrivateKey" not in text
    assert "check" not in repr(verifier(LOG))
    with pytest.raises(NoteError):
        SignerKey("name", b"short", LOG.sign)
