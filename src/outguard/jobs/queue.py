"""Enqueue, claim, cancel and inspect jobs. All SQL for jobs lives here.

Every function works in the caller's transaction and never commits: a job enqueued by a
service exists only if the service's unit of work commits.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from outguard.errors import ConflictError, DomainValidationError, NotFoundError
from outguard.jobs.models import Job, JobState
from outguard.types import Clock

DEFAULT_MAX_ATTEMPTS = 5
MAX_KIND_LENGTH = 100  # the column's length
MAX_LIST_LIMIT = 1000
LEASE_EXPIRED_ERROR = "LeaseExpired: the worker stopped before the job finished."
# How many dead-on-reclaim jobs one claim may bury before giving up for this round.
_MAX_BURIALS_PER_CLAIM = 100


def enqueue(
    session: Session,
    *,
    kind: str,
    payload: dict[str, Any],
    clock: Clock,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    org_id: uuid.UUID | None = None,
    created_by_id: uuid.UUID | None = None,
    run_after: datetime | None = None,
) -> Job:
    """Add a job in the caller's transaction: it exists only if the caller commits.

    Whether a handler exists for `kind` is the runner's business (an unknown kind goes
    dead when claimed); here only the shape is checked. Composition roots pass
    `settings.jobs.max_attempts`.
    """
    if not kind or len(kind) > MAX_KIND_LENGTH or not kind.isprintable():
        raise DomainValidationError(
            f"A job kind is 1 to {MAX_KIND_LENGTH} printable characters."
        )
    if max_attempts < 1:
        raise DomainValidationError("A job needs at least one attempt.")
    try:
        json.dumps(payload, allow_nan=False)
    except (TypeError, ValueError):
        raise DomainValidationError(
            "A job payload must be plain JSON (no NaN, no objects)."
        ) from None
    now = clock.now()
    job = Job(
        kind=kind,
        payload=payload,
        state=JobState.QUEUED,
        attempts=0,
        max_attempts=max_attempts,
        run_after=run_after or now,
        org_id=org_id,
        created_by_id=created_by_id,
        created_at=now,
    )
    session.add(job)
    session.flush()  # the id is returned to the caller
    return job


def enqueue_once_since(
    session: Session,
    *,
    kind: str,
    since: datetime,
    payload: dict[str, Any],
    clock: Clock,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
) -> Job | None:
    """Enqueue `kind` unless a job of that kind was created at or after `since`.

    For schedules ("once a day"): several workers may ask at the same moment and exactly
    one job results. PostgreSQL: a transaction-level advisory lock per kind serialises the
    check and the insert; SQLite: the transaction already holds the write lock.
    A cancelled job does not count, so an operator can cancel and let the schedule retry.
    """
    if _is_postgresql(session):
        session.execute(select(func.pg_advisory_xact_lock(_lock_id(kind))))
    existing = session.execute(
        select(Job.id)
        .where(
            Job.kind == kind,
            Job.created_at >= since,
            Job.state != JobState.CANCELLED,
        )
        .limit(1)
    ).first()
    if existing is not None:
        return None
    return enqueue(
        session, kind=kind, payload=payload, clock=clock, max_attempts=max_attempts
    )


def _lock_id(kind: str) -> int:
    """A stable signed 64-bit advisory-lock key for a job kind."""
    digest = hashlib.sha256(b"outguard.jobs:" + kind.encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def get(session: Session, job_id: uuid.UUID) -> Job:
    job = session.get(Job, job_id)
    if job is None:
        raise NotFoundError("Job not found.")
    return job


def list_jobs(
    session: Session,
    *,
    org_id: uuid.UUID | None = None,
    states: Sequence[JobState] | None = None,
    limit: int = 100,
) -> list[Job]:
    """Newest first. `org_id=None` means every organisation (system actors only)."""
    limit = max(1, min(limit, MAX_LIST_LIMIT))
    stmt = select(Job).order_by(Job.created_at.desc(), Job.id).limit(limit)
    if org_id is not None:
        stmt = stmt.where(Job.org_id == org_id)
    if states is not None:
        stmt = stmt.where(Job.state.in_([JobState(s).value for s in states]))
    return list(session.execute(stmt).scalars())


def claim(
    session: Session, *, worker_id: str, clock: Clock, lease_seconds: float
) -> Job | None:
    """Take the oldest runnable job, or one whose worker's lease expired (it crashed).

    The job becomes `running`, owned by `worker_id` until `lease_expires_at`, with one
    more attempt counted. A crashed job that has used all its attempts is marked dead
    instead of being run again, so a job that kills its worker cannot loop forever.

    PostgreSQL: `FOR UPDATE SKIP LOCKED` lets many workers claim without blocking or
    sharing. SQLite: the transaction began with `BEGIN IMMEDIATE` (`db/engine.py`), so
    this writer is alone until it commits.
    """
    now = clock.now()
    stmt = (
        select(Job)
        .where(
            or_(
                (Job.state == JobState.QUEUED) & (Job.run_after <= now),
                (Job.state == JobState.RUNNING) & (Job.lease_expires_at < now),
            )
        )
        .order_by(Job.run_after, Job.created_at, Job.id)
        .limit(1)
    )
    if _is_postgresql(session):
        stmt = stmt.with_for_update(skip_locked=True)
    for _ in range(_MAX_BURIALS_PER_CLAIM):
        job = session.execute(stmt).scalar_one_or_none()
        if job is None:
            return None
        if job.state == JobState.RUNNING and job.attempts >= job.max_attempts:
            _bury_crashed(job, now)
            session.flush()  # the next SELECT must no longer see it
            continue
        job.state = JobState.RUNNING
        job.attempts += 1
        job.locked_by = worker_id
        job.lease_expires_at = now + timedelta(seconds=lease_seconds)
        job.started_at = now
        job.progress = None  # a retry starts over
        job.progress_note = None
        session.flush()
        return job
    return None


def cancel(session: Session, job_id: uuid.UUID, *, clock: Clock) -> Job:
    """Cancel a job that has not started. A running job cannot be cancelled."""
    job = session.get(Job, job_id, with_for_update=True, populate_existing=True)
    if job is None:
        raise NotFoundError("Job not found.")
    if job.state != JobState.QUEUED:
        raise ConflictError("Only a queued job can be cancelled.")
    job.state = JobState.CANCELLED
    job.finished_at = clock.now()
    session.flush()
    return job


def _bury_crashed(job: Job, now: datetime) -> None:
    job.state = JobState.DEAD
    job.last_error = LEASE_EXPIRED_ERROR
    job.locked_by = None
    job.lease_expires_at = None
    job.finished_at = now


def _is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"
