"""Issuing a destruction certificate when a revocation destroyed copies.

The document goes into the database, its SHA-256 into the audit log (`share:destroyed`),
and a signed note over both is kept with it (see `shares.certificates`). Copies that left
as downloads cannot be shredded: the vendor is asked to attest their deletion.
"""

from __future__ import annotations

from outguard.audit.service import record, subject_history
from outguard.audit.tags import AuditTag
from outguard.datasets.service import DatasetsDeps
from outguard.db import Session
from outguard.engagements.service import engagements
from outguard.shares.certificates import digest, sign_certificate
from outguard.shares.models import DeletionAttestation, DestructionCertificate, Share
from outguard.shares.repository import ShareRepository
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
