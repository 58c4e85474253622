"""`outguard policy list|show|check`: templates, validation errors with lines, exit codes."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from outguard.cli.app import app

runner = CliRunner()


def _run(*args: str, home):
    return runner.invoke(app, list(args), env={"OUTGUARD_HOME": str(home)})


def test_list_shows_every_template_and_its_ssn_rule(tmp_path):
    result = _run("policy", "list", home=tmp_path)
    assert result.exit_code == 0, result.output
    for name in (
        "bookkeeping",
        "accounts-payable",
        "accounts-receivable",
        "payroll",
        "tax-preparation",
    ):
        assert name in result.output
    as_json = json.loads(_run("policy", "list", "--json", home=tmp_path).output)
    tax = next(p for p in as_json if p["name"] == "tax-preparation")
    assert tax["entities"]["US_SSN"]["action"] == "drop"


def test_show_prints_yaml_that_checks_clean_after_copying(tmp_path):
    shown = _run("policy", "show", "payroll", home=tmp_path)
    assert shown.exit_code == 0
    copy = tmp_path / "mine.yaml"
    copy.write_text(shown.output)
    checked = _run("policy", "check", str(copy), home=tmp_path)
    assert checked.exit_code == 0, checked.output
    assert "is valid" in checked.output
    assert "US_SSN" in checked.output
    rules = _run("policy", "show", str(copy), "--rules", home=tmp_path)
    assert "age_band" in rules.output


def test_check_names_the_line_and_exits_7(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nname: x\nentities:\n  US_SSN: {action: shred}\n")
    result = _run("policy", "check", str(bad), home=tmp_path)
    assert result.exit_code == 7
    assert "bad.yaml line 4" in result.output
    assert "unknown action" in result.output


def test_check_refuses_missing_binary_and_huge_files(tmp_path):
    assert (
        _run("policy", "check", str(tmp_path / "none.yaml"), home=tmp_path).exit_code
        == 7
    )
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    result = _run("policy", "check", str(binary), home=tmp_path)
    assert result.exit_code == 7
    assert "UTF-8" in result.output
    huge = tmp_path / "huge.yaml"
    huge.write_text("#" * (300 * 1024))
    assert "at most" in _run("policy", "check", str(huge), home=tmp_path).output
