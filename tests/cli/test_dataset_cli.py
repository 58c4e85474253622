"""`outguard dataset …` on a demo instance: upload (sealed), scan, list, show, refuse."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from outguard.cli.app import app
from tests.cli.test_cli import CHEAP

CLIENT = "Maple Street Bookkeeping"
SSN = "536-22-8726"


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("ds") / "home"


@pytest.fixture(scope="module")
def run(home):
    runner = CliRunner()
    env = {"OUTGUARD_HOME": str(home), **CHEAP}

    def invoke(*args: str):
        return runner.invoke(app, list(args), env=env)

    assert invoke("init").exit_code == 0
    assert invoke("demo").exit_code == 0
    return invoke


@pytest.fixture
def people(tmp_path) -> Path:
    path = tmp_path / "people.csv"
    path.write_text(
        f"name,ssn,email\nAna Diaz,{SSN},ana@example.com\nBo Li,536-22-8727,bo@example.com\n"
    )
    return path


def test_upload_scans_and_seals(run, home, people):
    result = run("dataset", "upload", str(people), "--org", CLIENT, "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["state"] == "scanned"
    assert "US_SSN 2" in out["found"]
    assert SSN not in result.output
    blobs = [p for p in (home / "blobs").rglob("*") if p.is_file()]
    assert blobs
    assert all(SSN.encode() not in p.read_bytes() for p in blobs)
    again = run("dataset", "upload", str(people), "--org", CLIENT, "--to", "people.csv")
    assert again.exit_code == 0, again.output
    assert "version 2" in again.output
    shown = json.loads(run("dataset", "show", "people.csv", "--json").output)
    assert [v["version"] for v in shown["versions"]] == [2, 1]
    listed = run("dataset", "list")
    assert "people.csv" in listed.output


def test_refusals_are_clear(run, tmp_path):
    exe = tmp_path / "payroll.csv"
    exe.write_bytes(b"MZ\x90\x00 not a table")
    result = run("dataset", "upload", str(exe), "--org", CLIENT)
    assert result.exit_code != 0
    assert "executable" in result.output
    vendor = run("dataset", "upload", str(exe), "--org", "Northwind Outsourcing")
    assert vendor.exit_code != 0
    assert "client" in vendor.output
    missing = run("dataset", "show", "no such dataset")
    assert missing.exit_code != 0
    assert "No dataset" in missing.output
