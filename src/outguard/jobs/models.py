"""The job row."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from outguard.db.base import Base, UUIDPrimaryKey


class JobState(StrEnum):
    QUEUED = "queued"  # waiting (possibly until run_after, for a retry)
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    DEAD = "dead"  # failed every attempt, or failed in a way that must not be retried
    CANCELLED = "cancelled"


class Job(UUIDPrimaryKey, Base):
    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_state_run_after", "state", "run_after"),)

    kind: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(20), default=JobState.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int]
    run_after: Mapped[datetime]
    locked_by: Mapped[str | None] = mapped_column(String(100))
    lease_expires_at: Mapped[datetime | None]
    progress: Mapped[float | None]
    progress_note: Mapped[str | None] = mapped_column(String(200))
    last_error: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    org_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    created_by_id: Mapped[uuid.UUID | None]
    created_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
