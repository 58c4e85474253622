"""Running jobs: one transaction per attempt, so a crash leaves no half state.

A handler's writes and the job's `succeeded` mark commit together. On an exception the
handler's writes roll back, and a fresh transaction either requeues the job with exponential
backoff or marks it dead. Errors are recorded by class and safe message only: arbitrary
exception text could contain personal data.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from outguard.db.uow import SessionFactory, unit_of_work
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


@dataclass
class JobContext:
    job_id: uuid.UUID
    kind: str
    payload: dict[str, Any]
    attempt: int
    clock: Clock
    _report: Callable[[float, str | None], None] = field(repr=False)

    def report_progress(self, fraction: float, note: str | None = None) -> None:
        """Visible to others at once (its own short transaction)."""
        self._report(min(max(fraction, 0.0), 1.0), note)


Handler = Callable[[Session, JobContext], dict[str, Any] | None]


class UnknownJobKindError(DomainValidationError):
    code = "unknown_job_kind"
    default_message = "No handler is registered for this kind of job."


class JobRegistry:
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

    @property
    def kinds(self) -> list[str]:
        return sorted(self._handlers)


def safe_error(exc: BaseException) -> str:
    if isinstance(exc, OutguardError):
        return f"{type(exc).__name__}: {exc.message}"[:1000]
    return type(exc).__name__


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
        self.worker_id = worker_id or f"worker-{uuid.uuid4().hex[:8]}"

    def backoff(self, attempt: int) -> timedelta:
        s = self._settings
        return timedelta(
            seconds=min(
                s.backoff_base_seconds * 2 ** (attempt - 1), s.backoff_max_seconds
            )
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
            job_id, kind, payload, attempt = (
                job.id,
                job.kind,
                dict(job.payload),
                job.attempts,
            )
        ctx = JobContext(
            job_id=job_id,
            kind=kind,
            payload=payload,
            attempt=attempt,
            clock=self._clock,
            _report=lambda f, n: self._progress(job_id, f, n),
        )
        session = self._factory()
        try:
            handler = self._registry.get(kind)
            result = handler(session, ctx)
            done = session.get(Job, job_id)
            if done is None or done.locked_by != self.worker_id:
                session.rollback()  # our lease was taken over: the other worker owns it now
                return True
            done.state = JobState.SUCCEEDED
            done.result = result
            done.progress = 1.0
            done.finished_at = self._clock.now()
            done.lease_expires_at = None
            session.commit()
        except Exception as exc:  # noqa: BLE001 - every failure is recorded, none escapes
            session.rollback()
            self._failed(job_id, exc)
        finally:
            session.close()
        return True

    def run_until_idle(self, max_jobs: int = 1000) -> int:
        ran = 0
        while ran < max_jobs and self.run_once():
            ran += 1
        return ran

    def _progress(self, job_id: uuid.UUID, fraction: float, note: str | None) -> None:
        with unit_of_work(self._factory) as session:
            job = session.get(Job, job_id)
            if job is not None and job.state == JobState.RUNNING:
                job.progress = fraction
                job.progress_note = (note or "")[:200] or None
                job.lease_expires_at = self._clock.now() + timedelta(
                    seconds=self._settings.lease_seconds
                )

    def _failed(self, job_id: uuid.UUID, exc: Exception) -> None:
        with unit_of_work(self._factory) as session:
            job = session.get(Job, job_id)
            if job is None:
                return
            job.last_error = safe_error(exc)
            job.lease_expires_at = None
            job.locked_by = None
            if is_retriable(exc) and job.attempts < job.max_attempts:
                job.state = JobState.QUEUED
                job.run_after = self._clock.now() + self.backoff(job.attempts)
                log.warning(
                    "job %s (%s) failed, retrying: %s", job_id, job.kind, job.last_error
                )
            else:
                job.state = JobState.DEAD
                job.finished_at = self._clock.now()
                log.error("job %s (%s) is dead: %s", job_id, job.kind, job.last_error)


class WorkerThread(threading.Thread):
    """The embedded worker: runs inside `outguard serve` until stopped."""

    def __init__(self, runner: JobRunner, *, poll_interval: float) -> None:
        super().__init__(name=f"outguard-{runner.worker_id}", daemon=True)
        self._runner = runner
        self._poll = poll_interval
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            try:
                busy = self._runner.run_once()
            except Exception:  # the loop must survive a database hiccup
                log.exception("job worker loop error")
                busy = False
            if not busy:
                self._stop_event.wait(self._poll)

    def stop(self, timeout: float = 10.0) -> None:
        self._stop_event.set()
        self.join(timeout)
