"""`outguard protect|reidentify|trace|recipients`: the five-minute tour, and its errors."""

from __future__ import annotations

import csv
import json

from typer.testing import CliRunner

from outguard.cli.app import app

runner = CliRunner()
ROWS = [
    ["Employee", "SSN", "Email", "Gross Pay", "Memo"],
    [
        "Roe, Jane",
        "512-84-3307",
        "jane.roe@example.com",
        "4,200.00",
        "Paid; SSN 512-84-3307 on file",
    ],
    ["Smith, John", "219-22-1234", "john.smith@example.com", "3,900.50", ""],
    [
        "Okafor, Ada",
        "431-67-2290",
        "ada.okafor@example.com",
        "5,100.00",
        "=cmd|' /C calc'!A0",
    ],
]
SECRETS = ("512-84-3307", "219-22-1234", "jane.roe@example.com", "Roe, Jane")


def _run(tmp_path, *args):
    return runner.invoke(
        app, list(args), env={"OUTGUARD_HOME": str(tmp_path / "home"), "COLUMNS": "200"}
    )


def test_protect_reidentify_trace_from_the_command_line(tmp_path):
    assert _run(tmp_path, "init").exit_code == 0
    source = tmp_path / "payroll.csv"
    with source.open("w", newline="") as fh:
        csv.writer(fh).writerows(ROWS)
    empty = _run(tmp_path, "recipients")
    assert "No recipients yet" in empty.output
    out = tmp_path / "agent.csv"
    made = _run(
        tmp_path,
        "protect",
        str(source),
        "--policy",
        "payroll",
        "--recipient",
        "acme.agent-1",
        "--out",
        str(out),
    )
    assert made.exit_code == 0, made.output
    assert "tokenize" in made.output and "New recipient acme.agent-1" in made.output
    sent = out.read_text(encoding="utf-8-sig")
    assert not any(s in sent or s in made.output for s in SECRETS)
    assert "'=cmd" in sent  # the formula payload is inert
    listed = json.loads(_run(tmp_path, "recipients", "--json").output)
    assert listed[0]["recipient"] == "acme.agent-1" and listed[0]["renditions"] == 1
    back = tmp_path / "back.csv"
    returned = _run(
        tmp_path,
        "reidentify",
        str(out),
        "-r",
        "acme.agent-1",
        "-o",
        str(back),
        "--json",
    )
    assert returned.exit_code == 0, returned.output
    report = json.loads(returned.output)
    assert report["reidentified"] >= 6 and not any(
        s in returned.output for s in SECRETS
    )
    restored = back.read_text(encoding="utf-8-sig")
    assert "512-84-3307" in restored and "Roe, Jane" in restored
    traced = _run(tmp_path, "trace", str(out))
    assert traced.exit_code == 0, traced.output
    assert "Attributed to recipient acme.agent-1" in traced.output
    evidence = json.loads(_run(tmp_path, "trace", str(out), "--json").output)
    assert evidence["attributions"][0]["recipient"] == "acme.agent-1"


def test_errors_are_one_clear_line(tmp_path):
    assert _run(tmp_path, "init").exit_code == 0
    source = tmp_path / "payroll.csv"
    with source.open("w", newline="") as fh:
        csv.writer(fh).writerows(ROWS)
    bad_policy = tmp_path / "p.yaml"
    bad_policy.write_text("version: 1\nname: p\nentities:\n  US_SSN: {action: shred}\n")
    result = _run(
        tmp_path,
        "protect",
        str(source),
        "-p",
        str(bad_policy),
        "-r",
        "a",
        "-o",
        str(tmp_path / "o.csv"),
    )
    assert (
        result.exit_code != 0
        and "line 4" in result.output
        and "unknown action" in result.output
    )
    result = _run(
        tmp_path,
        "reidentify",
        str(source),
        "-r",
        "ghost",
        "-o",
        str(tmp_path / "o.csv"),
    )
    assert (
        result.exit_code != 0
        and "No rendition was made for recipient 'ghost'" in result.output
    )
    result = _run(tmp_path, "trace", str(source))
    assert result.exit_code != 0 and "No rendition was ever made here" in result.output
    assert not (tmp_path / "o.csv").exists()
