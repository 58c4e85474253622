"""What the share form offers: the client's active engagements and their agents' standing."""

from __future__ import annotations

import uuid

from outguard.datasets.service import DatasetsDeps
from outguard.db import Session
from outguard.engagements.models import Engagement, EngagementState
from outguard.engagements.service import engagements, gate
from outguard.shares.policy import can_manage
from outguard.shares.service import _SYSTEM, _require
from outguard.types import Actor


def candidates(
    session: Session, actor: Actor, engagement_id: uuid.UUID, *, deps: DatasetsDeps
) -> list[gate.AgentRow]:
    """The engagement's current agents, with their standing, for the share form."""
    engagement = engagements.get_engagement(session, actor, engagement_id)
    _require(can_manage(actor, engagement.client_org_id))
    return [
        row
        for row in gate.matrix(session, _SYSTEM, engagement.id, clock=deps.clock)
        if row.enrolment.offboarded_at is None
    ]


def shareable_engagements(session: Session, actor: Actor) -> list[Engagement]:
    """The client's active engagements (where a share can go now)."""
    if actor.org_id is None:
        return []
    _require(can_manage(actor, actor.org_id))
    return [
        e
        for e in engagements.list_engagements(session, actor)
        if e.client_org_id == actor.org_id
        and e.engagement_state is EngagementState.ACTIVE
    ]
