"""kill -9 in the middle of an upload, a render, a re-identification and a revocation, on a
real instance (SQLite file, blob folder): nothing half-made is left in the database,
nothing in clear is left on disk, and the interrupted operation is simply done again.

Each crash runs in a child process that SIGKILLs itself at the worst moment: after the
sealed bytes reached the blob folder (or the blob was deleted), before the transaction
committed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from outguard.accounts.models import Organization, User
from outguard.accounts.service.actors import actor_for
from outguard.accounts.service.demo import DEMO_PASSWORD
from outguard.cli.app import app
from outguard.cli.context import CliContext
from outguard.datasets.models import DatasetVersion
from outguard.engagements.models import Engagement
from outguard.keystore.sealed import read_sealed_bytes
from outguard.settings import load_settings
from outguard.shares.models import (
    DestructionCertificate,
    Share,
    ShareRecipient,
    ShareReturn,
)
from outguard.shares.returns import reidentified_file, reidentify_return, submit_return
from outguard.shares.revoking import revoke
from outguard.shares.service import render_recipient
from outguard.types import Actor, RequestContext
from tests.cli.test_cli import CHEAP
from tests.support.demo_share import share_with_asha

SSN = "536-22-8726"
ROWS = (
    "employee,ssn,amount\n"
    + "".join(f"Person {i},536-22-{8726 + i:04d},{100 + i}\n" for i in range(50))
).encode()

# The child: the same instance, and a put_sealed that dies right after writing the blob.
_CHILD = """
import os, signal, sys, uuid
from sqlalchemy import select
import outguard.keystore.sealed as sealed
from outguard.accounts.models import Organization, User
from outguard.accounts.service.actors import actor_for
from outguard.cli.context import CliContext
from outguard.settings import load_settings
from outguard.storage.local import LocalBlobStore
from outguard.types import RequestContext

def after(real):
    def dying(*args, **kwargs):
        real(*args, **kwargs)
        os.kill(os.getpid(), signal.SIGKILL)
    return dying

def person(session, email):
    user = session.execute(select(User).where(User.email == email)).scalar_one()
    org = session.get(Organization, user.org_id)
    return actor_for(user, org, RequestContext(ip="127.0.0.1", user_agent="crash"))

import outguard.datasets.service as datasets
import outguard.shares.returns as returns
import outguard.shares.revoking as revoking
import outguard.shares.service as shares
datasets.put_sealed = after(sealed.put_sealed)
shares.put_sealed = after(sealed.put_sealed)
returns.put_sealed = after(sealed.put_sealed)
LocalBlobStore.delete = after(LocalBlobStore.delete)
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


def _queued_share(cli: CliContext) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
    """(share, Asha's recipient row, client org): a payroll share waiting to be made."""
    with cli.transaction() as session:
        made = share_with_asha(
            session,
            cli.actor,
            cli.datasets_deps,
            today=cli.clock.now().date(),
            rows=ROWS,
            can_download=True,
        )
        return made.view.share.id, made.view.recipients[0].id, made.client_org_id


def _copy(cli: CliContext, recipient_id: uuid.UUID, org_id: uuid.UUID) -> bytes:
    deps = cli.datasets_deps
    with cli.transaction() as session:
        recipient = session.get(ShareRecipient, recipient_id)
        return read_sealed_bytes(
            session,
            deps.keys,
            deps.blobs,
            tenant=str(org_id),
            key_id=recipient.key_id,
            blob_key=recipient.blob_key,
        )


def _person(session, email: str) -> Actor:
    user = session.execute(select(User).where(User.email == email)).scalar_one()
    org = session.get(Organization, user.org_id)
    return actor_for(user, org, RequestContext(ip="127.0.0.1", user_agent="pytest"))


def test_a_killed_render_is_done_again_and_leaves_nothing_in_clear(instance):
    cli, home, env = instance
    _, recipient_id, org_id = _queued_share(cli)
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
        render = render_recipient(session, recipient_id, deps=cli.datasets_deps)
        assert render.state == "ready"
    copy = _copy(cli, recipient_id, org_id)
    assert copy.startswith(b"employee,ssn,amount")
    assert SSN.encode() not in copy
    _nothing_in_clear(home)


def test_a_killed_revocation_is_finished_by_the_retry(instance):
    cli, home, env = instance
    share_id, recipient_id, _ = _queued_share(cli)
    with cli.transaction() as session:
        render_recipient(session, recipient_id, deps=cli.datasets_deps)
    _crash(
        env,
        f"revoking.revoke(session, cli.actor, uuid.UUID('{share_id}'), "
        "reason='Work moved', deps=cli.datasets_deps)",
    )
    with cli.transaction() as session:
        share = session.get(Share, share_id)
        recipient = session.get(ShareRecipient, recipient_id)
        assert share.state == "active"  # rolled back ...
        blob_key = recipient.blob_key
    assert not cli.datasets_deps.blobs.exists(blob_key)  # ... but the copy is gone
    with cli.transaction() as session:
        revoke(
            session, cli.actor, share_id, reason="Work moved", deps=cli.datasets_deps
        )
    with cli.transaction() as session:
        assert session.get(Share, share_id).state == "revoked"
        [cert] = session.execute(select(DestructionCertificate)).scalars().all()
        assert len(cert.document["destroyed"]) == 1
    _nothing_in_clear(home)


def test_a_killed_reidentification_is_done_again(instance):
    cli, home, env = instance
    deps = cli.datasets_deps
    share_id, recipient_id, org_id = _queued_share(cli)
    with cli.transaction() as session:
        render_recipient(session, recipient_id, deps=deps)
    lines = _copy(cli, recipient_id, org_id).decode("utf-8-sig").splitlines()
    worked = "\n".join([lines[0] + ",status", *(f"{x},paid" for x in lines[1:])])
    with cli.transaction() as session:
        row = submit_return(
            session,
            _person(session, "agent1@northwind.example"),
            share_id,
            filename="worked.csv",
            chunks=[worked.encode()],
            deps=deps,
        )
        return_id = row.id
    _crash(
        env,
        "returns.reidentify_return(session, person(session, 'owner@maple.example'), "
        f"uuid.UUID('{share_id}'), uuid.UUID('{return_id}'), "
        f"password={DEMO_PASSWORD!r}, deps=cli.datasets_deps, accounts=cli.deps)",
    )
    with cli.transaction() as session:
        assert session.get(ShareReturn, return_id).state == "received"
    _nothing_in_clear(home)  # the result reached the disk sealed only
    with cli.transaction() as session:
        done = reidentify_return(
            session,
            _person(session, "owner@maple.example"),
            share_id,
            return_id,
            password=DEMO_PASSWORD,
            deps=deps,
            accounts=cli.deps,
        )
        assert done.state == "reidentified"
        _, data = reidentified_file(
            session,
            _person(session, "owner@maple.example"),
            share_id,
            return_id,
            deps=deps,
        )
    assert SSN.encode() in data  # the owner's file has the real values back
    _nothing_in_clear(home)
