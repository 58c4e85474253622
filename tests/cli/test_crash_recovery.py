"""kill -9 in the middle of an upload and of a render, on a real instance (SQLite file,
blob folder): nothing half-made is left in the database, nothing in clear is left on disk,
and the interrupted render is simply done again.

Each crash runs in a child process that SIGKILLs itself at the worst moment: after the
sealed bytes reached the blob folder, before the transaction committed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from outguard.accounts.models import User
from outguard.cli.app import app
from outguard.cli.context import CliContext
from outguard.datasets.models import DatasetVersion
from outguard.datasets.service import scan_version, upload
from outguard.engagements.models import Engagement
from outguard.keystore.sealed import read_sealed_bytes
from outguard.settings import load_settings
from outguard.shares.models import ShareRecipient
from outguard.shares.service import ShareCreate, create_share, render_recipient
from tests.cli.test_cli import CHEAP

SSN = "536-22-8726"
ROWS = (
    "employee,ssn,amount\n"
    + "".join(f"Person {i},536-22-{8726 + i:04d},{100 + i}\n" for i in range(50))
).encode()

# The child: the same instance, and a put_sealed that dies right after writing the blob.
_CHILD = """
import os, signal, sys, uuid
import outguard.keystore.sealed as sealed
from outguard.cli.context import CliContext
from outguard.settings import load_settings

real = sealed.put_sealed

def dying(*args, **kwargs):
    real(*args, **kwargs)
    os.kill(os.getpid(), signal.SIGKILL)

import outguard.datasets.service as datasets
import outguard.shares.service as shares
datasets.put_sealed = dying
shares.put_sealed = dying
cli = CliContext(load_settings())
with cli.transaction() as session:
    {action}
"""


@pytest.fixture
def instance(tmp_path, monkeypatch) -> tuple[CliContext, Path, dict[str, str]]:
    home = tmp_path / "home"
    env = {"OUTGUARD_HOME": str(home), **CHEAP}
    runner = CliRunner()
    assert runner.invoke(app, ["init"], env=env).exit_code == 0
    assert runner.invoke(app, ["demo"], env=env).exit_code == 0
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return CliContext(load_settings()), home, env


def _crash(env: dict[str, str], action: str) -> None:
    code = textwrap.dedent(_CHILD).format(action=action)
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, **env},
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr.decode()[-2000:]


def _nothing_in_clear(home: Path) -> None:
    for path in home.rglob("*"):
        if path.is_file():
            assert SSN.encode() not in path.read_bytes(), path


def test_a_killed_upload_leaves_no_version_and_nothing_in_clear(instance):
    cli, home, env = instance
    with cli.transaction() as session:
        org_id = session.execute(select(Engagement)).scalars().first().client_org_id
    _crash(
        env,
        "datasets.upload(session, cli.actor, org_id=uuid.UUID("
        f"'{org_id}'), filename='p.csv', name='P', chunks=[{ROWS!r}], "
        "deps=cli.datasets_deps)",
    )
    with cli.transaction() as session:
        assert session.execute(select(DatasetVersion)).scalars().all() == []
    _nothing_in_clear(home)


def test_a_killed_render_is_done_again_and_leaves_nothing_in_clear(instance):
    cli, home, env = instance
    deps = cli.datasets_deps
    with cli.transaction() as session:
        engagement = session.execute(select(Engagement)).scalars().first()
        asha = session.execute(
            select(User).where(User.email == "agent1@northwind.example")
        ).scalar_one()
        version = upload(
            session,
            cli.actor,
            org_id=engagement.client_org_id,
            filename="p.csv",
            name="P",
            chunks=[ROWS],
            deps=deps,
        )
        scan_version(session, version.id, deps=deps)
        view = create_share(
            session,
            cli.actor,
            ShareCreate(
                engagement_id=engagement.id,
                version_id=version.id,
                policy="payroll",
                agent_ids=[asha.id],
                purpose="Payroll run",
                can_download=True,
                expires_on=cli.clock.now().date() + timedelta(days=5),
            ),
            deps=deps,
        )
        recipient_id = view.recipients[0].id
    _crash(
        env,
        f"shares.render_recipient(session, uuid.UUID('{recipient_id}'), "
        "deps=cli.datasets_deps)",
    )
    with cli.transaction() as session:
        recipient = session.get(ShareRecipient, recipient_id)
        assert recipient.state == "queued"  # rolled back: the job will run it again
        assert recipient.key_id is None
    _nothing_in_clear(home)
    with cli.transaction() as session:
        assert render_recipient(session, recipient_id, deps=deps).state == "ready"
    with cli.transaction() as session:
        recipient = session.get(ShareRecipient, recipient_id)
        copy = read_sealed_bytes(
            session,
            deps.keys,
            deps.blobs,
            tenant=str(engagement.client_org_id),
            key_id=recipient.key_id,
            blob_key=recipient.blob_key,
        )
    assert copy.startswith(b"employee,ssn,amount")
    assert SSN.encode() not in copy
    _nothing_in_clear(home)
