"""`/api/v1/audit/checkpoints`: the signed tree heads, to keep a copy outside outguard."""

from __future__ import annotations

from fastapi import APIRouter, Query

from outguard.audit.access import CheckpointRead, list_checkpoints
from outguard.web.deps import ApiActor, DbSession

router = APIRouter(tags=["audit"])


@router.get("/audit/checkpoints", response_model=list[CheckpointRead])
def checkpoints(
    session: DbSession, actor: ApiActor, limit: int = Query(100, ge=1, le=1000)
) -> list[CheckpointRead]:
    """Newest first. Each `note` is a C2SP signed checkpoint: verify it with the log key."""
    return list_checkpoints(session, actor, limit=limit)
