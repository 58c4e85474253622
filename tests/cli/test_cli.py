"""The CLI end to end on a real instance folder (SQLite): init, demo, org, user, exit codes."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from outguard.cli.app import app

CHEAP = {
    "OUTGUARD_AUTH__ARGON2_TIME_COST": "1",
    "OUTGUARD_AUTH__ARGON2_MEMORY_KIB": "8",
    "OUTGUARD_AUTH__ARGON2_PARALLELISM": "1",
    "OUTGUARD_MAIL__BACKEND": "null",
}


@pytest.fixture
def run(tmp_path):
    runner = CliRunner()
    env = {"OUTGUARD_HOME": str(tmp_path / "home"), **CHEAP}

    def invoke(*args: str, input: str | None = None, extra_env: dict | None = None):
        return runner.invoke(
            app, list(args), env={**env, **(extra_env or {})}, input=input
        )

    return invoke


def test_help_teaches(run):
    result = run("--help")
    assert result.exit_code == 0
    for word in ("init", "serve", "demo", "user", "org"):
        assert word in result.output


def test_commands_refuse_without_instance(run):
    result = run("org", "list")
    assert result.exit_code == 5
    assert "outguard init" in result.output


def test_init_twice_refuses_clearly(run, tmp_path):
    assert run("init").exit_code == 0
    key = (tmp_path / "home" / "keys" / "app.key").read_bytes()
    second = run("init")
    assert second.exit_code == 6
    assert "already exists" in second.output
    assert (tmp_path / "home" / "keys" / "app.key").read_bytes() == key
    assert run("init", "--if-missing").exit_code == 0


def test_demo_seeds_once_and_lists(run):
    run("init")
    first = run("demo")
    assert first.exit_code == 0, first.output
    assert "owner@maple.example" in first.output
    assert run("demo").exit_code == 6
    assert run("demo", "--if-empty").exit_code == 0
    orgs = json.loads(run("org", "list", "--json").output)
    assert {o["kind"] for o in orgs} == {"client", "vendor", "subcontractor"}
    people = json.loads(run("user", "list", "--json").output)
    assert len(people) == 9
    assert all("password" not in json.dumps(p) for p in people)


def test_demo_totp_only_in_demo_mode(run):
    run("init")
    run("demo")
    refused = run("demo", "totp", "owner@maple.example")
    assert refused.exit_code == 4
    allowed = run(
        "demo", "totp", "owner@maple.example", extra_env={"OUTGUARD_DEMO": "true"}
    )
    assert allowed.exit_code == 0
    assert allowed.output.strip().isdigit()
    assert len(allowed.output.strip()) == 6


def test_org_and_user_add_disable(run):
    run("init")
    assert run("org", "add", "Acme Books", "--kind", "client").exit_code == 0
    assert (
        run(
            "org", "add", "Far Vendor", "--kind", "vendor", "--parent", "Acme Books"
        ).exit_code
        == 0
    )
    bad_sub = run("org", "add", "Orphan", "--kind", "subcontractor")
    assert bad_sub.exit_code == 4
    added = run(
        "user",
        "add",
        "--email",
        "Ann@Acme.test",
        "--name",
        "Ann",
        "--org",
        "Acme Books",
        "--role",
        "owner",
        "--password",
        "a long enough passphrase",
        "--json",
    )
    assert added.exit_code == 0, added.output
    assert json.loads(added.output)["email"] == "ann@acme.test"
    wrong_role = run(
        "user",
        "add",
        "--email",
        "b@acme.test",
        "--name",
        "B",
        "--org",
        "Acme Books",
        "--role",
        "agent",
        "--password",
        "a long enough passphrase",
    )
    assert wrong_role.exit_code == 7
    assert "Roles allowed" in wrong_role.output
    weak = run(
        "user",
        "add",
        "--email",
        "c@acme.test",
        "--name",
        "C",
        "--org",
        "Acme Books",
        "--role",
        "staff",
        "--password",
        "short",
    )
    assert weak.exit_code == 7
    assert run("user", "disable", "ann@acme.test").exit_code == 0
    people = json.loads(run("user", "list", "--json").output)
    assert [p["status"] for p in people] == ["disabled"]
    assert run("user", "disable", "nobody@acme.test").exit_code == 5


def test_db_current(run):
    run("init")
    result = run("db", "current", "--json")
    assert json.loads(result.output)["up_to_date"] is True


def test_keys_rotate_rewraps_with_progress(run, tmp_path):
    from outguard.db import make_engine, make_session_factory, unit_of_work
    from outguard.keystore import service as keys
    from outguard.keystore.provider import make_key_provider
    from outguard.settings import Settings
    from outguard.types import SystemClock

    assert run("init").exit_code == 0
    assert "No keys yet" in run("keys", "rotate").output
    settings = Settings(home=tmp_path / "home")
    provider = make_key_provider(settings)
    factory = make_session_factory(make_engine(settings.database_url))
    with unit_of_work(factory) as session:
        deks = {
            f"k/{i}": keys.create_data_key(
                session,
                provider,
                tenant="acme",
                key_id=f"k/{i}",
                purpose="blob",
                clock=SystemClock(),
            )
            for i in range(3)
        }
    result = run("keys", "rotate")
    assert result.exit_code == 0, result.output
    status = json.loads(run("keys", "status", "--json").output)
    assert [(k["version"], k["state"]) for k in status[0]["keks"]] == [
        (1, "retired"),
        (2, "active"),
    ]
    assert status[0]["data_keys_by_version"] == {"2": 3}
    with unit_of_work(factory) as session:
        for key_id, dek in deks.items():
            assert (
                keys.load_data_key(session, provider, tenant="acme", key_id=key_id)
                == dek
            )
