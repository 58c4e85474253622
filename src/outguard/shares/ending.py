"""Ending: expired shares are shredded, and an engagement ends with every copy destroyed.

Each destruction comes with a certificate anchored in the audit log.
"""

from __future__ import annotations

import uuid

from outguard.datasets.service import DatasetsDeps
from outguard.db import Session
from outguard.engagements.models import Engagement
from outguard.engagements.schemas import StateChange
from outguard.engagements.service import engagements
from outguard.shares.models import DestructionCertificate, Share, ShareState
from outguard.shares.repository import ShareRepository
from outguard.shares.service import readable_share, revoke
from outguard.types import Actor

SWEEP_JOB = "shares.expire"
_SYSTEM = Actor.system("worker:shares")


def sweep_expired(session: Session, *, deps: DatasetsDeps) -> int:
    """Shred the copies of every share past its end date; returns how many shares."""
    due = ShareRepository(session).active_shares_due(deps.clock.now())
    for share in due:
        revoke(session, _SYSTEM, share.id, reason="The share expired.", deps=deps)
    return len(due)


def end_engagement(
    session: Session,
    actor: Actor,
    engagement_id: uuid.UUID,
    *,
    reason: str,
    deps: DatasetsDeps,
) -> Engagement:
    """End the engagement, first revoking every live share and destroying its copies.

    With certificates, in the same transaction: no rendition outlives the engagement.
    """
    engagement = engagements.get_engagement(session, actor, engagement_id)
    for share in ShareRepository(session).shares_of_engagement(engagement.id):
        if share.share_state is ShareState.ACTIVE:
            revoke(
                session,
                actor,
                share.id,
                reason=f"The engagement ended: {reason}"[:500],
                deps=deps,
            )
    return engagements.change_state(
        session,
        actor,
        engagement.id,
        StateChange(action="end", reason=reason),
        clock=deps.clock,
    )


def certificates(
    session: Session, actor: Actor, share_id: uuid.UUID
) -> tuple[Share, list[DestructionCertificate]]:
    share = readable_share(session, actor, share_id)
    return share, ShareRepository(session).certificates_of(share.id)
