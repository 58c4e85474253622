"""Turning an authenticated user into an `Actor`."""

from __future__ import annotations

from outguard.accounts.models import Organization, User
from outguard.types import (
    Actor,
    ActorKind,
    OrganizationId,
    OrgKind,
    RequestContext,
    UserId,
)


def actor_for(
    user: User,
    org: Organization,
    context: RequestContext,
    *,
    scopes: frozenset[str] | None = None,
) -> Actor:
    return Actor(
        kind=ActorKind.USER,
        display=f"{user.display_name} <{user.id}>",
        user_id=UserId(user.id),
        org_id=OrganizationId(org.id),
        org_kind=OrgKind(org.kind),
        roles=user.role_set,
        scopes=scopes,
        context=context,
    )
