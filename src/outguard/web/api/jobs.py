"""`/api/v1/jobs`: long-running work of the caller's organisation, with state and progress."""

from __future__ import annotations

from fastapi import APIRouter, Query

from outguard.jobs.access import JobRead, list_visible_jobs
from outguard.web.deps import ApiActor, DbSession

router = APIRouter(tags=["jobs"])


@router.get("/jobs", response_model=list[JobRead])
def list_jobs(
    session: DbSession, actor: ApiActor, limit: int = Query(50, ge=1, le=500)
) -> list[JobRead]:
    return [
        JobRead.model_validate(j)
        for j in list_visible_jobs(session, actor, limit=limit)
    ]
