"""All SQL of shares. Reads are scoped by the service's policy checks."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from outguard.shares.models import (
    DeletionAttestation,
    DestructionCertificate,
    LeakTrace,
    RecipientState,
    Share,
    ShareRecipient,
    ShareReturn,
)


class ShareRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(
        self,
        row: Share
        | ShareRecipient
        | ShareReturn
        | LeakTrace
        | DestructionCertificate
        | DeletionAttestation,
    ) -> None:
        self._session.add(row)
        self._session.flush()

    def share(
        self, share_id: uuid.UUID, *, for_update: bool = False, for_share: bool = False
    ) -> Share | None:
        """`for_share`: a shared row lock (renders hold it; a revocation waits for them)."""
        lock: bool | dict[str, bool] = {"read": True} if for_share else for_update
        return self._session.get(
            Share,
            share_id,
            with_for_update=lock,
            populate_existing=for_update or for_share,
        )

    def recipient(
        self, recipient_id: uuid.UUID, *, for_update: bool = False
    ) -> ShareRecipient | None:
        return self._session.get(
            ShareRecipient,
            recipient_id,
            with_for_update=for_update,
            populate_existing=for_update,
        )

    def recipients_of(
        self, share_id: uuid.UUID, *, for_update: bool = False
    ) -> list[ShareRecipient]:
        stmt = (
            select(ShareRecipient)
            .where(ShareRecipient.share_id == share_id)
            .order_by(ShareRecipient.created_at, ShareRecipient.id)
        )
        if for_update:
            # Waits for a render job holding a recipient, then sees its committed copy.
            stmt = stmt.with_for_update().execution_options(populate_existing=True)
        return list(self._session.execute(stmt).scalars())

    def recipient_for(
        self, share_id: uuid.UUID, user_id: uuid.UUID, *, for_update: bool = False
    ) -> ShareRecipient | None:
        stmt = select(ShareRecipient).where(
            ShareRecipient.share_id == share_id, ShareRecipient.user_id == user_id
        )
        if for_update:
            stmt = stmt.with_for_update()
        return self._session.execute(stmt).scalar_one_or_none()

    def shares_of_client(self, org_id: uuid.UUID) -> list[Share]:
        stmt = (
            select(Share)
            .where(Share.client_org_id == org_id)
            .order_by(Share.created_at.desc(), Share.id)
        )
        return list(self._session.execute(stmt).scalars())

    def shares_of_engagement(self, engagement_id: uuid.UUID) -> list[Share]:
        stmt = (
            select(Share)
            .where(Share.engagement_id == engagement_id)
            .order_by(Share.created_at.desc(), Share.id)
        )
        return list(self._session.execute(stmt).scalars())

    def live_recipients_of_engagement(self, engagement_id: uuid.UUID) -> int:
        """Recipients not yet revoked, in any share of the engagement: copies that exist or may."""
        stmt = (
            select(func.count())
            .select_from(ShareRecipient)
            .join(Share, ShareRecipient.share_id == Share.id)
            .where(
                Share.engagement_id == engagement_id,
                ShareRecipient.state != RecipientState.REVOKED,
            )
        )
        return int(self._session.execute(stmt).scalar_one())

    def serialise_sharing(self, version_id: uuid.UUID) -> None:
        """Two shares of one version are created one after the other (a double submit).

        PostgreSQL: a transaction-level advisory lock keyed by the version. SQLite
        transactions begin IMMEDIATE, so writers are serialised already.
        """
        if self._session.get_bind().dialect.name == "postgresql":
            key = int.from_bytes(version_id.bytes[:8], "big", signed=True)
            self._session.execute(select(func.pg_advisory_xact_lock(key)))

    def recent_share_by(
        self,
        user_id: uuid.UUID | None,
        version_id: uuid.UUID,
        engagement_id: uuid.UUID,
        purpose: str,
        since: datetime,
    ) -> Share | None:
        stmt = (
            select(Share)
            .where(
                Share.created_by_id == user_id,
                Share.version_id == version_id,
                Share.engagement_id == engagement_id,
                Share.purpose == purpose,
                Share.state == "active",
                Share.created_at >= since,
            )
            .order_by(Share.created_at.desc())
            .limit(1)
        )
        return self._session.execute(stmt).scalar_one_or_none()

    def team_shares(self, engagement_id: uuid.UUID) -> list[Share]:
        """The engagement's live whole-team shares."""
        stmt = select(Share).where(
            Share.engagement_id == engagement_id,
            Share.whole_team.is_(True),
            Share.state == "active",
        )
        return list(self._session.execute(stmt).scalars())

    def shares_for_user(
        self, user_id: uuid.UUID, engagement_id: uuid.UUID | None = None
    ) -> list[tuple[Share, ShareRecipient]]:
        stmt = (
            select(Share, ShareRecipient)
            .join(ShareRecipient, ShareRecipient.share_id == Share.id)
            .where(ShareRecipient.user_id == user_id)
            .order_by(Share.created_at.desc(), Share.id)
        )
        if engagement_id is not None:
            stmt = stmt.where(Share.engagement_id == engagement_id)
        return [(row[0], row[1]) for row in self._session.execute(stmt)]

    def return_(
        self, return_id: uuid.UUID, *, for_update: bool = False
    ) -> ShareReturn | None:
        return self._session.get(
            ShareReturn,
            return_id,
            with_for_update=for_update,
            populate_existing=for_update,
        )

    def returns_of(
        self, share_id: uuid.UUID, user_id: uuid.UUID | None = None
    ) -> list[ShareReturn]:
        stmt = (
            select(ShareReturn)
            .where(ShareReturn.share_id == share_id)
            .order_by(ShareReturn.received_at.desc(), ShareReturn.id)
        )
        if user_id is not None:
            stmt = stmt.where(ShareReturn.user_id == user_id)
        return list(self._session.execute(stmt).scalars())

    def leak(self, trace_id: uuid.UUID) -> LeakTrace | None:
        return self._session.get(LeakTrace, trace_id)

    def leaks_of(self, org_id: uuid.UUID) -> list[LeakTrace]:
        stmt = (
            select(LeakTrace)
            .where(LeakTrace.client_org_id == org_id)
            .order_by(LeakTrace.created_at.desc(), LeakTrace.id)
        )
        return list(self._session.execute(stmt).scalars())

    def recipients_with_user(
        self, org_id: uuid.UUID, user_id: uuid.UUID
    ) -> list[tuple[Share, ShareRecipient]]:
        """Every copy this agent got of this client's data (to show what leaked from)."""
        stmt = (
            select(Share, ShareRecipient)
            .join(ShareRecipient, ShareRecipient.share_id == Share.id)
            .where(Share.client_org_id == org_id, ShareRecipient.user_id == user_id)
            .order_by(Share.created_at.desc())
        )
        return [(row[0], row[1]) for row in self._session.execute(stmt)]

    def certificates_of(self, share_id: uuid.UUID) -> list[DestructionCertificate]:
        stmt = (
            select(DestructionCertificate)
            .where(DestructionCertificate.share_id == share_id)
            .order_by(DestructionCertificate.created_at.desc())
        )
        return list(self._session.execute(stmt).scalars())

    def certificate(self, certificate_id: uuid.UUID) -> DestructionCertificate | None:
        return self._session.get(DestructionCertificate, certificate_id)

    def active_shares_due(self, now: datetime) -> list[Share]:
        stmt = select(Share).where(Share.state == "active", Share.expires_at < now)
        return list(self._session.execute(stmt).scalars())

    def attestation(
        self, attestation_id: uuid.UUID, *, for_update: bool = False
    ) -> DeletionAttestation | None:
        return self._session.get(
            DeletionAttestation,
            attestation_id,
            with_for_update=for_update,
            populate_existing=for_update,
        )

    def attestations_for_vendor(
        self, vendor_org_id: uuid.UUID
    ) -> list[DeletionAttestation]:
        stmt = (
            select(DeletionAttestation)
            .where(DeletionAttestation.vendor_org_id == vendor_org_id)
            .order_by(DeletionAttestation.requested_at.desc())
        )
        return list(self._session.execute(stmt).scalars())

    def attestations_owed(self) -> list[DeletionAttestation]:
        stmt = (
            select(DeletionAttestation)
            .where(DeletionAttestation.attested_at.is_(None))
            .order_by(DeletionAttestation.requested_at)
        )
        return list(self._session.execute(stmt).scalars())

    def attestations_of(self, share_id: uuid.UUID) -> list[DeletionAttestation]:
        stmt = select(DeletionAttestation).where(
            DeletionAttestation.share_id == share_id
        )
        return list(self._session.execute(stmt).scalars())
