"""The worker's daily schedule: one reminders job per UTC day, however many workers ask,
and the job itself sends the reminder e-mails once."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import delete, select

from outguard.accounts.service.demo import seed_demo
from outguard.db import make_session_factory, unit_of_work
from outguard.engagements.service.demo import seed_engagement_demo
from outguard.jobs import queue
from outguard.jobs.models import Job
from outguard.jobs.runner import JobContext
from outguard.types import Actor, FixedClock
from outguard.worker.main import make_schedule
from outguard.worker.registry import REMIND, build_registry
from outguard.worker.schedule import DailyJob, ticks
from tests.conftest import TEST_NOW


@pytest.fixture
def factory(engine):
    f = make_session_factory(engine)
    with unit_of_work(f) as s:
        s.execute(delete(Job))
    yield f
    with unit_of_work(f) as s:
        s.execute(delete(Job))


def _jobs(factory) -> list[Job]:
    with unit_of_work(factory) as s:
        return list(s.execute(select(Job).where(Job.kind == REMIND)).scalars())


def _daily(factory, clock, hour=6) -> DailyJob:
    return DailyJob(factory, clock, kind=REMIND, hour_utc=hour, max_attempts=3)


def test_once_a_day_from_the_hour_on(factory):
    clock = FixedClock(TEST_NOW.replace(hour=5, minute=59))
    worker_a, worker_b = _daily(factory, clock), _daily(factory, clock)
    assert not worker_a.tick()
    assert _jobs(factory) == []
    clock.advance(timedelta(minutes=1))
    assert worker_a.tick()
    assert not worker_a.tick()  # already done today: no query at all
    assert not worker_b.tick()  # another worker: the queue sees today's job
    [job] = _jobs(factory)
    assert job.payload == {"day": "2026-11-24"}
    assert job.max_attempts == 3
    clock.advance(timedelta(days=1))
    assert worker_b.tick()
    assert len(_jobs(factory)) == 2


def test_a_worker_started_late_in_the_day_sends_at_once_and_cancelled_does_not_count(
    factory,
):
    clock = FixedClock(TEST_NOW.replace(hour=22))
    assert _daily(factory, clock).tick()
    [job] = _jobs(factory)
    with unit_of_work(factory) as s:
        queue.cancel(s, job.id, clock=clock)
    assert _daily(factory, clock).tick()  # the operator cancelled: the schedule retries


def test_parallel_workers_enqueue_one_job(factory):
    clock = FixedClock(TEST_NOW.replace(hour=7))
    workers = [_daily(factory, clock) for _ in range(6)]
    start = threading.Barrier(len(workers))
    errors: list[BaseException] = []

    def run(w: DailyJob) -> None:
        start.wait()
        try:
            w.tick()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors, errors
    assert len(_jobs(factory)) == 1


def test_settings_turn_the_schedule_off(settings, engine):
    off = settings.model_copy(
        update={"jobs": settings.jobs.model_copy(update={"reminders": False})}
    )
    assert make_schedule(off, engine) is None
    on = settings.model_copy(
        update={"jobs": settings.jobs.model_copy(update={"reminders_hour_utc": 3})}
    )
    assert isinstance(make_schedule(on, engine), DailyJob)


def test_one_failing_tick_does_not_stop_the_others():
    ran = []

    def broken() -> None:
        ran.append("broken")
        raise RuntimeError("boom")

    tick = ticks(broken, None, lambda: ran.append("second"))
    assert tick is not None
    with pytest.raises(RuntimeError):
        tick()
    assert ran == ["broken", "second"]
    assert ticks(None, None) is None


def test_the_job_sends_the_reminders_once(db_session, deps, mailer, settings):
    seed_demo(db_session, Actor.system("test"), deps=deps)
    seed_engagement_demo(db_session, deps=deps)
    handler = build_registry(settings, accounts_deps=deps).get(REMIND)
    progress = []
    ctx = JobContext(
        job_id=uuid.uuid4(),
        kind=REMIND,
        payload={"day": "2026-11-24"},
        attempt=1,
        clock=deps.clock,
        _report=lambda f, note: progress.append((f, note)),
    )
    first = handler(db_session, ctx)
    assert first is not None
    assert first["sent"] >= 1
    assert len(mailer.sent) == first["sent"]
    assert progress[-1][0] == 1.0
    assert handler(db_session, ctx) == {"sent": 0}  # a re-run sends nothing new
    assert build_registry().kinds == ["noop"]
