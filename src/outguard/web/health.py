"""`GET /healthz`: liveness plus a database round trip (for load balancers)."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import JSONResponse

from outguard.db.health import database_ok
from outguard.web.deps import DbSession

router = APIRouter(include_in_schema=False)


@router.get("/healthz")
def healthz(session: DbSession) -> JSONResponse:
    if not database_ok(session):
        return JSONResponse(
            {"status": "unavailable", "database": "error"}, status_code=503
        )
    return JSONResponse({"status": "ok", "database": "ok"})
