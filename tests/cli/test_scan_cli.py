"""`outguard scan`: a readable table, --json without raw values, clear errors."""

from __future__ import annotations

import csv
import json

from typer.testing import CliRunner

from outguard.cli.app import app

runner = CliRunner()


def _run(tmp_path, *args):
    return runner.invoke(app, list(args), env={"OUTGUARD_HOME": str(tmp_path / "home")})


def test_scan_table_and_text(tmp_path):
    path = tmp_path / "payroll.csv"
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["Employee", "SSN", "Gross Pay", "Memo"])
        w.writerow(["Roe, Jane", "512-84-3307", "4,200.00", "DOB 03/14/1985"])
        w.writerow(["Smith, John", "219-22-1234", "3,900.50", ""])
    human = _run(tmp_path, "scan", str(path))
    assert human.exit_code == 0, human.output
    assert "US_SSN" in human.output and "***-**-3307" in human.output
    assert "512-84-3307" not in human.output
    report = json.loads(_run(tmp_path, "scan", str(path), "--json").output)
    columns = {c["name"]: c for c in report["columns"]}
    assert columns["SSN"]["entity"] == "US_SSN" and columns["SSN"]["matched"] == 2
    assert columns["Gross Pay"]["kind"] == "not_pii"
    assert columns["Memo"]["spans"] == {"DATE_OF_BIRTH": 1}
    assert "512-84-3307" not in json.dumps(report) and "Jane" not in json.dumps(report)
    note = tmp_path / "note.txt"
    note.write_text("Card 4556 7375 8689 9855 on file.")
    both = json.loads(_run(tmp_path, "scan", str(path), str(note), "--json").output)
    assert both[1]["spans"][0]["entity"] == "CREDIT_CARD"


def test_scan_refuses_unreadable_files_with_exit_7(tmp_path):
    junk = tmp_path / "junk.csv"
    junk.write_bytes(bytes(range(256)) * 10)
    result = _run(tmp_path, "scan", str(junk))
    assert result.exit_code == 7
    assert "not text" in result.output
