"""The job queue and runner on a real database (run with --db sqlite and --db postgresql).

The runner opens and commits its own transactions, so these tests use a real session
factory on the test engine instead of the rolled-back `db_session`, and delete the job
rows they created at teardown.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import delete, select

from outguard.db import make_session_factory, unit_of_work
from outguard.errors import (
    ConflictError,
    DomainValidationError,
    ExternalServiceError,
    NotFoundError,
    TamperDetectedError,
)
from outguard.jobs import queue
from outguard.jobs.models import Job, JobState
from outguard.jobs.runner import (
    JobContext,
    JobRegistry,
    JobRunner,
    WorkerThread,
    is_retriable,
    safe_error,
)
from outguard.settings import JobSettings

SETTINGS = JobSettings(
    max_attempts=3,
    backoff_base_seconds=10,
    backoff_max_seconds=60,
    lease_seconds=30,
    poll_interval_seconds=0.01,
)
PERSONAL = "ann.example@mail.test 123-45-6789"


@pytest.fixture
def factory(engine):
    f = make_session_factory(engine)
    with unit_of_work(f) as s:
        s.execute(delete(Job))
    yield f
    with unit_of_work(f) as s:
        s.execute(delete(Job))


def _enqueue(factory, clock, kind, payload=None, max_attempts=3, **kw) -> uuid.UUID:
    with unit_of_work(factory) as s:
        return queue.enqueue(
            s,
            kind=kind,
            payload=payload or {},
            clock=clock,
            max_attempts=max_attempts,
            **kw,
        ).id


def _job(factory, job_id) -> Job:
    with unit_of_work(factory) as s:
        return queue.get(s, job_id)


def _kinds(factory) -> list[str]:
    with unit_of_work(factory) as s:
        return sorted(s.execute(select(Job.kind)).scalars())


def _runner(factory, registry, clock, worker_id=None) -> JobRunner:
    return JobRunner(
        factory, registry, clock=clock, settings=SETTINGS, worker_id=worker_id
    )


def _registry(**handlers) -> JobRegistry:
    registry = JobRegistry()
    for kind, handler in handlers.items():
        registry.register(kind, handler)
    return registry


# ------------------------------------------------------------------ queue


class TestEnqueue:
    def test_new_job_is_queued_now(self, factory, clock):
        org = uuid.uuid4()
        job_id = _enqueue(factory, clock, "echo", {"x": 1}, org_id=org)
        job = _job(factory, job_id)
        assert job.state == JobState.QUEUED
        assert job.attempts == 0
        assert job.max_attempts == 3
        assert job.run_after == clock.now()
        assert job.created_at == clock.now()
        assert job.payload == {"x": 1}
        assert job.org_id == org
        assert job.locked_by is None

    def test_job_exists_only_if_the_caller_commits(self, factory, clock):
        session = factory()
        try:
            queue.enqueue(session, kind="lost", payload={}, clock=clock)
            session.rollback()
        finally:
            session.close()
        assert _kinds(factory) == []

    @pytest.mark.parametrize(
        ("kind", "payload", "max_attempts"),
        [
            ("", {}, 3),
            ("x" * 101, {}, 3),
            ("bad\nkind", {}, 3),
            ("ok", {}, 0),
            ("ok", {"when": object()}, 3),
            ("ok", {"nan": float("nan")}, 3),
        ],
    )
    def test_bad_jobs_refused(self, db_session, clock, kind, payload, max_attempts):
        with pytest.raises(DomainValidationError):
            queue.enqueue(
                db_session,
                kind=kind,
                payload=payload,
                clock=clock,
                max_attempts=max_attempts,
            )


class TestClaim:
    def test_claim_takes_the_oldest_runnable_job(self, factory, clock):
        later = _enqueue(factory, clock, "later", run_after=clock.now() + timedelta(1))
        second = _enqueue(factory, clock, "second")
        clock.advance(timedelta(seconds=1))
        third = _enqueue(factory, clock, "third")
        first = _enqueue(
            factory, clock, "first", run_after=clock.now() - timedelta(hours=1)
        )
        order = []
        with unit_of_work(factory) as s:
            while job := queue.claim(s, worker_id="w", clock=clock, lease_seconds=30):
                order.append(job.id)
        assert order == [first, second, third]
        assert _job(factory, later).state == JobState.QUEUED

    def test_claim_marks_the_job_running_for_this_worker(self, factory, clock):
        job_id = _enqueue(factory, clock, "n")
        with unit_of_work(factory) as s:
            job = queue.claim(s, worker_id="w1", clock=clock, lease_seconds=30)
            assert job is not None
            assert job.id == job_id
        job = _job(factory, job_id)
        assert job.state == JobState.RUNNING
        assert job.attempts == 1
        assert job.locked_by == "w1"
        assert job.started_at == clock.now()
        assert job.lease_expires_at == clock.now() + timedelta(seconds=30)

    def test_nothing_to_claim(self, factory, clock):
        with unit_of_work(factory) as s:
            assert queue.claim(s, worker_id="w", clock=clock, lease_seconds=30) is None

    def test_finished_and_cancelled_jobs_are_never_claimed(self, factory, clock):
        cancelled = _enqueue(factory, clock, "c")
        with unit_of_work(factory) as s:
            queue.cancel(s, cancelled, clock=clock)
        done = _enqueue(factory, clock, "d")
        with unit_of_work(factory) as s:
            job = queue.claim(s, worker_id="w", clock=clock, lease_seconds=30)
            assert job is not None
            assert job.id == done
            job.state = JobState.SUCCEEDED
        clock.advance(timedelta(days=1))
        with unit_of_work(factory) as s:
            assert queue.claim(s, worker_id="w", clock=clock, lease_seconds=30) is None

    def test_expired_lease_is_reclaimed(self, factory, clock):
        job_id = _enqueue(factory, clock, "slow")
        with unit_of_work(factory) as s:
            job = queue.claim(s, worker_id="crashed", clock=clock, lease_seconds=30)
            assert job is not None
        with unit_of_work(factory) as s:
            assert (
                queue.claim(s, worker_id="other", clock=clock, lease_seconds=30) is None
            )
        clock.advance(timedelta(seconds=31))
        with unit_of_work(factory) as s:
            job = queue.claim(s, worker_id="other", clock=clock, lease_seconds=30)
            assert job is not None
            assert job.id == job_id
            assert job.attempts == 2
            assert job.locked_by == "other"

    def test_crash_on_the_last_attempt_is_dead_not_rerun(self, factory, clock):
        crashing = _enqueue(factory, clock, "kills-its-worker", max_attempts=1)
        with unit_of_work(factory) as s:
            assert queue.claim(s, worker_id="w", clock=clock, lease_seconds=30)
        clock.advance(timedelta(seconds=1))
        healthy = _enqueue(factory, clock, "healthy")
        clock.advance(timedelta(seconds=60))
        with unit_of_work(factory) as s:
            job = queue.claim(s, worker_id="w2", clock=clock, lease_seconds=30)
            assert job is not None
            assert job.id == healthy
        dead = _job(factory, crashing)
        assert dead.state == JobState.DEAD
        assert dead.last_error == queue.LEASE_EXPIRED_ERROR
        assert dead.finished_at == clock.now()
        assert dead.attempts == 1

    @pytest.mark.parametrize("claimers", [2, 6])
    def test_concurrent_claimers_never_share_a_job(self, factory, clock, claimers):
        ids = {_enqueue(factory, clock, "n") for _ in range(30)}
        claimed: list[uuid.UUID] = []
        errors: list[BaseException] = []
        lock = threading.Lock()
        start = threading.Barrier(claimers)

        def claimer(name):
            try:
                start.wait()
                while True:
                    with unit_of_work(factory) as s:
                        job = queue.claim(
                            s, worker_id=name, clock=clock, lease_seconds=300
                        )
                        if job is None:
                            return
                        with lock:
                            claimed.append(job.id)
            except BaseException as exc:
                errors.append(exc)

        threads = [
            threading.Thread(target=claimer, args=(f"w{i}",)) for i in range(claimers)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert errors == []
        assert len(claimed) == len(set(claimed))
        assert set(claimed) == ids
        with unit_of_work(factory) as s:
            jobs = list(s.execute(select(Job)).scalars())
        assert {j.state for j in jobs} == {JobState.RUNNING}
        assert {j.attempts for j in jobs} == {1}


class TestGetAndList:
    def test_missing_job(self, db_session):
        with pytest.raises(NotFoundError):
            queue.get(db_session, uuid.uuid4())

    def test_list_filters_by_org_and_state_newest_first(self, factory, clock):
        org_a, org_b = uuid.uuid4(), uuid.uuid4()
        a1 = _enqueue(factory, clock, "a1", org_id=org_a)
        clock.advance(timedelta(seconds=1))
        a2 = _enqueue(factory, clock, "a2", org_id=org_a)
        clock.advance(timedelta(seconds=1))
        b1 = _enqueue(factory, clock, "b1", org_id=org_b)
        with unit_of_work(factory) as s:
            queue.cancel(s, a2, clock=clock)
        with unit_of_work(factory) as s:
            assert [j.id for j in queue.list_jobs(s)] == [b1, a2, a1]
            assert [j.id for j in queue.list_jobs(s, org_id=org_a)] == [a2, a1]
            assert [j.id for j in queue.list_jobs(s, states=[JobState.QUEUED])] == [
                b1,
                a1,
            ]
            assert [
                j.id
                for j in queue.list_jobs(
                    s, org_id=org_a, states=[JobState.CANCELLED, JobState.DEAD]
                )
            ] == [a2]
            assert queue.list_jobs(s, states=[]) == []
            assert [j.id for j in queue.list_jobs(s, limit=1)] == [b1]


class TestCancel:
    def test_queued_job_is_cancelled(self, factory, clock):
        job_id = _enqueue(factory, clock, "n")
        with unit_of_work(factory) as s:
            job = queue.cancel(s, job_id, clock=clock)
            assert job.state == JobState.CANCELLED
        job = _job(factory, job_id)
        assert job.state == JobState.CANCELLED
        assert job.finished_at == clock.now()

    def test_running_job_cannot_be_cancelled(self, factory, clock):
        job_id = _enqueue(factory, clock, "n")
        with unit_of_work(factory) as s:
            queue.claim(s, worker_id="w", clock=clock, lease_seconds=30)
        with pytest.raises(ConflictError), unit_of_work(factory) as s:
            queue.cancel(s, job_id, clock=clock)
        assert _job(factory, job_id).state == JobState.RUNNING

    def test_missing_job(self, db_session, clock):
        with pytest.raises(NotFoundError):
            queue.cancel(db_session, uuid.uuid4(), clock=clock)


# ------------------------------------------------------------------ runner


class TestSuccess:
    def test_result_and_progress_are_recorded(self, factory, clock):
        def handler(session, ctx):
            assert ctx.attempt == 1
            assert ctx.kind == "echo"
            return {"echo": ctx.payload["x"]}

        job_id = _enqueue(factory, clock, "echo", {"x": 7})
        assert _runner(factory, _registry(echo=handler), clock).run_until_idle() == 1
        job = _job(factory, job_id)
        assert job.state == JobState.SUCCEEDED
        assert job.result == {"echo": 7}
        assert job.progress == 1.0
        assert job.finished_at == clock.now()
        assert job.locked_by is None
        assert job.lease_expires_at is None
        assert job.last_error is None

    def test_handler_writes_commit_with_the_success_mark(self, factory, clock):
        def parent(session, ctx):
            queue.enqueue(session, kind="child", payload={}, clock=ctx.clock)

        _enqueue(factory, clock, "parent")
        runner = _runner(factory, _registry(parent=parent), clock)
        assert runner.run_once()
        assert _kinds(factory) == ["child", "parent"]

    def test_run_until_idle_stops_at_max_jobs(self, factory, clock):
        for _ in range(3):
            _enqueue(factory, clock, "n")
        runner = _runner(factory, _registry(n=lambda s, c: None), clock)
        assert runner.run_until_idle(max_jobs=2) == 2
        assert runner.run_until_idle() == 1
        assert runner.run_until_idle() == 0


class TestProgress:
    def test_progress_is_visible_while_the_job_runs(self, factory, clock):
        seen = {}

        def handler(session, ctx):
            clock.advance(timedelta(seconds=20))
            ctx.report_progress(0.25, "a quarter")
            with unit_of_work(factory) as other:
                job = queue.get(other, ctx.job_id)
                seen["progress"] = job.progress
                seen["note"] = job.progress_note
                seen["lease"] = job.lease_expires_at
            ctx.report_progress(7.0)  # clamped
            with unit_of_work(factory) as other:
                seen["clamped"] = queue.get(other, ctx.job_id).progress

        _enqueue(factory, clock, "p")
        _runner(factory, _registry(p=handler), clock).run_once()
        assert seen == {
            "progress": 0.25,
            "note": "a quarter",
            "lease": clock.now() + timedelta(seconds=SETTINGS.lease_seconds),
            "clamped": 1.0,
        }

    def test_progress_after_the_handler_used_the_database(
        self, factory, clock, db_kind
    ):
        """PostgreSQL: visible. SQLite: skipped at once (the handler holds the lock)."""
        seen = {}

        def handler(session, ctx):
            session.execute(select(Job.id)).all()
            started = time.monotonic()
            ctx.report_progress(0.5, "half")
            seen["seconds"] = time.monotonic() - started
            if db_kind == "postgresql":
                with unit_of_work(factory) as other:
                    seen["progress"] = queue.get(other, ctx.job_id).progress
            return {"ok": True}

        job_id = _enqueue(factory, clock, "p")
        _runner(factory, _registry(p=handler), clock).run_once()
        assert _job(factory, job_id).state == JobState.SUCCEEDED
        assert seen["seconds"] < 5
        if db_kind == "postgresql":
            assert seen["progress"] == 0.5

    def test_long_note_is_truncated(self, factory, clock):
        def handler(session, ctx):
            ctx.report_progress(0.5, "n" * 500)
            with unit_of_work(factory) as other:
                assert queue.get(other, ctx.job_id).progress_note == "n" * 200

        job_id = _enqueue(factory, clock, "p")
        _runner(factory, _registry(p=handler), clock).run_once()
        assert _job(factory, job_id).state == JobState.SUCCEEDED

    def test_a_new_attempt_starts_with_no_progress(self, factory, clock):
        def handler(session, ctx):
            ctx.report_progress(0.9, "almost")
            raise ExternalServiceError("timed out")

        job_id = _enqueue(factory, clock, "p")
        _runner(factory, _registry(p=handler), clock).run_once()
        assert _job(factory, job_id).progress == 0.9
        clock.advance(timedelta(minutes=5))
        with unit_of_work(factory) as s:
            job = queue.claim(s, worker_id="w", clock=clock, lease_seconds=30)
            assert job is not None
            assert job.progress is None
            assert job.progress_note is None


class TestRetry:
    def test_backoff_doubles_up_to_the_maximum(self, factory, clock):
        runner = _runner(factory, JobRegistry(), clock)
        assert [runner.backoff(a).total_seconds() for a in range(1, 7)] == [
            10,
            20,
            40,
            60,
            60,
            60,
        ]
        assert runner.backoff(10_000) == timedelta(seconds=60)

    def test_retry_with_backoff_then_success(self, factory, clock):
        calls = []

        def flaky(session, ctx):
            calls.append(ctx.attempt)
            if ctx.attempt < 3:
                raise ExternalServiceError("The storage service timed out.")
            return {"attempt": ctx.attempt}

        job_id = _enqueue(factory, clock, "flaky")
        runner = _runner(factory, _registry(flaky=flaky), clock)
        runner.run_until_idle()
        job = _job(factory, job_id)
        assert job.state == JobState.QUEUED
        assert job.attempts == 1
        assert job.run_after == clock.now() + timedelta(seconds=10)
        assert job.last_error == (
            "ExternalServiceError: The storage service timed out."
        )
        assert job.locked_by is None
        assert runner.run_until_idle() == 0  # not before its time
        clock.advance(timedelta(seconds=10))
        runner.run_until_idle()
        assert _job(factory, job_id).run_after == clock.now() + timedelta(seconds=20)
        clock.advance(timedelta(seconds=20))
        runner.run_until_idle()
        job = _job(factory, job_id)
        assert job.state == JobState.SUCCEEDED
        assert job.result == {"attempt": 3}
        assert calls == [1, 2, 3]

    def test_dead_after_max_attempts(self, factory, clock):
        _enqueue(factory, clock, "other")
        job_id = _enqueue(factory, clock, "boom")
        runner = _runner(
            factory, _registry(boom=lambda s, c: 1 / 0, other=lambda s, c: None), clock
        )
        for _ in range(5):
            runner.run_until_idle()
            clock.advance(timedelta(minutes=5))
        job = _job(factory, job_id)
        assert job.state == JobState.DEAD
        assert job.attempts == 3
        assert job.last_error == "ZeroDivisionError"
        assert job.finished_at is not None

    @pytest.mark.parametrize(
        "error",
        [
            DomainValidationError("The file is not a spreadsheet."),
            TamperDetectedError(),
            ExternalServiceError("The address was refused.", retriable=False),
        ],
        ids=type,
    )
    def test_non_retriable_error_is_dead_at_once(self, factory, clock, error):
        def handler(session, ctx):
            raise error

        job_id = _enqueue(factory, clock, "bad")
        _runner(factory, _registry(bad=handler), clock).run_until_idle()
        job = _job(factory, job_id)
        assert job.state == JobState.DEAD
        assert job.attempts == 1
        assert job.last_error == f"{type(error).__name__}: {error.message}"

    def test_unknown_kind_is_dead(self, factory, clock):
        job_id = _enqueue(factory, clock, "nobody-handles-this")
        _runner(factory, JobRegistry(), clock).run_until_idle()
        job = _job(factory, job_id)
        assert job.state == JobState.DEAD
        assert job.attempts == 1
        assert job.last_error.startswith("UnknownJobKindError: ")

    def test_result_that_is_not_json_is_dead(self, factory, clock):
        job_id = _enqueue(factory, clock, "r")
        registry = _registry(r=lambda s, c: {"when": object()})
        _runner(factory, registry, clock).run_until_idle()
        job = _job(factory, job_id)
        assert job.state == JobState.DEAD
        assert job.last_error.startswith("JobResultError: ")
        assert job.result is None

    @pytest.mark.parametrize("max_attempts", [1, 3])
    def test_failed_handler_leaves_no_half_state(self, factory, clock, max_attempts):
        def half(session, ctx):
            queue.enqueue(session, kind="child", payload={}, clock=ctx.clock)
            session.flush()
            raise RuntimeError(PERSONAL)

        job_id = _enqueue(factory, clock, "half", max_attempts=max_attempts)
        _runner(factory, _registry(half=half), clock).run_until_idle()
        assert _kinds(factory) == ["half"]
        job = _job(factory, job_id)
        assert job.state == (JobState.DEAD if max_attempts == 1 else JobState.QUEUED)
        assert job.result is None


class TestErrorsStayFreeOfPersonalData:
    def test_arbitrary_exception_text_is_not_stored_or_logged(
        self, factory, clock, caplog
    ):
        def leaky(session, ctx):
            raise ValueError(PERSONAL)

        job_id = _enqueue(factory, clock, "leaky", max_attempts=2)
        runner = _runner(factory, _registry(leaky=leaky), clock)
        with caplog.at_level(logging.DEBUG, logger="outguard"):
            runner.run_until_idle()
            clock.advance(timedelta(minutes=5))
            runner.run_until_idle()
        job = _job(factory, job_id)
        assert job.state == JobState.DEAD
        assert job.last_error == "ValueError"
        assert "ValueError" in caplog.text
        assert "ann.example" not in caplog.text
        assert "6789" not in caplog.text

    def test_safe_error(self):
        assert safe_error(ValueError(PERSONAL)) == "ValueError"
        assert safe_error(KeyError(PERSONAL)) == "KeyError"
        assert (
            safe_error(ExternalServiceError("Mail server down."))
            == "ExternalServiceError: Mail server down."
        )
        assert len(safe_error(DomainValidationError("x" * 5000))) == 1000

    def test_is_retriable(self):
        assert is_retriable(RuntimeError())
        assert is_retriable(ExternalServiceError())
        assert not is_retriable(ExternalServiceError(retriable=False))
        assert not is_retriable(TamperDetectedError())
        assert not is_retriable(DomainValidationError())


class TestLostLease:
    """A worker that overran its lease must not overwrite the worker that took over."""

    def _steal(self, factory, clock, ctx: JobContext) -> None:
        clock.advance(timedelta(seconds=SETTINGS.lease_seconds + 1))
        with unit_of_work(factory) as other:
            job = queue.claim(other, worker_id="thief", clock=clock, lease_seconds=30)
            assert job is not None
            assert job.id == ctx.job_id

    def test_success_after_losing_the_lease_is_discarded(self, factory, clock):
        def slow(session, ctx):
            self._steal(factory, clock, ctx)
            queue.enqueue(session, kind="side-effect", payload={}, clock=ctx.clock)
            return {"stale": True}

        job_id = _enqueue(factory, clock, "slow")
        assert _runner(factory, _registry(slow=slow), clock, "first").run_once()
        job = _job(factory, job_id)
        assert job.state == JobState.RUNNING
        assert job.locked_by == "thief"
        assert job.attempts == 2
        assert job.result is None
        assert _kinds(factory) == ["slow"]

    def test_failure_after_losing_the_lease_is_not_recorded(self, factory, clock):
        def slow(session, ctx):
            self._steal(factory, clock, ctx)
            raise ExternalServiceError("too late")

        job_id = _enqueue(factory, clock, "slow")
        _runner(factory, _registry(slow=slow), clock, "first").run_once()
        job = _job(factory, job_id)
        assert job.state == JobState.RUNNING
        assert job.locked_by == "thief"
        assert job.last_error is None

    def test_progress_after_losing_the_lease_is_ignored(self, factory, clock):
        def slow(session, ctx):
            self._steal(factory, clock, ctx)
            ctx.report_progress(0.5, "stale")

        job_id = _enqueue(factory, clock, "slow")
        _runner(factory, _registry(slow=slow), clock, "first").run_once()
        job = _job(factory, job_id)
        assert job.progress is None
        assert job.lease_expires_at == clock.now() + timedelta(seconds=30)


class TestConcurrentRunners:
    def test_every_job_runs_exactly_once(self, factory, clock):
        ids = {_enqueue(factory, clock, "count") for _ in range(20)}
        runs: list[uuid.UUID] = []
        lock = threading.Lock()

        def count(session, ctx):
            with lock:
                runs.append(ctx.job_id)

        registry = _registry(count=count)
        runners = [_runner(factory, registry, clock, f"r{i}") for i in range(4)]
        threads = [threading.Thread(target=r.run_until_idle) for r in runners]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert sorted(runs) == sorted(ids)
        with unit_of_work(factory) as s:
            states = set(s.execute(select(Job.state)).scalars())
        assert states == {JobState.SUCCEEDED}


class TestWorkerThread:
    def test_runs_queued_jobs_until_stopped(self, factory, clock):
        done = threading.Event()

        def handler(session, ctx):
            done.set()
            return {"ok": True}

        runner = _runner(factory, _registry(ping=handler), clock)
        thread = WorkerThread(runner)
        thread.start()
        try:
            job_id = _enqueue(factory, clock, "ping")
            assert done.wait(10)
        finally:
            thread.stop()
        assert not thread.is_alive()
        assert thread.daemon
        deadline = time.monotonic() + 10
        while _job(factory, job_id).state != JobState.SUCCEEDED:
            assert time.monotonic() < deadline
            time.sleep(0.01)

    def test_loop_survives_errors(self, factory, clock, caplog):
        class FlakyRunner(JobRunner):
            calls = 0

            def run_once(self) -> bool:
                FlakyRunner.calls += 1
                if FlakyRunner.calls == 1:
                    raise RuntimeError(PERSONAL)
                stop.set()
                return False

        stop = threading.Event()
        runner = FlakyRunner(
            factory, JobRegistry(), clock=clock, settings=SETTINGS, worker_id="w"
        )
        with caplog.at_level(logging.INFO, logger="outguard"):
            runner.run_until_stopped(stop, poll_interval=0.001)
        assert FlakyRunner.calls == 2
        assert "loop error: RuntimeError" in caplog.text
        assert "ann.example" not in caplog.text

    def test_stop_before_start_is_harmless(self, factory, clock):
        thread = WorkerThread(_runner(factory, JobRegistry(), clock))
        thread.stop()
        assert not thread.is_alive()


def test_registry_refuses_a_kind_twice():
    registry = _registry(a=lambda s, c: None)
    with pytest.raises(ValueError, match="twice"):
        registry.register("a", lambda s, c: None)
    assert "a" in registry
    assert registry.kinds == ["a"]
