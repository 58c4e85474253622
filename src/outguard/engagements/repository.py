"""All SQL of engagements.

Reads are scoped by the services' policies; writes add rows or change the few mutable fields
(state, offboarding, decisions, networks).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import TypeVar

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from outguard.engagements.models import (
    AgreementTemplate,
    ApprovalState,
    Attestation,
    Engagement,
    EngagementAgent,
    NetworkException,
    ReminderSent,
    Signature,
    Site,
    SubcontractorApproval,
    TrainingModule,
    TrainingResult,
)

_Row = (
    Engagement
    | Site
    | EngagementAgent
    | SubcontractorApproval
    | NetworkException
    | AgreementTemplate
    | Signature
    | TrainingModule
    | TrainingResult
    | Attestation
    | ReminderSent
)

_T = TypeVar("_T", bound=_Row)


class EngagementRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, row: _T) -> _T:
        self._s.add(row)
        self._s.flush()
        return row

    # ---------------------------------------------------------------- engagements
    def get(self, engagement_id: uuid.UUID) -> Engagement | None:
        return self._s.get(Engagement, engagement_id)

    def get_for_update(self, engagement_id: uuid.UUID) -> Engagement | None:
        stmt = (
            select(Engagement).where(Engagement.id == engagement_id).with_for_update()
        )
        return self._s.execute(stmt).scalar_one_or_none()

    def visible(self, org_id: uuid.UUID, user_id: uuid.UUID | None) -> list[Engagement]:
        """Engagements of the org as client or vendor, as an approved sub, or as an agent."""
        approved = select(SubcontractorApproval.engagement_id).where(
            SubcontractorApproval.sub_org_id == org_id,
            SubcontractorApproval.state == ApprovalState.APPROVED,
        )
        conditions = [
            Engagement.client_org_id == org_id,
            Engagement.vendor_org_id == org_id,
            Engagement.id.in_(approved),
        ]
        if user_id is not None:
            enrolled = select(EngagementAgent.engagement_id).where(
                EngagementAgent.user_id == user_id
            )
            conditions.append(Engagement.id.in_(enrolled))
        stmt = select(Engagement).where(or_(*conditions)).order_by(Engagement.name)
        return list(self._s.execute(stmt).scalars())

    def all(self) -> list[Engagement]:
        return list(
            self._s.execute(select(Engagement).order_by(Engagement.name)).scalars()
        )

    def name_taken(self, client_org_id: uuid.UUID, name: str) -> bool:
        stmt = select(func.count()).where(
            Engagement.client_org_id == client_org_id,
            func.lower(Engagement.name) == name.lower(),
        )
        return bool(self._s.execute(stmt).scalar_one())

    # ---------------------------------------------------------------- sites
    def sites(self, org_ids: Sequence[uuid.UUID]) -> list[Site]:
        stmt = select(Site).where(Site.org_id.in_(list(org_ids))).order_by(Site.name)
        return list(self._s.execute(stmt).scalars())

    def site(self, site_id: uuid.UUID) -> Site | None:
        return self._s.get(Site, site_id)

    # ---------------------------------------------------------------- agents
    def agents(self, engagement_id: uuid.UUID) -> list[EngagementAgent]:
        stmt = (
            select(EngagementAgent)
            .where(EngagementAgent.engagement_id == engagement_id)
            .order_by(EngagementAgent.enrolled_at)
        )
        return list(self._s.execute(stmt).scalars())

    def enrolment(
        self, engagement_id: uuid.UUID, user_id: uuid.UUID
    ) -> EngagementAgent | None:
        stmt = select(EngagementAgent).where(
            EngagementAgent.engagement_id == engagement_id,
            EngagementAgent.user_id == user_id,
        )
        return self._s.execute(stmt).scalar_one_or_none()

    def enrolments_of(self, user_id: uuid.UUID) -> list[EngagementAgent]:
        stmt = select(EngagementAgent).where(EngagementAgent.user_id == user_id)
        return list(self._s.execute(stmt).scalars())

    def all_enrolments(self) -> list[EngagementAgent]:
        return list(self._s.execute(select(EngagementAgent)).scalars())

    # ---------------------------------------------------------------- sub-contractors
    def approvals(self, engagement_id: uuid.UUID) -> list[SubcontractorApproval]:
        stmt = (
            select(SubcontractorApproval)
            .where(SubcontractorApproval.engagement_id == engagement_id)
            .order_by(SubcontractorApproval.proposed_at)
        )
        return list(self._s.execute(stmt).scalars())

    def approval(
        self, engagement_id: uuid.UUID, sub_org_id: uuid.UUID
    ) -> SubcontractorApproval | None:
        stmt = select(SubcontractorApproval).where(
            SubcontractorApproval.engagement_id == engagement_id,
            SubcontractorApproval.sub_org_id == sub_org_id,
        )
        return self._s.execute(stmt).scalar_one_or_none()

    def approval_by_id(self, approval_id: uuid.UUID) -> SubcontractorApproval | None:
        return self._s.get(SubcontractorApproval, approval_id)

    # ---------------------------------------------------------------- network exceptions
    def exceptions(self, engagement_id: uuid.UUID) -> list[NetworkException]:
        stmt = (
            select(NetworkException)
            .where(NetworkException.engagement_id == engagement_id)
            .order_by(NetworkException.granted_at)
        )
        return list(self._s.execute(stmt).scalars())

    def exception(self, exception_id: uuid.UUID) -> NetworkException | None:
        return self._s.get(NetworkException, exception_id)

    # ---------------------------------------------------------------- agreements
    def templates(self, client_org_id: uuid.UUID) -> list[AgreementTemplate]:
        stmt = (
            select(AgreementTemplate)
            .where(AgreementTemplate.client_org_id == client_org_id)
            .order_by(AgreementTemplate.kind, AgreementTemplate.version)
        )
        return list(self._s.execute(stmt).scalars())

    def template(self, template_id: uuid.UUID) -> AgreementTemplate | None:
        return self._s.get(AgreementTemplate, template_id)

    def next_version(self, client_org_id: uuid.UUID, kind: str) -> int:
        stmt = select(func.max(AgreementTemplate.version)).where(
            AgreementTemplate.client_org_id == client_org_id,
            AgreementTemplate.kind == kind,
        )
        return int(self._s.execute(stmt).scalar_one() or 0) + 1

    def signed_versions(
        self,
        client_org_id: uuid.UUID,
        *,
        user_id: uuid.UUID | None = None,
        engagement_id: uuid.UUID | None = None,
    ) -> dict[str, int]:
        """Kind -> highest version signed: by a person (agent kinds), or for an engagement."""
        stmt = (
            select(Signature.kind, func.max(Signature.version))
            .where(Signature.client_org_id == client_org_id)
            .group_by(Signature.kind)
        )
        if engagement_id is not None:
            stmt = stmt.where(Signature.engagement_id == engagement_id)
        else:
            stmt = stmt.where(
                Signature.user_id == user_id, Signature.engagement_id.is_(None)
            )
        return {kind: int(v) for kind, v in self._s.execute(stmt).all()}

    def signatures(
        self,
        *,
        user_id: uuid.UUID | None = None,
        engagement_id: uuid.UUID | None = None,
    ) -> list[Signature]:
        stmt = select(Signature).order_by(Signature.signed_at.desc())
        if user_id is not None:
            stmt = stmt.where(Signature.user_id == user_id)
        if engagement_id is not None:
            stmt = stmt.where(Signature.engagement_id == engagement_id)
        return list(self._s.execute(stmt).scalars())

    def signature(self, signature_id: uuid.UUID) -> Signature | None:
        return self._s.get(Signature, signature_id)

    # ---------------------------------------------------------------- training
    def modules(
        self, client_org_id: uuid.UUID, *, include_retired: bool = False
    ) -> list[TrainingModule]:
        stmt = select(TrainingModule).where(
            TrainingModule.client_org_id == client_org_id
        )
        if not include_retired:
            stmt = stmt.where(TrainingModule.retired_at.is_(None))
        return list(
            self._s.execute(stmt.order_by(TrainingModule.published_at)).scalars()
        )

    def module(self, module_id: uuid.UUID) -> TrainingModule | None:
        return self._s.get(TrainingModule, module_id)

    def passed_until(
        self, user_id: uuid.UUID, module_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, datetime]:
        """Module -> expiry of the person's latest passing result that still counts."""
        if not module_ids:
            return {}
        stmt = (
            select(TrainingResult.module_id, func.max(TrainingResult.expires_at))
            .join(TrainingModule, TrainingModule.id == TrainingResult.module_id)
            .where(
                TrainingResult.user_id == user_id,
                TrainingResult.passed.is_(True),
                TrainingResult.module_id.in_(list(module_ids)),
                or_(
                    TrainingModule.retake_after.is_(None),
                    TrainingResult.taken_at >= TrainingModule.retake_after,
                ),
            )
            .group_by(TrainingResult.module_id)
        )
        return dict(self._s.execute(stmt).all())

    def results(self, user_id: uuid.UUID) -> list[TrainingResult]:
        stmt = (
            select(TrainingResult)
            .where(TrainingResult.user_id == user_id)
            .order_by(TrainingResult.taken_at.desc())
        )
        return list(self._s.execute(stmt).scalars())

    # ---------------------------------------------------------------- attestations
    def latest_attestation(self, user_id: uuid.UUID, kind: str) -> Attestation | None:
        stmt = (
            select(Attestation)
            .where(Attestation.user_id == user_id, Attestation.kind == kind)
            .order_by(Attestation.attested_at.desc(), Attestation.id)
            .limit(1)
        )
        return self._s.execute(stmt).scalar_one_or_none()

    # ---------------------------------------------------------------- reminders
    def reminder_sent(self, key: str) -> bool:
        return self._s.get(ReminderSent, key) is not None
