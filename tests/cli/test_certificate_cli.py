"""`outguard certificate verify` on a real instance: a certificate issued when a share is
revoked verifies (signature, pinned key, audit log); an edited one, or another key, fails."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from outguard.cli.app import app
from outguard.cli.context import CliContext
from outguard.settings import load_settings
from outguard.shares.certificate_pdf import certificate_pdf
from outguard.shares.ending import certificate_file, certificates
from outguard.shares.revoking import revoke
from outguard.shares.service import render_recipient
from tests.cli.test_cli import CHEAP
from tests.support.demo_share import share_with_asha


@pytest.fixture(scope="module")
def issued(tmp_path_factory) -> tuple[Path, dict[str, str], Path]:
    """An instance with one revoked share; its certificate as JSON and as PDF."""
    home = tmp_path_factory.mktemp("cert") / "home"
    env = {"OUTGUARD_HOME": str(home), **CHEAP}
    runner = CliRunner()
    assert runner.invoke(app, ["init"], env=env).exit_code == 0
    assert runner.invoke(app, ["demo"], env=env).exit_code == 0
    with pytest.MonkeyPatch.context() as mp:
        for name, value in env.items():
            mp.setenv(name, value)
        cli = CliContext(load_settings())
        deps = cli.datasets_deps
        with cli.transaction() as session:
            view = share_with_asha(
                session,
                cli.actor,
                deps,
                today=cli.clock.now().date(),
                rows=b"employee,ssn\nAna Diaz,536-22-8726\nBo Li,536-22-8727\n",
                filename="people.csv",
            ).view
            render_recipient(session, view.recipients[0].id, deps=deps)
            revoke(session, cli.actor, view.share.id, reason="Work done", deps=deps)
            [cert] = certificates(session, cli.actor, view.share.id)[1]
            _, _, data = certificate_file(
                session, cli.actor, view.share.id, cert.id, deps=deps
            )
    out = home.parent / "certificate.json"
    out.write_bytes(data)
    pdf = home.parent / "certificate.pdf"
    pdf.write_bytes(certificate_pdf(data, client_name="Maple", names={}))
    return out, env, pdf


def _verify(env: dict[str, str], *args: str):
    return CliRunner().invoke(app, ["certificate", "verify", *args], env=env)


def test_the_issuing_instance_verifies_it_and_finds_it_in_the_log(issued):
    path, env, pdf = issued
    for file in (path, pdf):
        result = _verify(env, str(file), "--json")
        assert result.exit_code == 0, result.output
        report = json.loads(result.output)
        assert report["ok"]
        assert report["pinned"]
        assert report["in_audit_log"] is True
        assert report["copies"] == 1


def test_elsewhere_it_verifies_against_the_pinned_key(issued, tmp_path):
    path, env, _ = issued
    away = {**env, "OUTGUARD_HOME": str(tmp_path / "nothing-here")}
    key = json.loads(path.read_text())["key_sha256"]
    result = _verify(away, str(path), "--key-sha256", key)
    assert result.exit_code == 0, result.output
    assert "signed by the pinned key" in result.output
    unpinned = _verify(away, str(path))
    assert unpinned.exit_code == 0
    assert "pin it with --key-sha256" in unpinned.output
    wrong = _verify(away, str(path), "--key-sha256", "0" * 64)
    assert wrong.exit_code == 9
    assert "different key" in wrong.output


def test_an_edited_certificate_fails_and_says_why(issued, tmp_path):
    path, env, _ = issued
    body = json.loads(path.read_text())
    body["document"]["destroyed"] = []
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(body))
    result = _verify(env, str(edited))
    assert result.exit_code == 9
    assert "the document was changed" in result.output
    junk = tmp_path / "junk.json"
    junk.write_text("not a certificate")
    result = _verify(env, str(junk))
    assert result.exit_code != 0
    assert "neither a certificate" in result.output
