"""The job queue and runner on a real database (both engines)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import delete
from sqlalchemy.orm import sessionmaker

from outguard.db.uow import unit_of_work
from outguard.errors import DomainValidationError, ExternalServiceError
from outguard.jobs import queue
from outguard.jobs.models import Job, JobState
from outguard.jobs.runner import JobRegistry, JobRunner, safe_error
from outguard.settings import JobSettings

SETTINGS = JobSettings(
    max_attempts=3, backoff_base_seconds=10, backoff_max_seconds=60, lease_seconds=30
)


@pytest.fixture
def factory(engine):
    f = sessionmaker(bind=engine, expire_on_commit=False)
    yield f
    with unit_of_work(f) as s:
        s.execute(delete(Job))


def _enqueue(factory, clock, kind, payload=None, max_attempts=3):
    with unit_of_work(factory) as s:
        return queue.enqueue(
            s, kind=kind, payload=payload or {}, clock=clock, max_attempts=max_attempts
        ).id


def _job(factory, job_id):
    with unit_of_work(factory) as s:
        return queue.get(s, job_id)


def _runner(factory, registry, clock, worker_id=None):
    return JobRunner(
        factory, registry, clock=clock, settings=SETTINGS, worker_id=worker_id
    )


def test_success_records_result_and_progress(factory, clock):
    registry = JobRegistry()

    def handler(session, ctx):
        ctx.report_progress(0.5, "half")
        return {"echo": ctx.payload["x"]}

    registry.register("echo", handler)
    job_id = _enqueue(factory, clock, "echo", {"x": 7})
    assert _runner(factory, registry, clock).run_until_idle() == 1
    job = _job(factory, job_id)
    assert job.state == JobState.SUCCEEDED
    assert job.result == {"echo": 7}
    assert job.progress == 1.0


def test_retry_with_backoff_then_success(factory, clock):
    calls = []
    registry = JobRegistry()

    def flaky(session, ctx):
        calls.append(ctx.attempt)
        if ctx.attempt == 1:
            raise ExternalServiceError("storage timed out")

    registry.register("flaky", flaky)
    job_id = _enqueue(factory, clock, "flaky")
    runner = _runner(factory, registry, clock)
    runner.run_until_idle()
    job = _job(factory, job_id)
    assert job.state == JobState.QUEUED
    assert job.run_after == clock.now() + timedelta(seconds=10)
    assert "storage timed out" in job.last_error
    assert runner.run_until_idle() == 0  # not before its time
    clock.advance(timedelta(seconds=11))
    runner.run_until_idle()
    assert _job(factory, job_id).state == JobState.SUCCEEDED
    assert calls == [1, 2]


def test_dead_after_max_attempts(factory, clock):
    registry = JobRegistry()
    registry.register("boom", lambda s, c: 1 / 0)
    job_id = _enqueue(factory, clock, "boom")
    runner = _runner(factory, registry, clock)
    for _ in range(3):
        runner.run_until_idle()
        clock.advance(timedelta(minutes=5))
    job = _job(factory, job_id)
    assert job.state == JobState.DEAD
    assert job.attempts == 3
    assert job.last_error == "ZeroDivisionError"


def test_non_retriable_error_is_dead_at_once(factory, clock):
    registry = JobRegistry()

    def invalid(session, ctx):
        raise DomainValidationError("The file is not a spreadsheet.")

    registry.register("invalid", invalid)
    job_id = _enqueue(factory, clock, "invalid")
    _runner(factory, registry, clock).run_until_idle()
    assert _job(factory, job_id).state == JobState.DEAD


def test_unknown_kind_is_dead(factory, clock):
    job_id = _enqueue(factory, clock, "nobody-handles-this")
    _runner(factory, JobRegistry(), clock).run_until_idle()
    assert _job(factory, job_id).state == JobState.DEAD


def test_failed_handler_leaves_no_half_state(factory, clock):
    registry = JobRegistry()

    def half(session, ctx):
        queue.enqueue(session, kind="child", payload={}, clock=ctx.clock)
        raise RuntimeError("crash after writing")

    registry.register("half", half)
    _enqueue(factory, clock, "half", max_attempts=1)
    _runner(factory, registry, clock).run_until_idle()
    with unit_of_work(factory) as s:
        assert [j.kind for j in queue.list_jobs(s)] == ["half"]


def test_expired_lease_is_reclaimed(factory, clock):
    job_id = _enqueue(factory, clock, "slow")
    with unit_of_work(factory) as s:
        assert (
            queue.claim(s, worker_id="crashed", clock=clock, lease_seconds=30).id
            == job_id
        )
    with unit_of_work(factory) as s:
        assert queue.claim(s, worker_id="other", clock=clock, lease_seconds=30) is None
    clock.advance(timedelta(seconds=31))
    with unit_of_work(factory) as s:
        job = queue.claim(s, worker_id="other", clock=clock, lease_seconds=30)
        assert job.id == job_id
        assert job.attempts == 2


def test_concurrent_claimers_never_share_a_job(factory, clock):
    ids = {_enqueue(factory, clock, "n") for _ in range(12)}
    claimed: list = []
    lock = threading.Lock()

    def claimer(name):
        while True:
            with unit_of_work(factory) as s:
                job = queue.claim(s, worker_id=name, clock=clock, lease_seconds=300)
                if job is None:
                    return
                with lock:
                    claimed.append(job.id)

    threads = [threading.Thread(target=claimer, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(claimed) == sorted(ids)


def test_cancel_only_queued(factory, clock):
    job_id = _enqueue(factory, clock, "n")
    with unit_of_work(factory) as s:
        assert queue.cancel(s, job_id, clock=clock).state == JobState.CANCELLED


def test_safe_error_never_echoes_arbitrary_text():
    assert safe_error(ValueError("123-45-6789 is bad")) == "ValueError"
