"""Checkpoints on a schedule: every N events, every T seconds with news, and at shutdown."""

from __future__ import annotations

from outguard.audit.service import record
from outguard.audit.tags import AuditTag
from outguard.db import make_session_factory, unit_of_work
from outguard.db.engine import make_engine
from outguard.db.migrate import upgrade
from outguard.instance.audit_keys import signer_from
from outguard.instance.checkpoints import Checkpointer
from outguard.security.signing import SigningKey
from outguard.settings import Settings
from outguard.types import Actor, SystemClock


def test_schedule(fresh_database_url, tmp_path):
    url = fresh_database_url()
    upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    now = [0.0]
    settings = Settings(
        home=tmp_path,
        audit={"checkpoint_every_events": 5, "checkpoint_every_seconds": 60},
    )
    cp = Checkpointer(
        settings,
        factory,
        SystemClock(),
        monotonic=lambda: now[0],
        signer=signer_from(SigningKey.generate()),
    )

    def append(n):
        with unit_of_work(factory) as session:
            for _ in range(n):
                record(
                    session, Actor.system("t"), AuditTag.JOB_FAILED, clock=SystemClock()
                )

    assert cp.tick() is None  # empty log
    append(3)
    assert cp.tick() is None  # 3 < 5 events, 0 < 60 s
    append(2)
    assert cp.tick() == 5  # N reached
    append(1)
    now[0] = 30
    assert cp.tick() is None
    now[0] = 95
    assert cp.tick() == 6  # T passed with news
    now[0] = 200
    assert cp.tick() is None  # T passed, nothing new
    append(1)
    assert cp.final() == 7  # shutdown covers the last events
    engine.dispose()
