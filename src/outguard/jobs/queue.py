"""Enqueue, claim and inspect jobs. All SQL for jobs lives here."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from outguard.errors import ConflictError, NotFoundError
from outguard.jobs.models import Job, JobState
from outguard.types import Clock


def enqueue(
    session: Session,
    *,
    kind: str,
    payload: dict[str, Any],
    clock: Clock,
    max_attempts: int = 5,
    org_id: uuid.UUID | None = None,
    created_by_id: uuid.UUID | None = None,
    run_after: datetime | None = None,
) -> Job:
    """Add a job in the caller's transaction: it exists only if the caller commits."""
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
    stmt = select(Job).order_by(Job.created_at.desc()).limit(limit)
    if org_id is not None:
        stmt = stmt.where(Job.org_id == org_id)
    if states:
        stmt = stmt.where(Job.state.in_([s.value for s in states]))
    return list(session.execute(stmt).scalars())


def claim(
    session: Session, *, worker_id: str, clock: Clock, lease_seconds: int
) -> Job | None:
    """Take the oldest runnable job, or one whose worker's lease expired (it crashed).

    PostgreSQL: FOR UPDATE SKIP LOCKED lets many workers claim without blocking each other.
    SQLite: the transaction began with BEGIN IMMEDIATE, so this writer is alone.
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
        .order_by(Job.run_after, Job.created_at)
        .limit(1)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    job = session.execute(stmt).scalar_one_or_none()
    if job is None:
        return None
    job.state = JobState.RUNNING
    job.attempts += 1
    job.locked_by = worker_id
    job.lease_expires_at = now + _seconds(lease_seconds)
    job.started_at = now
    session.flush()
    return job


def cancel(session: Session, job_id: uuid.UUID, *, clock: Clock) -> Job:
    job = get(session, job_id)
    if job.state != JobState.QUEUED:
        raise ConflictError("Only a queued job can be cancelled.")
    job.state = JobState.CANCELLED
    job.finished_at = clock.now()
    return job


def _seconds(n: float) -> timedelta:
    return timedelta(seconds=n)
