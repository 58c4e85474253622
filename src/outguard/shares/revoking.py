"""Revoking: access cut at once, each copy crypto-shredded, and a certificate issued.

The document goes into the database, its SHA-256 into the audit log (`share:destroyed`),
and a signed note over both is kept with it (see `shares.certificates`). Copies that left
as downloads cannot be shredded: the vendor is asked to attest their deletion.
"""

from __future__ import annotations

import uuid

from outguard.audit.service import record, subject_history
from outguard.audit.tags import AuditTag
from outguard.datasets.service import DatasetsDeps
from outguard.db import Session
from outguard.engagements.service import engagements
from outguard.errors import ConflictError, DomainValidationError, NotFoundError
from outguard.keystore.service import KeyDestroyedError, destroy_data_key
from outguard.shares.certificates import digest, sign_certificate
from outguard.shares.models import (
    DeletionAttestation,
    DestructionCertificate,
    RecipientState,
    Share,
    ShareRecipient,
    ShareState,
)
from outguard.shares.policy import can_manage
from outguard.shares.repository import ShareRepository
from outguard.shares.service import _require, client_share
from outguard.types import Actor

_SYSTEM = Actor.system("worker:shares")


def issue_certificate(
    session: Session,
    actor: Actor,
    share: Share,
    items: list[dict[str, object]],
    reason: str,
    deps: DatasetsDeps,
) -> DestructionCertificate:
    """The certificate: its SHA-256 in the audit log, and signed with the audit key."""
    now = deps.clock.now()
    document: dict[str, object] = {
        "certificate": "outguard destruction certificate v1",
        "share_id": str(share.id),
        "engagement_id": str(share.engagement_id),
        "dataset_id": str(share.dataset_id),
        "version_id": str(share.version_id),
        "client_org_id": str(share.client_org_id),
        "reason": reason,
        "issued_at": now.isoformat(),
        "method": "crypto-shredding: each copy's data key erased (AES-256-GCM streams "
        "cannot be decrypted without it), then its sealed blob deleted",
        "destroyed": items,
    }
    sha256 = digest(document)
    event = record(
        session,
        actor,
        AuditTag.SHARE_DESTROYED,
        clock=deps.clock,
        subject_type="share",
        subject_id=share.id,
        org_id=share.client_org_id,
        details={
            "certificate_sha256": sha256,
            "copies_destroyed": len(items),
            "reason": reason,
        },
    )
    certificate = DestructionCertificate(
        client_org_id=share.client_org_id,
        share_id=share.id,
        reason=reason,
        document=document,
        sha256=sha256,
        audit_seq=event.seq,
        signed_note=(
            sign_certificate(document, sha256, event.seq, deps.signer)
            if deps.signer is not None
            else None
        ),
        created_at=now,
    )
    repo = ShareRepository(session)
    repo.add(certificate)
    downloads = sum(
        len(
            subject_history(
                session,
                "rendition",
                str(item["rendition_id"]),
                tags=(AuditTag.RENDITION_DOWNLOADED,),
            )
        )
        for item in items
        if item.get("rendition_id")
    )
    if downloads and not any(
        a.attested_at is None for a in repo.attestations_of(share.id)
    ):
        # What left as a download outguard cannot shred: the vendor must attest it.
        engagement = engagements.get_engagement(session, _SYSTEM, share.engagement_id)
        repo.add(
            DeletionAttestation(
                share_id=share.id,
                client_org_id=share.client_org_id,
                vendor_org_id=engagement.vendor_org_id,
                downloads=downloads,
                requested_at=now,
            )
        )
    return certificate


def _destroy(
    session: Session, share: Share, recipient: ShareRecipient, deps: DatasetsDeps
) -> dict[str, object] | None:
    """Cut the recipient off and crypto-shred their rendition; what was destroyed, if any."""
    item: dict[str, object] | None = None
    if recipient.key_id is not None:
        try:
            destroyed = destroy_data_key(
                session,
                _SYSTEM,
                tenant=str(share.client_org_id),
                key_id=recipient.key_id,
                clock=deps.clock,
            )
            item = {
                "recipient_user_id": str(recipient.user_id),
                "rendition_id": recipient.rendition_id,
                "key_id": destroyed.key_id,
                "key_fingerprint": destroyed.fingerprint,
                "output_sha256": recipient.output_sha256,
                "destroyed_at": destroyed.destroyed_at.isoformat(),
            }
        except KeyDestroyedError:
            pass
    if recipient.blob_key is not None:
        deleted = deps.blobs.delete(
            recipient.blob_key
        )  # unreadable already; frees space
        if item is not None:
            item["blob_deleted"] = deleted
    recipient.state = RecipientState.REVOKED
    recipient.revoked_at = deps.clock.now()
    return item


def revoke(
    session: Session,
    actor: Actor,
    share_id: uuid.UUID,
    *,
    reason: str,
    deps: DatasetsDeps,
    user_id: uuid.UUID | None = None,
) -> Share:
    """Revoke the whole share, or one agent's access (`user_id`): immediate, and shredded."""
    if not 3 <= len(reason.strip()) <= 500:  # noqa: PLR2004 - a reason worth keeping
        raise DomainValidationError("Give a reason (3 to 500 characters).")
    repo = ShareRepository(session)
    share = client_share(session, actor, share_id, for_update=True)
    _require(can_manage(actor, share.client_org_id))
    if share.share_state is ShareState.REVOKED:
        raise ConflictError("The share was already revoked.")
    # Locked: a render job running now either finished (and its copy is destroyed here)
    # or will find the recipient revoked and make nothing.
    targets = repo.recipients_of(share.id, for_update=True)
    if user_id is not None:
        targets = [r for r in targets if r.user_id == user_id]
        if not targets:
            raise NotFoundError("That agent is not a recipient of this share.")
        if targets[0].recipient_state is RecipientState.REVOKED:
            raise ConflictError("That agent's access was already revoked.")
    items = [
        item
        for r in targets
        if r.recipient_state is not RecipientState.REVOKED
        and (item := _destroy(session, share, r, deps)) is not None
    ]
    if user_id is None:
        share.state = ShareState.REVOKED
        share.state_reason = reason.strip()
    share.updated_at = deps.clock.now()
    record(
        session,
        actor,
        AuditTag.SHARE_REVOKED,
        clock=deps.clock,
        subject_type="share",
        subject_id=share.id,
        org_id=share.client_org_id,
        details={
            "scope": "share" if user_id is None else "recipient",
            "recipient_user_id": str(user_id) if user_id else None,
            "renditions_destroyed": len(items),
            "reason": reason.strip(),
        },
    )
    if items:
        issue_certificate(session, actor, share, items, reason.strip(), deps)
    return share
