"""C2SP tlog-checkpoint bodies inside signed notes."""

import base64
import re
from datetime import UTC, datetime, timedelta, timezone

import pytest

from outguard.audit.chain import EMPTY_ROOT, MerkleTree, leaf_hash
from outguard.audit.checkpoint import (
    Checkpoint,
    NoteError,
    cosign_note,
    open_checkpoint,
    sign_checkpoint,
    sign_note,
)
from tests.unit.audit.ed25519 import new_signer, verifier

ORIGIN = "outguard.example/audit"
LOG = new_signer(ORIGIN)
VENDOR = new_signer("vendor.example/witness")
ROOT = MerkleTree([leaf_hash(b"a"), leaf_hash(b"b")]).root()
AT = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
B64 = base64.b64encode(ROOT).decode()
# same bytes, but with non-zero padding bits: a second spelling of the root
SLOPPY = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".index(B64[-2])
    | 1
]


def test_body_layout():
    cp = Checkpoint(ORIGIN, 2, ROOT, at=AT, extensions=("ext one",))
    assert cp.body() == f"{ORIGIN}\n2\n{B64}\ntime 2026-11-24T09:00:00Z\next one\n"
    assert Checkpoint.parse(cp.body()) == cp
    bare = Checkpoint(ORIGIN, 0, EMPTY_ROOT)
    assert Checkpoint.parse(bare.body()) == bare


def test_time_is_utc_whole_seconds():
    paris = AT.astimezone(timezone(timedelta(hours=1)))
    naive = AT.replace(tzinfo=None, microsecond=5)
    for at in (paris, naive):
        assert "time 2026-11-24T09:00:00Z" in Checkpoint(ORIGIN, 1, ROOT, at=at).body()


def test_sign_cosign_open():
    note = sign_checkpoint(Checkpoint(ORIGIN, 2, ROOT, at=AT), LOG)
    both = cosign_note(note, VENDOR, [verifier(LOG)])
    signed = open_checkpoint(both, [verifier(LOG), verifier(VENDOR)], origin=ORIGIN)
    assert signed.checkpoint == Checkpoint(ORIGIN, 2, ROOT, at=AT)
    assert signed.signers == (ORIGIN, VENDOR.name)
    only_log = open_checkpoint(both, [verifier(LOG)], ignore_unknown=True)
    assert only_log.signers == (ORIGIN,)


def test_checkpoint_from_another_log():
    note = sign_checkpoint(Checkpoint(ORIGIN, 2, ROOT), LOG)
    with pytest.raises(NoteError, match="another log"):
        open_checkpoint(note, [verifier(LOG)], origin="other.example/audit")


def test_forged_checkpoint():
    note = sign_checkpoint(Checkpoint(ORIGIN, 2, ROOT), LOG)
    with pytest.raises(NoteError, match="does not verify"):
        open_checkpoint(note.replace("\n2\n", "\n1\n"), [verifier(LOG)])
    with pytest.raises(NoteError, match="unknown key"):
        open_checkpoint(
            sign_checkpoint(Checkpoint(ORIGIN, 2, ROOT), new_signer(ORIGIN)),
            [verifier(LOG)],
        )


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (f"{ORIGIN}\n2\n", "origin, size and root"),
        (f"{ORIGIN}\n02\n{B64}\n", "not a decimal"),
        (f"{ORIGIN}\n-2\n{B64}\n", "not a decimal"),
        (f"{ORIGIN}\n{1 << 64}\n{B64}\n", "not a decimal"),
        (f"{ORIGIN}\n2\n{B64[:-1]}\n", "not base64"),
        (f"{ORIGIN}\n2\n{B64[:-2]}{SLOPPY}=\n", "not canonical base64"),
        (f"{ORIGIN}\n2\n{B64[:-4]}\n", "out of range"),
        (f"{ORIGIN}\n2\nAAAA\n", "out of range"),
        (f"{ORIGIN}\n2\n{B64}\ntime yesterday\n", "not ISO-8601"),
        (f"{ORIGIN}\n2\n{B64}\ntime 2026-11-24T09:00:00+00:00\n", "canonical form"),
        (f"{ORIGIN}\n2\n{B64}\n\n", "non-empty lines"),
    ],
)
def test_malformed_bodies(body, error):
    with pytest.raises(NoteError, match=re.escape(error)):
        Checkpoint.parse(body)
    if not body.endswith("\n\n"):
        with pytest.raises(NoteError, match=re.escape(error)):
            open_checkpoint(sign_note(body, LOG), [verifier(LOG)])


@pytest.mark.parametrize(
    ("checkpoint", "error"),
    [
        (Checkpoint(ORIGIN, -1, ROOT), "out of range"),
        (Checkpoint(ORIGIN, 1 << 64, ROOT), "out of range"),
        (Checkpoint(ORIGIN, 1, ROOT[:31]), "out of range"),
        (Checkpoint(ORIGIN, 1, ROOT, extensions=("time 2026",)), "with `at`"),
        (Checkpoint(ORIGIN, 1, ROOT, extensions=("",)), "non-empty lines"),
        (Checkpoint("", 1, ROOT), "non-empty lines"),
        (Checkpoint("a\rb", 1, ROOT), "control characters"),
    ],
)
def test_unsignable_checkpoints(checkpoint, error):
    with pytest.raises(NoteError, match=re.escape(error)):
        sign_checkpoint(checkpoint, LOG)
