"""verify_log: an untouched log verifies; every kind of tampering names its first seq."""

import base64
import copy
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from outguard.audit.chain import (
    EMPTY_ROOT,
    Finding,
    MerkleTree,
    Problem,
    event_leaf_hash,
)
from outguard.audit.checkpoint import (
    Checkpoint,
    LogReport,
    cosign_note,
    sign_checkpoint,
    sign_note,
    verify_log,
)
from tests.unit.audit.ed25519 import new_signer, verifier

ORIGIN = "outguard.example/audit"
LOG = new_signer(ORIGIN)
VENDOR = new_signer("vendor.example/witness")
TRUSTED = [verifier(LOG), verifier(VENDOR)]
START = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
ORG = uuid.UUID(int=7)
N = 40


def make_event(seq: int, **overrides: Any) -> dict[str, Any]:
    return {
        "seq": seq,
        "at": START + timedelta(seconds=seq),
        "actor_kind": "user",
        "actor_id": uuid.UUID(int=seq),
        "actor_display": f"user {seq}",
        "org_id": ORG,
        "request_id": f"req-{seq}",
        "ip": "192.0.2.1",
        "user_agent": "pytest",
        "tag": "share:created",
        "subject_type": "share",
        "subject_id": str(seq),
        "details": {"count": seq},
    } | overrides


EVENTS = [make_event(seq) for seq in range(1, N + 1)]
TREE = MerkleTree(event_leaf_hash(e) for e in EVENTS)


