"""Who may see which jobs: members with `jobs:read` see their own organisation's jobs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from outguard.db import Session
from outguard.errors import PermissionDeniedError
from outguard.jobs import queue
from outguard.jobs.models import Job
from outguard.security.decisions import Allow, Decision, Deny
from outguard.security.permissions import Permission, permissions_for
from outguard.types import Actor


class JobRead(BaseModel):
    model_config = ConfigDict(from_attributes=True, frozen=True)

    id: Any
    kind: str
    state: str
    attempts: int
    max_attempts: int
    progress: float | None
    progress_note: str | None
    last_error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


def can_list_jobs(actor: Actor) -> Decision:
    if actor.is_system:
        return Allow()
    if not actor.is_user or actor.org_id is None:
        return Deny("not signed in")
    if Permission.JOBS_READ not in permissions_for(actor.roles):
        return Deny("no role grants jobs:read")
    if actor.scopes is not None and Permission.JOBS_READ not in actor.scopes:
        return Deny("API token lacks scope jobs:read")
    return Allow()


def list_visible_jobs(session: Session, actor: Actor, *, limit: int = 100) -> list[Job]:
    decision = can_list_jobs(actor)
    if isinstance(decision, Deny):
        raise PermissionDeniedError(decision.reason)
    return queue.list_jobs(
        session, org_id=None if actor.is_system else actor.org_id, limit=limit
    )
