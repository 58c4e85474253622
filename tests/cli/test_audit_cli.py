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
