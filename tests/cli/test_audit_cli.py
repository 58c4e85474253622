"""`outguard audit verify|show` on a real instance: intact, tampered (exit 9), one event."""

from __future__ import annotations

import json
import sqlite3

from typer.testing import CliRunner

from outguard.cli.app import app

runner = CliRunner()
CHEAP = {
    "OUTGUARD_AUTH__ARGON2_TIME_COST": "1",
    "OUTGUARD_AUTH__ARGON2_MEMORY_KIB": "8",
    "OUTGUARD_AUTH__ARGON2_PARALLELISM": "1",
    "OUTGUARD_MAIL__BACKEND": "null",
}


def _run(home, *args):
    return runner.invoke(app, list(args), env={"OUTGUARD_HOME": str(home), **CHEAP})


def test_verify_show_and_tamper(tmp_path):
    home = tmp_path / "home"
    assert _run(home, "init").exit_code == 0
    assert _run(home, "org", "add", "Acme Books", "--kind", "client").exit_code == 0
    ok = _run(home, "audit", "verify")
    assert ok.exit_code == 0, ok.output
    assert "intact" in ok.output
    report = json.loads(_run(home, "audit", "verify", "--json").output)
    assert report["ok"] and report["events"] >= 1
    shown = json.loads(_run(home, "audit", "show", "1", "--json").output)
    assert shown["seq"] == 1 and len(shown["leaf_hash"]) == 64
    assert _run(home, "audit", "show", "999").exit_code == 5
    db = next(home.rglob("*.db"))
    with sqlite3.connect(db) as conn:
        conn.execute("DROP TRIGGER audit_events_no_update")
        conn.execute("UPDATE audit_events SET actor_display = 'nobody' WHERE seq = 1")
    bad = _run(home, "audit", "verify", "--json")
    assert bad.exit_code == 9
    assert json.loads(bad.output)["first_bad_seq"] == 1
    human = _run(home, "audit", "verify")
    assert human.exit_code == 9
    assert "first bad seq 1: edited" in human.output


def test_checkpoints_are_signed_and_a_forged_one_is_caught(tmp_path):
    home = tmp_path / "home"
    assert _run(home, "init").exit_code == 0
    assert (home / "keys" / "audit.key").stat().st_mode & 0o777 == 0o600
    assert "No new events" in _run(home, "audit", "checkpoint").output
    assert _run(home, "org", "add", "Acme Books", "--kind", "client").exit_code == 0
    first = _run(home, "audit", "checkpoint")
    assert first.exit_code == 0, first.output
    lines = first.output.splitlines()
    assert lines[0].startswith("outguard.audit/") and lines[1] == "1"
    assert lines[-1].startswith("— outguard.audit/")
    assert "No new events" in _run(home, "audit", "checkpoint").output
    report = json.loads(_run(home, "audit", "verify", "--json").output)
    assert report["ok"] and report["checkpoints_matched"] == 1
    db = next(home.rglob("*.db"))
    with sqlite3.connect(db) as conn:
        note = conn.execute("SELECT note FROM audit_checkpoints").fetchone()[0]
        body, sig = note.rsplit("— ", 1)
        name, b64 = sig.split(" ")
        forged = body + "— " + name + " " + ("A" * (len(b64) - 5)) + b64[-5:]
        conn.execute("UPDATE audit_checkpoints SET note = ?", (forged,))
    bad = _run(home, "audit", "verify", "--json")
    assert bad.exit_code == 9
    assert json.loads(bad.output)["problem"] == "bad_checkpoint"


def _edit_member(src, dst, name, change):
    import zipfile

    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            zout.writestr(
                info.filename, change(data) if info.filename == name else data
            )


