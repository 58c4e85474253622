"""Server-rendered pages (Jinja2, plain HTML forms, POST-redirect-GET, no JavaScript)."""

from fastapi import APIRouter

from outguard.web.ui import (
    account,
    compliance,
    datasets,
    engagement_terms,
    engagements,
    home,
    invite,
    leaks,
    mfa,
    orgs,
    people,
    shares,
    signin,
)

router = APIRouter(include_in_schema=False)
for _module in (
    signin,
    mfa,
    home,
    orgs,
    people,
    invite,
    account,
    engagement_terms,
    engagements,
    compliance,
    datasets,
    shares,
    leaks,
):
    router.include_router(_module.router)

__all__ = ["router"]