def stored(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows as the database holds them: each with the leaf hash written at append."""
    return [e | {"leaf_hash": event_leaf_hash(e)} for e in events]


def checkpoint(size: int, tree: MerkleTree = TREE) -> str:
    cp = Checkpoint(ORIGIN, size, tree.root(size), at=START)
    return cosign_note(sign_checkpoint(cp, LOG), VENDOR, [verifier(LOG)])


CHECKPOINTS = [checkpoint(s) for s in (40, 0, 10, 20)]  # any order


def renumber(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What a careful attacker does after a delete or insert: close the gap."""
    return [row | {"seq": seq} for seq, row in enumerate(rows, start=1)]


def only(
    report: LogReport, problem: Problem, seq: int | None, last_seq: int | None = None
) -> Finding:
    """The report fails, and its first finding is `problem` at `seq`."""
    assert not report.ok
    first = report.first
    assert first is not None
    assert (first.problem, first.seq) == (problem, seq), report.findings
    if last_seq is not None:
        assert first.last_seq == last_seq
    return first


@pytest.mark.parametrize("rows", [EVENTS, stored(EVENTS)], ids=["plain", "stored"])
def test_untouched_log_verifies(rows):
    report = verify_log(iter(rows), CHECKPOINTS, TRUSTED, origin=ORIGIN)
    assert report.ok
    assert report.first is None
    assert (report.events, report.covered, report.root_hash) == (N, N, TREE.root())


def test_events_after_the_last_checkpoint_are_not_yet_covered():
    report = verify_log(stored(EVENTS), CHECKPOINTS[2:], TRUSTED)
    assert report.ok
    assert report.covered == 20


def test_empty_log():
    assert verify_log([], [checkpoint(0)], TRUSTED).ok
    report = verify_log([], [checkpoint(10)], TRUSTED)
    only(report, Problem.DELETED, 1, 10)
    assert report.root_hash == EMPTY_ROOT


@pytest.mark.parametrize("seq", [1, 15, 40])
def test_edit_is_pinpointed_by_the_stored_hash(seq):
    rows = stored(EVENTS)
    rows[seq - 1]["details"] = {"count": 999}
    only(verify_log(rows, CHECKPOINTS, TRUSTED), Problem.EDITED, seq)


@pytest.mark.parametrize(
    ("seq", "window"), [(1, (1, 10)), (15, (11, 20)), (40, (21, 40))]
)
def test_edit_with_a_forged_stored_hash_is_placed_between_checkpoints(seq, window):
    rows = copy.deepcopy(EVENTS)
    rows[seq - 1]["actor_display"] = "someone else"
    for plain_or_stored in (rows, stored(rows)):
        finding = only(
            verify_log(plain_or_stored, CHECKPOINTS, TRUSTED),
            Problem.EDITED,
            window[0],
            window[1],
        )
        assert finding.checkpoint is not None
        assert f"checkpoint {finding.checkpoint}" in finding.detail


def test_edit_after_the_last_checkpoint_is_not_detectable_yet():
    rows = copy.deepcopy(EVENTS)
    rows[-1]["tag"] = "share:revoked"
    report = verify_log(rows, CHECKPOINTS[2:], TRUSTED)
    assert report.ok
    assert report.covered == 20


@pytest.mark.parametrize(
    ("gone", "first", "last"), [({15}, 15, 15), ({1}, 1, 1), ({15, 16, 17}, 15, 17)]
)
def test_deleted_rows_leave_a_gap(gone, first, last):
    rows = [r for r in stored(EVENTS) if r["seq"] not in gone]
    only(verify_log(rows, CHECKPOINTS, TRUSTED), Problem.DELETED, first, last)


def test_truncated_log():
    report = verify_log(stored(EVENTS[:35]), CHECKPOINTS, TRUSTED)
    finding = only(report, Problem.DELETED, 36, 40)
    assert finding.checkpoint == 0
    assert report.covered == 20


@pytest.mark.parametrize("seq", [1, 15, 30])
def test_deleted_and_renumbered(seq):
    rows = stored(EVENTS)
    del rows[seq - 1]
    only(verify_log(renumber(rows), CHECKPOINTS, TRUSTED), Problem.DELETED, seq)


def test_duplicate_seq_is_an_insert():
    rows = stored(EVENTS)
    rows.insert(15, make_event(15, details={"count": 0}))
    only(verify_log(rows, CHECKPOINTS, TRUSTED), Problem.INSERTED, 15)
    rows = stored(EVENTS)
    rows.insert(20, rows[3])  # an earlier seq again
    only(verify_log(rows, CHECKPOINTS, TRUSTED), Problem.INSERTED, 4)


@pytest.mark.parametrize("new_hash", ["right", "wrong", "none"])
@pytest.mark.parametrize("seq", [1, 15])
def test_inserted_and_renumbered(seq, new_hash):
    rows = stored(EVENTS)
    new = make_event(seq, tag="agreement:signed")
    new["leaf_hash"] = {
        "right": event_leaf_hash(new),
        "wrong": b"\x00" * 32,
        "none": None,
    }[new_hash]
    rows.insert(seq - 1, new)
    only(verify_log(renumber(rows), CHECKPOINTS, TRUSTED), Problem.INSERTED, seq)


@pytest.mark.parametrize(
    "hash_moves", [True, False], ids=["whole-rows", "contents-only"]
)
@pytest.mark.parametrize(("a", "b"), [(15, 16), (5, 30), (39, 40)])
def test_swapped_pair(a, b, hash_moves):
    rows = stored(EVENTS)
    i, j = a - 1, b - 1
    rows[i], rows[j] = rows[j] | {"seq": a}, rows[i] | {"seq": b}
    if not hash_moves:
        rows[i]["leaf_hash"], rows[j]["leaf_hash"] = (
            rows[j]["leaf_hash"],
            rows[i]["leaf_hash"],
        )
    finding = only(verify_log(rows, CHECKPOINTS, TRUSTED), Problem.REORDERED, a)
    assert finding.last_seq == b


def test_swap_without_stored_hashes_is_still_caught_by_the_checkpoint():
    rows = copy.deepcopy(EVENTS)
    rows[14], rows[15] = rows[15] | {"seq": 15}, rows[14] | {"seq": 16}
    only(verify_log(rows, CHECKPOINTS, TRUSTED), Problem.EDITED, 11, 20)


def test_many_mismatches_are_bounded():
    events = [make_event(seq) for seq in range(1, 301)]
    tree = MerkleTree(event_leaf_hash(e) for e in events)
    rows = stored(events)
    del rows[9]
    report = verify_log(renumber(rows), [checkpoint(300, tree)], TRUSTED)
    only(report, Problem.DELETED, 10)


@pytest.mark.parametrize(
    ("change", "seq"),
    [
        ({"seq": "15"}, 15),
        ({"seq": None}, 15),
        ({"at": "yesterday"}, 15),
        ({"details": ["x"]}, 15),
        ({"leaf_hash": "ab" * 32}, 15),
        ({"unexpected": 1}, 15),
    ],
)
def test_malformed_rows_are_reported_not_raised(change, seq):
    rows = stored(EVENTS)
    rows[14] = rows[14] | change
    only(verify_log(rows, CHECKPOINTS, TRUSTED), Problem.MALFORMED, seq)


def test_bad_checkpoints_come_first_and_the_good_ones_still_count():
    forged = CHECKPOINTS[2].replace("\n10\n", "\n11\n")
    stranger = sign_checkpoint(Checkpoint(ORIGIN, 10, TREE.root(10)), new_signer("x"))
    other_log = sign_checkpoint(Checkpoint("other.example/log", 10, TREE.root(10)), LOG)
    notes = [CHECKPOINTS[0], forged, stranger, other_log, "garbage"]
    rows = stored(EVENTS)
    rows[4]["ip"] = "198.51.100.7"
    report = verify_log(rows, notes, TRUSTED, origin=ORIGIN)
    bad = [f for f in report.findings if f.problem is Problem.BAD_CHECKPOINT]
    assert [(f.checkpoint, f.seq) for f in bad] == [
        (1, None),
        (2, None),
        (3, None),
        (4, None),
    ]
    assert "does not verify" in bad[0].detail
    assert "unknown key" in bad[1].detail
    assert "another log" in bad[2].detail
    assert report.findings[4].problem is Problem.EDITED
    assert report.findings[4].seq == 5
    assert report.first is bad[0]


def test_unknown_cosigners_can_be_ignored():
    witnessed = cosign_note(CHECKPOINTS[0], new_signer("w.example"), [verifier(LOG)])
    assert not verify_log(EVENTS, [witnessed], [verifier(LOG)]).ok
    assert verify_log(EVENTS, [witnessed], [verifier(LOG)], ignore_unknown=True).ok


def test_a_signed_empty_checkpoint_must_have_the_empty_root():
    with pytest.raises(ValueError, match="hash of nothing"):
        Checkpoint(ORIGIN, 0, TREE.root(1)).body()
    root = base64.b64encode(TREE.root(1)).decode()
    bogus = sign_note(f"{ORIGIN}\n0\n{root}\n", LOG)  # signed by hand, past the check
    finding = only(verify_log(EVENTS, [bogus], TRUSTED), Problem.BAD_CHECKPOINT, None)
    assert "hash of nothing" in finding.detail
