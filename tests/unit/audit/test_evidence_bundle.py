"""Evidence bundles built and checked in memory: both verifiers agree on every case."""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from datetime import UTC, datetime

import pytest

from outguard.audit import verify_bundle as standalone
from outguard.audit.chain import EVENT_FIELDS, MerkleTree, event_leaf_hash
from outguard.audit.checkpoint import Checkpoint, sign_checkpoint
from outguard.audit.evidence import BundleError, build_bundle, verify_bundle
from outguard.security.signing import check_signature

from .ed25519 import new_signer

AT = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def _events(n):
    return [
        {
            "seq": i,
            "at": AT,
            "actor_kind": "user",
            "actor_id": uuid.UUID(int=i),
            "actor_display": "Owner",
            "org_id": None,
            "request_id": None,
            "ip": "203.0.113.7",
            "user_agent": None,
            "tag": "share:created",
            "subject_type": "share",
            "subject_id": f"s{i}",
            "details": {"recipients": i},
        }
        for i in range(1, n + 1)
    ]


def _bundle(n=7, pick=(2, 5)):
    events = _events(n)
    leaves = [event_leaf_hash({k: e[k] for k in EVENT_FIELDS}) for e in events]
    signer = new_signer("outguard.audit/test")
    note = sign_checkpoint(
        Checkpoint(signer.name, n, MerkleTree(leaves).root(), at=AT), signer
    )
    verifier = signer.verifier(check_signature)
    data = build_bundle(
        [events[i - 1] for i in pick], leaves, note, n, verifier, created_at=AT
    )
    return data, verifier


def _rezip(data, name, change):
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            body = zin.read(info)
            zout.writestr(
                info.filename, change(body) if info.filename == name else body
            )
    return out.getvalue()


def test_a_bundle_verifies_in_both_verifiers(tmp_path):
    data, verifier = _bundle()
    report = verify_bundle(data, check_signature)
    assert (
        report.ok and report.events == 2 and report.tree_size == 7 and not report.pinned
    )
    name, size, count, problems = standalone.verify(data)
    assert (name, size, count, problems) == (verifier.name, 7, 2, [])
    path = tmp_path / "b.zip"
    path.write_bytes(data)
    assert standalone.main([str(path)]) == 0
    assert standalone.main([str(tmp_path / "missing.zip")]) == 1


def test_summary_is_escaped_html():
    data, _ = _bundle()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        summary = zf.read("summary.html").decode()
        manifest = json.loads(zf.read("manifest.json"))
    assert summary.startswith("<!doctype html>") and "share:created" in summary
    assert manifest["format"] == "outguard-evidence/v1" and manifest["events"] == 2


@pytest.mark.parametrize(
    ("name", "change", "expected"),
    [
        (
            "events.jsonl",
            lambda d: d.replace(b'"s2"', b'"s9"'),
            "not in the signed log",
        ),
        ("proofs.json", lambda d: d.replace(b'"index": 1', b'"index": 3'), "altered"),
        ("checkpoint.txt", lambda d: d.replace(b"\n7\n", b"\n8\n"), "the checkpoint"),
        ("keys.json", lambda d: b"{}", "altered"),
        (
            "manifest.json",
            lambda d: d.replace(b"evidence/v1", b"evidence/v9"),
            "unknown format",
        ),
    ],
)
def test_every_alteration_is_named(name, change, expected):
    data, _ = _bundle()
    bad = _rezip(data, name, change)
    report = verify_bundle(bad, check_signature)
    assert not report.ok
    assert any(expected in p for p in report.problems), report.problems


def test_pinning_truncation_and_junk():
    data, verifier = _bundle()
    other = new_signer("outguard.audit/other").verifier(check_signature)
    import hashlib

    pinned_ok = verify_bundle(
        data,
        check_signature,
        pinned_key_sha256=hashlib.sha256(verifier.public_key).hexdigest(),
    )
    assert pinned_ok.ok and pinned_ok.pinned
    wrong = verify_bundle(
        data,
        check_signature,
        pinned_key_sha256=hashlib.sha256(other.public_key).hexdigest(),
    )
    assert "the bundle is signed by another log's key" in wrong.problems
    assert (
        "truncated or damaged" in verify_bundle(data[:-50], check_signature).problems[0]
    )
    assert not verify_bundle(b"not a zip", check_signature).ok
    missing = io.BytesIO()
    with zipfile.ZipFile(missing, "w") as zf:
        zf.writestr("manifest.json", json.dumps({"format": "outguard-evidence/v1"}))
    assert "missing" in verify_bundle(missing.getvalue(), check_signature).problems[0]


def test_events_outside_the_checkpoint_are_refused():
    events = _events(3)
    leaves = [event_leaf_hash({k: e[k] for k in EVENT_FIELDS}) for e in events]
    signer = new_signer("outguard.audit/test")
    note = sign_checkpoint(
        Checkpoint(signer.name, 2, MerkleTree(leaves[:2]).root()), signer
    )
    with pytest.raises(BundleError, match="not covered"):
        build_bundle(
            events, leaves, note, 2, signer.verifier(check_signature), created_at=AT
        )
