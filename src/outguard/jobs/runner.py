"""Running jobs: one transaction per attempt, so a failure leaves no half state.

For each job the runner uses three kinds of short transaction plus one long one:

1. *claim* (own transaction, committed at once): the job becomes `running`, owned by
   this worker until its lease expires;
2. *handler* (one transaction): the handler's writes and the job's `succeeded` mark
   commit together, or not at all;
3. *failure* (fresh transaction, after rolling back every handler write): the job is
   requeued with exponential backoff, or marked dead when it has used its attempts or
   failed in a way that retrying cannot fix;
4. *progress* (own transaction per report): visible to others while the job runs, and
   renews the lease.

Errors are recorded by class name, plus `OutguardError.message` for outguard's own
errors (written to be safe to show). `str()` of an arbitrary exception is never stored or
logged: it can contain the personal data the job was processing.

SQLite has a single writer, and a transaction takes the write lock at its first statement
(`BEGIN IMMEDIATE`, see `db/engine.py`). Once a handler has touched the database its
transaction holds that lock until the job ends, so a progress report made after that
point cannot be committed separately: it is skipped (nothing else could have claimed the
job meanwhile, for the same reason). On PostgreSQL every report is written.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from outguard.db import Session, SessionFactory, unit_of_work
from outguard.errors import (
    DomainValidationError,
    ExternalServiceError,
    OutguardError,
    TamperDetectedError,
)
from outguard.jobs import queue
from outguard.jobs.models import Job, JobState
from outguard.settings import JobSettings
from outguard.types import Clock

log = logging.getLogger(__name__)

MAX_ERROR_LENGTH = 1000
MAX_NOTE_LENGTH = 200  # the column's length
_MAX_BACKOFF_EXPONENT = 62  # 2**62 seconds outlasts any backoff_max_seconds


@dataclass(frozen=True)
class JobContext:
    """What a handler knows about the job it runs."""

    job_id: uuid.UUID
    kind: str
    payload: dict[str, Any]
    attempt: int  # 1 for the first run
    clock: Clock
    _report: Callable[[float, str | None], None] = field(repr=False, compare=False)

    def report_progress(self, fraction: float, note: str | None = None) -> None:
        """Record progress (clamped to 0..1) in its own short transaction.

        Visible to others at once, and renews the lease, so a long job that reports
        progress is not mistaken for a crashed one. Never raises: a failed report is
        logged and the job goes on.
        """
        self._report(min(max(fraction, 0.0), 1.0), note)


Handler = Callable[[Session, JobContext], dict[str, Any] | None]


class UnknownJobKindError(DomainValidationError):
    code = "unknown_job_kind"
    default_message = "No handler is registered for this kind of job."


class JobRegistry:
    """Job kind -> handler. Built once in the composition root (`worker/registry.py`)."""

    def __init__(self) -> None:
        self._handlers: dict[str, Handler] = {}

    def register(self, kind: str, handler: Handler) -> None:
        if kind in self._handlers:
            msg = f"job kind {kind!r} registered twice"
            raise ValueError(msg)
        self._handlers[kind] = handler

    def get(self, kind: str) -> Handler:
        try:
            return self._handlers[kind]
        except KeyError:
            raise UnknownJobKindError from None

    def __contains__(self, kind: object) -> bool:
        return kind in self._handlers

    @property
    def kinds(self) -> list[str]:
        return sorted(self._handlers)


def safe_error(exc: BaseException) -> str:
    """Class name, plus the message only for outguard's own (safe-to-show) errors."""
    if isinstance(exc, OutguardError):
        return f"{type(exc).__name__}: {exc.message}"[:MAX_ERROR_LENGTH]
    return type(exc).__name__[:MAX_ERROR_LENGTH]


def is_retriable(exc: BaseException) -> bool:
    if isinstance(exc, (TamperDetectedError, DomainValidationError)):
        return False
    if isinstance(exc, ExternalServiceError):
        return exc.retriable
    return True


