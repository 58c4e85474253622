"""`outguard engagement …` on the demo instance: list, matrix, check, state, history."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from outguard.cli.app import app
from tests.cli.test_cli import CHEAP

NAME = "Monthly bookkeeping and payroll"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    runner = CliRunner()
    env = {"OUTGUARD_HOME": str(tmp_path_factory.mktemp("eng") / "home"), **CHEAP}

    def invoke(*args: str):
        return runner.invoke(app, list(args), env=env)

    assert invoke("init").exit_code == 0
    assert invoke("demo").exit_code == 0
    return invoke


def test_list_and_matrix_show_the_demo(run):
    rows = json.loads(run("engagement", "list", "--json").output)
    assert [r["name"] for r in rows] == [NAME]
    matrix = json.loads(run("engagement", "matrix", NAME, "--json").output)
    colours = {r["agent"]: r["colour"] for r in matrix}
    assert colours["agent1@northwind.example"] == "green"
    assert colours["agent2@northwind.example"] == "red"


def test_check_exit_code_follows_the_gate(run):
    denied = run("engagement", "check", NAME, "--agent", "agent2@northwind.example")
    assert denied.exit_code == 4
    assert "Denied" in denied.output


def test_state_change_lands_in_the_history(run):
    bad = run("engagement", "state", NAME, "pause", "--reason", "Audit finding")
    assert bad.exit_code != 0
    done = run("engagement", "state", NAME, "suspend", "--reason", "Audit finding")
    assert done.exit_code == 0, done.output
    history = json.loads(run("engagement", "history", NAME, "--json").output)
    assert [h["tag"] for h in history][:2] == [
        "engagement:state_changed",
        "engagement:state_changed",
    ]
    assert history[0]["changed"] == "active → suspended"
    assert history[0]["reason"] == "Audit finding"
    assert history[-1]["tag"] == "engagement:created"
    assert (
        run("engagement", "state", NAME, "resume", "--reason", "Fixed").exit_code == 0
    )


def test_unknown_engagement_is_named(run):
    result = run("engagement", "history", "No such thing")
    assert result.exit_code != 0
    assert "No engagement" in result.output
