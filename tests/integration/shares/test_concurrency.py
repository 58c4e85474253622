"""Two people acting at once, each in their own transaction on a real database (both
engines): a revocation racing a render, and a revocation submitted twice. Each ends in one
consistent state: no copy left readable, one certificate, one refusal."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select

import outguard.shares.service as share_service
from outguard.accounts.service.demo import seed_demo
from outguard.datasets.service import DatasetsDeps
from outguard.db import make_session_factory, unit_of_work
from outguard.db.engine import make_engine
from outguard.db.migrate import upgrade
from outguard.engagements.models import Engagement
from outguard.engagements.service.demo import seed_engagement_demo
from outguard.errors import ConflictError
from outguard.instance.audit_keys import signer_from
from outguard.keystore.service import KeyDestroyedError, load_data_key
from outguard.security.aead import StaticKeyProvider
from outguard.security.signing import SigningKey
from outguard.shares.models import DestructionCertificate, Share, ShareRecipient
from outguard.shares.revoking import revoke
from outguard.shares.service import create_share, render_recipient
from outguard.storage import InMemoryBlobStore
from outguard.types import Actor
from tests.support.demo_share import share_with_asha

pytestmark = pytest.mark.integration
ROWS = b"employee,ssn\n" + b"".join(
    f"Person {i},536-22-{8726 + i}\n".encode() for i in range(40)
)
OWNER = Actor.system("test:owner")


@pytest.fixture
def world(fresh_database_url, deps):
    """A committed demo instance on its own database, and one queued share for Asha."""
    url = fresh_database_url()
    upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    ddeps = DatasetsDeps(
        clock=deps.clock,
        blobs=InMemoryBlobStore(),
        keys=StaticKeyProvider(),
        max_upload_bytes=1 << 20,
        signer=signer_from(SigningKey.generate()),
    )
    with unit_of_work(factory) as s:
        seed_demo(s, Actor.system("test"), deps=deps)
        seed_engagement_demo(s, deps=deps)
        made = share_with_asha(
            s, OWNER, ddeps, today=deps.clock.now().date(), rows=ROWS
        )
        ids = (made.view.share.id, made.view.recipients[0].id, made.client_org_id)
        # a form as submitted, for a double submit
        again = made.form.model_copy(update={"purpose": "A second run"})
    yield factory, ddeps, ids, again
    engine.dispose()


def _race(*steps) -> list[BaseException]:
    errors: list[BaseException] = []
    start = threading.Barrier(len(steps))

    def run(step) -> None:
        start.wait()
        try:
            step()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(s,)) for s in steps]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return errors


def _nothing_readable(factory, ddeps, recipient_id, org_id) -> None:
    with unit_of_work(factory) as s:
        recipient = s.get(ShareRecipient, recipient_id)
        assert recipient.state == "revoked"
        if recipient.key_id is not None:
            with pytest.raises(KeyDestroyedError):
                load_data_key(
                    s, ddeps.keys, tenant=str(org_id), key_id=recipient.key_id
                )
        if recipient.blob_key is not None:
            assert not ddeps.blobs.exists(recipient.blob_key)


@pytest.mark.parametrize("first", ["render", "revoke"])
def test_a_revocation_racing_a_render_leaves_no_copy(world, monkeypatch, first):
    factory, ddeps, (share_id, recipient_id, org_id), _ = world
    real = share_service.protect_file

    def slow(*args, **kwargs):  # the render holds the recipient's row lock a while
        time.sleep(0.4)
        return real(*args, **kwargs)

    monkeypatch.setattr(share_service, "protect_file", slow)

    def render() -> None:
        if first == "revoke":
            time.sleep(0.2)
        with unit_of_work(factory) as s:
            render_recipient(s, recipient_id, deps=ddeps)

    def revoke_it() -> None:
        if first == "render":
            time.sleep(0.2)
        with unit_of_work(factory) as s:
            revoke(s, OWNER, share_id, reason="Work moved", deps=ddeps)

    assert _race(render, revoke_it) == []
    _nothing_readable(factory, ddeps, recipient_id, org_id)
    with unit_of_work(factory) as s:
        certs = s.execute(select(DestructionCertificate)).scalars().all()
        made = s.get(ShareRecipient, recipient_id).rendition_id is not None
    # Rendered first: its copy was destroyed, with a certificate. Revoked first: no copy
    # was ever made, so there is nothing to certify.
    assert len(certs) == (1 if made else 0)
    assert made == (first == "render")


def test_a_revocation_submitted_twice_happens_once(world):
    factory, ddeps, (share_id, recipient_id, org_id), _ = world
    with unit_of_work(factory) as s:
        render_recipient(s, recipient_id, deps=ddeps)

    def revoke_it() -> None:
        with unit_of_work(factory) as s:
            revoke(s, OWNER, share_id, reason="Work moved", deps=ddeps)

    errors = _race(revoke_it, revoke_it)
    assert len(errors) == 1
    assert isinstance(errors[0], ConflictError)
    _nothing_readable(factory, ddeps, recipient_id, org_id)
    with unit_of_work(factory) as s:
        assert len(s.execute(select(DestructionCertificate)).scalars().all()) == 1
        assert s.execute(select(Engagement)).scalars().first() is not None


def test_a_share_submitted_twice_is_made_once(world):
    factory, ddeps, _, again = world
    made = []

    def submit() -> None:
        with unit_of_work(factory) as s:
            made.append(create_share(s, OWNER, again, deps=ddeps).share.id)

    assert _race(submit, submit) == []
    assert len(made) == 2
    assert made[0] == made[1]  # the second click lands on the same share
    with unit_of_work(factory) as s:
        twins = (
            s.execute(select(Share).where(Share.purpose == "A second run"))
            .scalars()
            .all()
        )
        assert len(twins) == 1
