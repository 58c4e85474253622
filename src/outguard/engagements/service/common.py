"""Helpers every engagement use case shares: load what the actor may see, refuse with a reason."""

from __future__ import annotations

import uuid

from outguard.accounts.service import orgs
from outguard.db import Session
from outguard.engagements.models import ApprovalState, Engagement
from outguard.engagements.policy import Standing, can_view
from outguard.engagements.repository import EngagementRepository
from outguard.errors import NotFoundError, PermissionDeniedError
from outguard.security.decisions import Decision, Deny
from outguard.types import Actor


def require(decision: Decision) -> None:
    if isinstance(decision, Deny):
        raise PermissionDeniedError(decision.reason)


def standing(session: Session, actor: Actor, engagement: Engagement) -> Standing:
    repo = EngagementRepository(session)
    approved = frozenset(
        a.sub_org_id
        for a in repo.approvals(engagement.id)
        if a.state == ApprovalState.APPROVED
    )
    enrolled = (
        actor.user_id is not None
        and repo.enrolment(engagement.id, actor.user_id) is not None
    )
    return Standing(approved_subs=approved, enrolled=enrolled)


def visible(
    session: Session,
    actor: Actor,
    engagement_id: uuid.UUID,
    *,
    for_update: bool = False,
) -> tuple[Engagement, Standing]:
    """The engagement and the actor's standing, or NotFound (never 403: no probing)."""
    repo = EngagementRepository(session)
    engagement = (
        repo.get_for_update(engagement_id) if for_update else repo.get(engagement_id)
    )
    if engagement is None:
        raise NotFoundError("Engagement not found.")
    where = standing(session, actor, engagement)
    decision = can_view(actor, engagement, where)
    if isinstance(decision, Deny):
        if actor.is_system or where.party(actor, engagement) is None:
            raise NotFoundError("Engagement not found.")
        raise PermissionDeniedError(decision.reason)  # a party, without the permission
    return engagement, where


def org_name(session: Session, org_id: uuid.UUID) -> str:
    org = orgs.org_unscoped(session, org_id)
    return org.name if org is not None else "unknown organisation"
