"""Ending: expired shares are shredded, and an engagement ends with every copy destroyed.

Each destruction comes with a certificate anchored in the audit log.
"""

from __future__ import annotations

import uuid

from outguard.audit.service import subject_history
from outguard.audit.tags import AuditTag
from outguard.datasets.service import DatasetsDeps
from outguard.db import Session
from outguard.engagements.models import Engagement
from outguard.engagements.schemas import StateChange
from outguard.engagements.service import engagements
from outguard.engagements.service.engagements import guard_ending
from outguard.errors import ConflictError, NotFoundError
from outguard.shares.certificates import CertificateCheck, certificate_json
from outguard.shares.models import DestructionCertificate, Share, ShareState
from outguard.shares.repository import ShareRepository
from outguard.shares.revoking import revoke
from outguard.shares.service import readable_share
from outguard.types import Actor

SWEEP_JOB = "shares.expire"
_SYSTEM = Actor.system("worker:shares")


def _no_live_copies(session: Session, engagement_id: uuid.UUID) -> str | None:
    live = ShareRepository(session).live_recipients_of_engagement(engagement_id)
    if live:
        return (
            f"{live} agent cop{'y' if live == 1 else 'ies'} of shared data still "
            f"exist{'s' if live == 1 else ''} under this engagement: end it from its "
            "page, which destroys them first, or revoke its shares."
        )
    return None


guard_ending(_no_live_copies)


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


def certificate(
    session: Session, actor: Actor, share_id: uuid.UUID, certificate_id: uuid.UUID
) -> tuple[Share, DestructionCertificate]:
    share = readable_share(session, actor, share_id)
    cert = ShareRepository(session).certificate(certificate_id)
    if cert is None or cert.share_id != share.id:
        raise NotFoundError("No such certificate.")
    return share, cert


def certificate_file(
    session: Session,
    actor: Actor,
    share_id: uuid.UUID,
    certificate_id: uuid.UUID,
    *,
    deps: DatasetsDeps,
) -> tuple[Share, DestructionCertificate, bytes]:
    """The certificate as the JSON file that verifies offline (see shares.certificates)."""
    share, cert = certificate(session, actor, share_id, certificate_id)
    if deps.signer is None:
        raise ConflictError("This instance has no audit key to name as the signer.")
    return (
        share,
        cert,
        certificate_json(
            document=cert.document,
            sha256=cert.sha256,
            audit_seq=cert.audit_seq,
            signed_note=cert.signed_note,
            signer_name=deps.signer.name,
            public_key=deps.signer.public_key,
        ),
    )


def recorded_in_log(session: Session, check: CertificateCheck) -> bool:
    """Whether this instance's audit log holds the certificate's digest at its position."""
    share_id = str(check.document.get("share_id", ""))
    try:
        uuid.UUID(share_id)
    except ValueError:
        return False
    return any(
        event.seq == check.audit_seq
        and event.details.get("certificate_sha256") == check.sha256
        for event in subject_history(
            session, "share", share_id, tags=(AuditTag.SHARE_DESTROYED,)
        )
    )