def test_evidence_bundle_verifies_offline_and_every_forgery_is_named(tmp_path):
    import subprocess
    import sys

    home = tmp_path / "home"
    assert _run(home, "init").exit_code == 0
    for name in ("Acme Books", "Maple Payroll", "Birch Tax"):
        assert _run(home, "org", "add", name, "--kind", "client").exit_code == 0
    bundle = tmp_path / "evidence.zip"
    exported = _run(home, "audit", "export", "--out", str(bundle))
    assert exported.exit_code == 0, exported.output
    fingerprint = exported.output.rsplit("SHA-256: ", 1)[1].split()[0]
    assert (
        _run(home, "audit", "export", "--out", str(bundle)).exit_code == 7
    )  # no overwrite

    ok = json.loads(_run(home, "audit", "verify-bundle", str(bundle), "--json").output)
    assert ok["ok"] and ok["key_pinned"] and ok["events"] >= 3

    # Offline, with no outguard: the standalone verifier under `python -I` in an empty dir.
    import zipfile

    offline = tmp_path / "offline"
    offline.mkdir()
    # No site processing (so no outguard.pth): only site-packages for `cryptography`.
    import sysconfig

    bare = {"PATH": "/usr/bin:/bin", "PYTHONPATH": sysconfig.get_paths()["purelib"]}
    platlib = sysconfig.get_paths()["platlib"]
    if platlib != bare["PYTHONPATH"]:
        bare["PYTHONPATH"] += ":" + platlib
    with zipfile.ZipFile(bundle) as zf:
        (offline / "verify_bundle.py").write_bytes(zf.read("verify_bundle.py"))
    run = subprocess.run(
        [
            sys.executable,
            "-S",
            "verify_bundle.py",
            str(bundle),
            "--key-sha256",
            fingerprint,
        ],
        cwd=offline,
        capture_output=True,
        text=True,
        env=bare,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.startswith("OK:")
    probe = subprocess.run(
        [sys.executable, "-S", "-c", "import outguard"],
        cwd=offline,
        env=bare,
        capture_output=True,
        check=False,
    )
    assert probe.returncode != 0  # the verifier really ran without outguard

    # An edited event, a truncated bundle, another instance's bundle: each named.
    edited = tmp_path / "edited.zip"
    _edit_member(
        bundle,
        edited,
        "events.jsonl",
        lambda d: d.replace(b"org:created", b"org:disabled", 1),
    )
    report = json.loads(
        _run(home, "audit", "verify-bundle", str(edited), "--json").output
    )
    assert not report["ok"]
    assert "events.jsonl was altered after export" in report["problems"]
    assert any("not in the signed log" in p for p in report["problems"])
    run = subprocess.run(
        [sys.executable, "-S", "verify_bundle.py", str(edited)],
        cwd=offline,
        capture_output=True,
        text=True,
        env=bare,
        check=False,
    )
    assert run.returncode == 1 and "not in the signed log" in run.stdout


def test_truncated_foreign_and_forged_bundles_are_named(tmp_path):
    home = tmp_path / "home"
    assert _run(home, "init").exit_code == 0
    assert _run(home, "org", "add", "Acme Books", "--kind", "client").exit_code == 0
    bundle = tmp_path / "evidence.zip"
    assert _run(home, "audit", "export", "--out", str(bundle)).exit_code == 0
    truncated = tmp_path / "truncated.zip"
    truncated.write_bytes(bundle.read_bytes()[:-200])
    result = _run(home, "audit", "verify-bundle", str(truncated))
    assert result.exit_code == 9
    assert "truncated or damaged" in result.output

    other = tmp_path / "other"
    assert _run(other, "init").exit_code == 0
    assert _run(other, "org", "add", "Elsewhere", "--kind", "client").exit_code == 0
    foreign = tmp_path / "foreign.zip"
    assert _run(other, "audit", "export", "--out", str(foreign)).exit_code == 0
    report = json.loads(
        _run(home, "audit", "verify-bundle", str(foreign), "--json").output
    )
    assert "the bundle is signed by another log's key" in report["problems"]

    forged = tmp_path / "forged.zip"
    _edit_member(bundle, forged, "checkpoint.txt", lambda d: d[:-10] + b"AAAAAAAAA\n")
    report = json.loads(
        _run(home, "audit", "verify-bundle", str(forged), "--json").output
    )
    assert any(
        p.startswith("the checkpoint") or "altered" in p for p in report["problems"]
    )
    assert not report["ok"]


def test_export_a_subject_since(tmp_path):
    home = tmp_path / "home"
    assert _run(home, "init").exit_code == 0
    assert _run(home, "org", "add", "Acme Books", "--kind", "client").exit_code == 0
    bundle = tmp_path / "one.zip"
    result = _run(
        home,
        "audit",
        "export",
        "--out",
        str(bundle),
        "--subject",
        "nobody",
        "--since",
        "2020-01-01T00:00:00",
    )
    assert result.exit_code == 0, result.output
    assert ": 0 event(s)" in result.output
    assert json.loads(
        _run(home, "audit", "verify-bundle", str(bundle), "--json").output
    )["ok"]


def test_a_witness_cosigns_and_verify_checks_its_signature(tmp_path):
    home = tmp_path / "home"
    assert _run(home, "init").exit_code == 0
    assert _run(home, "org", "add", "Acme Books", "--kind", "client").exit_code == 0
    key = tmp_path / "witness.key"
    made = _run(
        home, "audit", "witness-key", "vendor.example/witness", "--out", str(key)
    )
    assert made.exit_code == 0, made.output
    vkey = made.output.strip()
    assert vkey.startswith("vendor.example/witness+")
    assert key.stat().st_mode & 0o777 == 0o600
    assert _run(home, "audit", "witness-key", "x", "--out", str(key)).exit_code == 7
    assert _run(home, "audit", "trust", vkey).exit_code == 0
    assert _run(home, "audit", "trust", "junk").exit_code == 7
    nothing = _run(
        home, "audit", "cosign", "--name", "vendor.example/witness", "--key", str(key)
    )
    assert nothing.exit_code == 5  # no checkpoint yet
    assert _run(home, "audit", "checkpoint").exit_code == 0
    signed = _run(
        home, "audit", "cosign", "--name", "vendor.example/witness", "--key", str(key)
    )
    assert signed.exit_code == 0, signed.output
    assert (
        _run(
            home,
            "audit",
            "cosign",
            "--name",
            "vendor.example/witness",
            "--key",
            str(key),
        ).exit_code
        == 7
    )
    report = json.loads(_run(home, "audit", "verify", "--json").output)
    assert report["ok"] and report["checkpoints_matched"] == 1
    db = next(home.rglob("*.db"))
    with sqlite3.connect(db) as conn:
        note = conn.execute("SELECT note FROM audit_checkpoints").fetchone()[0]
        lines = note.splitlines()
        witness_line = next(line for line in lines if "vendor.example/witness" in line)
        forged = note.replace(witness_line, witness_line[:-6] + "AAAAA=")
        conn.execute("UPDATE audit_checkpoints SET note = ?", (forged,))
    bad = json.loads(_run(home, "audit", "verify", "--json").output)
    assert not bad["ok"] and bad["problem"] == "bad_checkpoint"


def test_tail_prints_the_newest_events(tmp_path):
    home = tmp_path / "home"
    assert _run(home, "init").exit_code == 0
    for name in ("Acme Books", "Maple Payroll", "Birch Tax"):
        assert _run(home, "org", "add", name, "--kind", "client").exit_code == 0
    out = _run(home, "audit", "tail", "-n", "2")
    assert out.exit_code == 0, out.output
    lines = [line for line in out.output.splitlines() if line.strip()]
    assert len(lines) == 2 and "org:created" in lines[-1]
    as_json = [
        json.loads(line)
        for line in _run(home, "audit", "tail", "--json").output.splitlines()
    ]
    assert [e["seq"] for e in as_json] == list(range(1, len(as_json) + 1))
    assert _run(home, "audit", "tail", "-n", "0").output.strip() == ""


def test_checkpoints_download_through_the_api(tmp_path, monkeypatch):
    """A client keeps its own copy: the API's use case returns the signed notes."""
    from outguard.audit.access import list_checkpoints
    from outguard.db import make_engine, make_session_factory, unit_of_work
    from outguard.settings import load_settings
    from outguard.types import Actor

    home = tmp_path / "home"
    assert _run(home, "init").exit_code == 0
    assert _run(home, "org", "add", "Acme Books", "--kind", "client").exit_code == 0
    assert _run(home, "audit", "checkpoint").exit_code == 0
    monkeypatch.setenv("OUTGUARD_HOME", str(home))
    settings = load_settings()
    engine = make_engine(settings.database_url)
    with unit_of_work(make_session_factory(engine)) as session:
        notes = list_checkpoints(session, Actor.system("test"))
    engine.dispose()
    assert len(notes) == 1 and notes[0].note.startswith("outguard.audit/")


def test_a_bundle_exported_from_the_demo_verifies_with_no_outguard_home(tmp_path):
    import subprocess
    import sys
    import sysconfig
    import zipfile

    home = tmp_path / "home"
    assert _run(home, "init").exit_code == 0
    assert _run(home, "demo").exit_code == 0
    bundle = tmp_path / "demo-evidence.zip"
    exported = _run(home, "audit", "export", "--out", str(bundle))
    assert exported.exit_code == 0, exported.output
    fingerprint = exported.output.rsplit("SHA-256: ", 1)[1].split()[0]
    elsewhere = tmp_path / "auditor-laptop"
    elsewhere.mkdir()
    with zipfile.ZipFile(bundle) as zf:
        (elsewhere / "verify_bundle.py").write_bytes(zf.read("verify_bundle.py"))
    paths = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": ":".join(sorted(paths))}
    run = subprocess.run(
        [
            sys.executable,
            "-S",
            "verify_bundle.py",
            str(bundle),
            "--key-sha256",
            fingerprint,
        ],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    count = int(run.stdout.split("OK: ")[1].split()[0])
    assert count >= 10  # the demo's organisations, users, invitations...


def test_consistency_between_two_checkpoints(tmp_path):
    from outguard.audit.chain import verify_consistency

    home = tmp_path / "home"
    assert _run(home, "init").exit_code == 0
    assert _run(home, "org", "add", "Acme Books", "--kind", "client").exit_code == 0
    assert _run(home, "audit", "checkpoint").exit_code == 0
    old_size = json.loads(_run(home, "audit", "verify", "--json").output)["events"]
    for name in ("Birch Ltd", "Cedar plc"):
        assert _run(home, "org", "add", name, "--kind", "vendor").exit_code == 0
    assert _run(home, "audit", "checkpoint").exit_code == 0
    new_size = json.loads(_run(home, "audit", "verify", "--json").output)["events"]
    sizes = (str(old_size), str(new_size))
    out = _run(home, "audit", "consistency", *sizes, "--json")
    assert out.exit_code == 0, out.output
    proof = json.loads(out.output)
    assert proof["ok"] and (proof["old_size"], proof["new_size"]) == (
        old_size,
        new_size,
    )
    assert verify_consistency(
        old_size,
        new_size,
        bytes.fromhex(proof["old_root"]),
        bytes.fromhex(proof["new_root"]),
        [bytes.fromhex(p) for p in proof["proof"]],
    )
    assert "consistent" in _run(home, "audit", "consistency", *sizes).output
    missing = _run(home, "audit", "consistency", str(old_size), str(new_size + 1))
    assert missing.exit_code == 5
    db = next(home.rglob("*.db"))
    with sqlite3.connect(db) as conn:  # rewrite what only the newer checkpoint covers
        conn.execute("DROP TRIGGER audit_events_no_update")
        conn.execute(
            "UPDATE audit_events SET leaf_hash = ? WHERE seq = ?",
            (b"\0" * 32, new_size),
        )
    bad = _run(home, "audit", "consistency", *sizes)
    assert bad.exit_code == 9
    assert "inconsistent" in bad.output


def test_verify_from_a_seq_rehashes_only_what_follows(tmp_path):
    """`--from`: an edit before SEQ goes unseen (its stored hash is taken), one after is named;
    a rewritten stored hash before SEQ still breaks the tree against the head."""
    home = tmp_path / "home"
    assert _run(home, "init").exit_code == 0
    for name in ("Acme Books", "Birch Payroll", "Cedar Tax"):
        assert _run(home, "org", "add", name, "--kind", "client").exit_code == 0
    assert json.loads(_run(home, "audit", "verify", "--json").output)["events"] >= 3
    db = next(home.rglob("*.db"))
    with sqlite3.connect(db) as conn:
        conn.execute("DROP TRIGGER audit_events_no_update")
        conn.execute("UPDATE audit_events SET actor_display = 'nobody' WHERE seq = 2")
    later = _run(home, "audit", "verify", "--from", "3")
    assert later.exit_code == 0, later.output
    assert "re-hashed from seq 3" in later.output
    assert (
        json.loads(_run(home, "audit", "verify", "--from", "3", "--json").output)[
            "rehashed_from_seq"
        ]
        == 3
    )
    assert _run(home, "audit", "verify", "--from", "2", "--json").exit_code == 9
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE audit_events SET leaf_hash = zeroblob(32) WHERE seq = 1")
    rewritten = json.loads(
        _run(home, "audit", "verify", "--from", "3", "--json").output
    )
    assert not rewritten["ok"]
    assert _run(home, "audit", "verify", "--from", "0").exit_code == 2  # usage error
    beyond = _run(home, "audit", "verify", "--from", "9999")
    assert beyond.exit_code == 7
    assert "at most" in beyond.output
