"""JSON API, version 1. Every route authenticates with `ApiActor` and calls a use case."""

from fastapi import APIRouter

from outguard.web.api import (
    audit,
    datasets,
    engagements,
    invitations,
    jobs,
    leaks,
    me,
    orgs,
    shares,
    tokens,
    users,
)

router = APIRouter(prefix="/api/v1")
for _module in (
    me,
    orgs,
    users,
    invitations,
    tokens,
    jobs,
    audit,
    engagements,
    datasets,
    shares,
    leaks,
):
    router.include_router(_module.router)

__all__ = ["router"]
