"""`/api/v1/leaks`: trace a file found outside to the agent whose copy it came from.

The body is the found file (not a multipart form): it is read in memory and never stored.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query, Request, status
from pydantic import BaseModel

from outguard.shares.leaks import get_leak, list_leaks, trace_leak
from outguard.shares.models import LeakTrace
from outguard.web.deps import ApiActor, DataDeps, DbSession
from outguard.web.downloads import with_body

router = APIRouter(prefix="/leaks", tags=["leaks"])


class LeakRead(BaseModel):
    id: uuid.UUID
    url: str
    filename: str
    kind: str
    size: int
    sha256: str
    verdict: str
    created_at: datetime
    result: dict[str, Any]


def _leak(row: LeakTrace) -> LeakRead:
    return LeakRead(
        id=row.id,
        url=f"/leaks/{row.id}",
        filename=row.filename,
        kind=row.kind,
        size=row.size,
        sha256=row.sha256,
        verdict=row.verdict,
        created_at=row.created_at,
        result=row.result,
    )


@router.post("", response_model=LeakRead, status_code=status.HTTP_201_CREATED)
async def trace(
    request: Request,
    session: DbSession,
    actor: ApiActor,
    deps: DataDeps,
    filename: str = Query(..., max_length=1000),
) -> LeakRead:
    """Trace the found file (the body): the agent it names, with the evidence."""
    return _leak(
        await with_body(
            request,
            lambda chunks: trace_leak(
                session, actor, filename=filename, chunks=chunks, deps=deps
            ),
        )
    )


@router.get("", response_model=list[LeakRead])
def list_(session: DbSession, actor: ApiActor) -> list[LeakRead]:
    return [_leak(r) for r in list_leaks(session, actor)]


@router.get("/{trace_id}", response_model=LeakRead)
def read(trace_id: uuid.UUID, session: DbSession, actor: ApiActor) -> LeakRead:
    row, _ = get_leak(session, actor, trace_id)
    return _leak(row)