class JobRunner:
    def __init__(
        self,
        session_factory: SessionFactory,
        registry: JobRegistry,
        *,
        clock: Clock,
        settings: JobSettings,
        worker_id: str | None = None,
    ) -> None:
        self._factory = session_factory
        self._registry = registry
        self._clock = clock
        self._settings = settings
        self.worker_id = worker_id or f"worker-{uuid.uuid4().hex[:12]}"

    @property
    def settings(self) -> JobSettings:
        return self._settings

    def backoff(self, attempt: int) -> timedelta:
        """Delay before retrying after failed attempt `attempt` (1-based)."""
        s = self._settings
        exponent = min(max(attempt - 1, 0), _MAX_BACKOFF_EXPONENT)
        return timedelta(
            seconds=min(s.backoff_base_seconds * 2**exponent, s.backoff_max_seconds)
        )

    def run_once(self) -> bool:
        """Claim and run one job. Returns False when nothing was runnable."""
        with unit_of_work(self._factory) as session:
            job = queue.claim(
                session,
                worker_id=self.worker_id,
                clock=self._clock,
                lease_seconds=self._settings.lease_seconds,
            )
            if job is None:
                return False
            job_id, kind, attempt = job.id, job.kind, job.attempts
            payload = dict(job.payload)
        log.info("job %s (%s) attempt %d started", job_id, kind, attempt)

        session = self._factory()
        ctx = JobContext(
            job_id=job_id,
            kind=kind,
            payload=payload,
            attempt=attempt,
            clock=self._clock,
            _report=lambda f, n: self._progress(session, job_id, attempt, f, n),
        )
        try:
            handler = self._registry.get(kind)
            result = _checked_result(handler(session, ctx))
            job = self._owned(session, job_id, attempt)
            if job is None:
                session.rollback()
                log.warning("job %s lost its lease; its work was discarded", job_id)
                return True
            job.state = JobState.SUCCEEDED
            job.result = result
            job.progress = 1.0
            job.finished_at = self._clock.now()
            job.lease_expires_at = None
            job.locked_by = None
            session.commit()
        except Exception as exc:  # noqa: BLE001 - every failure is recorded, none escapes
            session.rollback()  # all of the handler's writes, before anything else
            self._failed(job_id, attempt, exc)
        finally:
            session.close()
        log.info("job %s (%s) attempt %d finished", job_id, kind, attempt)
        return True

    def run_until_idle(self, max_jobs: int = 1000) -> int:
        """Run jobs until none is runnable (or `max_jobs` ran). Returns how many ran."""
        ran = 0
        while ran < max_jobs and self.run_once():
            ran += 1
        return ran

    def run_until_stopped(
        self,
        stop: threading.Event,
        *,
        poll_interval: float | None = None,
        tick: Callable[[], object] | None = None,
    ) -> None:
        """The worker loop: run jobs back to back, poll when idle, survive DB outages.

        `tick` runs after every round (e.g. signing an audit checkpoint when one is due).
        """
        poll = (
            self._settings.poll_interval_seconds
            if poll_interval is None
            else poll_interval
        )
        while not stop.is_set():
            try:
                busy = self.run_once()
            except Exception as exc:  # a database hiccup must not end the worker
                # Driver errors can quote SQL parameters (personal data): the class name
                # only, unless debug logging was asked for.
                log.error(  # noqa: TRY400 - no traceback: see above
                    "job worker %s: loop error: %s", self.worker_id, safe_error(exc)
                )
                log.debug("loop error details", exc_info=True)
                busy = False
            if tick is not None:
                try:
                    tick()
                except Exception as exc:  # noqa: BLE001 - housekeeping must not end the worker
                    log.error(  # noqa: TRY400 - no traceback: it can quote personal data
                        "job worker %s: tick error: %s", self.worker_id, safe_error(exc)
                    )
            if not busy:
                stop.wait(poll)

    def _owned(self, session: Session, job_id: uuid.UUID, attempt: int) -> Job | None:
        """The job, locked, if this worker still holds this attempt's lease."""
        job = session.get(Job, job_id, with_for_update=True, populate_existing=True)
        if (
            job is None
            or job.state != JobState.RUNNING
            or job.locked_by != self.worker_id
            or job.attempts != attempt
        ):
            return None
        return job

    def _progress(
        self,
        handler_session: Session,
        job_id: uuid.UUID,
        attempt: int,
        fraction: float,
        note: str | None,
    ) -> None:
        if handler_session.in_transaction() and _is_sqlite(handler_session):
            # The handler's transaction holds SQLite's only write lock: writing here
            # would wait for ourselves. Skip; see the module docstring.
            return
        try:
            with unit_of_work(self._factory) as session:
                job = self._owned(session, job_id, attempt)
                if job is None:
                    return
                job.progress = fraction
                job.progress_note = (note or "")[:MAX_NOTE_LENGTH] or None
                job.lease_expires_at = self._clock.now() + timedelta(
                    seconds=self._settings.lease_seconds
                )
        except SQLAlchemyError as exc:
            log.warning("job %s: progress not recorded (%s)", job_id, safe_error(exc))

    def _failed(self, job_id: uuid.UUID, attempt: int, exc: Exception) -> None:
        error = safe_error(exc)
        with unit_of_work(self._factory) as session:
            job = self._owned(session, job_id, attempt)
            if job is None:
                log.warning("job %s failed after losing its lease: %s", job_id, error)
                return
            job.last_error = error
            job.lease_expires_at = None
            job.locked_by = None
            if is_retriable(exc) and job.attempts < job.max_attempts:
                job.state = JobState.QUEUED
                job.run_after = self._clock.now() + self.backoff(job.attempts)
                log.warning(
                    "job %s (%s) attempt %d failed, retrying at %s: %s",
                    job_id,
                    job.kind,
                    attempt,
                    job.run_after.isoformat(),
                    error,
                )
            else:
                job.state = JobState.DEAD
                job.finished_at = self._clock.now()
                log.error(
                    "job %s (%s) is dead after attempt %d: %s",
                    job_id,
                    job.kind,
                    attempt,
                    error,
                )


class WorkerThread(threading.Thread):
    """The embedded worker: a daemon thread inside `outguard serve` until stopped."""

    def __init__(
        self,
        runner: JobRunner,
        *,
        poll_interval: float | None = None,
        on_exit: Callable[[], None] | None = None,
        tick: Callable[[], object] | None = None,
    ) -> None:
        """`on_exit` runs in the thread when the loop ends (e.g. dispose the engine)."""
        super().__init__(name=f"outguard-{runner.worker_id}", daemon=True)
        self._runner = runner
        self._poll = poll_interval
        self._on_exit = on_exit
        self._tick = tick
        self._stop_event = threading.Event()

    def run(self) -> None:
        try:
            self._runner.run_until_stopped(
                self._stop_event, poll_interval=self._poll, tick=self._tick
            )
        finally:
            if self._on_exit is not None:
                self._on_exit()

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the loop to stop after the job in hand, and wait up to `timeout`."""
        self._stop_event.set()
        if self.is_alive():
            self.join(timeout)


class JobResultError(DomainValidationError):
    code = "job_result_invalid"
    default_message = "The job handler returned a result that is not plain JSON."


def _checked_result(result: dict[str, Any] | None) -> dict[str, Any] | None:
    """Refuse a result the JSON column cannot store (a handler bug: not retriable)."""
    try:
        json.dumps(result, allow_nan=False)
    except (TypeError, ValueError):
        raise JobResultError from None
    return result


def _is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"
