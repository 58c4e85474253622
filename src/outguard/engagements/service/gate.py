"""The gate as a use case: load the facts, evaluate, record denials and flags.

`enforce` is what every data-access service calls on every request. It returns the result
instead of raising, so the `access:denied` event commits with the request that was refused;
the delivery layer then shows the refusal (the checklist page, or a 403 with the reasons).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from outguard.accounts.models import User
from outguard.accounts.service import orgs, users
from outguard.audit.service import record
from outguard.audit.tags import AuditTag
from outguard.db import Session
from outguard.engagements.gate import (
    AttestationFact,
    EngagementFact,
    EnrolmentFact,
    GateFacts,
    GateResult,
    ModuleFact,
    Status,
    TemplateFact,
    evaluate,
)
from outguard.engagements.models import (
    ApprovalState,
    Attestation,
    AttestationKind,
    Engagement,
    EngagementAgent,
)
from outguard.engagements.policy import Party, can_read_matrix
from outguard.engagements.repository import EngagementRepository
from outguard.engagements.service.common import org_name, require, visible
from outguard.engagements.service.engagements import list_engagements
from outguard.errors import NotFoundError
from outguard.types import Actor, Clock


def _attestation(row: Attestation | None) -> AttestationFact | None:
    if row is None:
        return None
    failed = tuple(k for k, v in sorted(row.checks.items()) if v is False)
    return AttestationFact(
        passed=row.passed,
        attested_at=row.attested_at,
        expires_at=row.expires_at,
        method=row.method,
        failed_checks=failed,
    )


def facts_for(
    session: Session, engagement: Engagement, user: User, *, now: datetime
) -> GateFacts:
    repo = EngagementRepository(session)
    enrolment = repo.enrolment(engagement.id, user.id)
    employer = orgs.org_unscoped(session, user.org_id)
    approval = repo.approval(engagement.id, user.org_id)
    site = repo.site(enrolment.site_id) if enrolment and enrolment.site_id else None
    sites = [site] if site is not None else repo.sites([user.org_id])
    modules = repo.modules(engagement.client_org_id)
    passed = repo.passed_until(user.id, [m.id for m in modules])
    exceptions = tuple(
        x.cidr
        for x in repo.exceptions(engagement.id)
        if x.revoked_at is None
        and x.expires_at > now
        and (x.user_id is None or x.user_id == user.id)
    )
    return GateFacts(
        engagement=EngagementFact(
            name=engagement.name,
            state=engagement.state,
            starts_on=engagement.starts_on,
            ends_on=engagement.ends_on,
            timezone=engagement.timezone,
            work_days=tuple(engagement.work_days),
            work_start=engagement.work_start,
            work_end=engagement.work_end,
            off_hours=engagement.off_hours,
            workstation_valid_days=engagement.workstation_valid_days,
            vendor_name=org_name(session, engagement.vendor_org_id),
        ),
        enrolment=(
            EnrolmentFact(
                starts_on=enrolment.starts_on,
                ends_on=enrolment.ends_on,
                offboarded_at=enrolment.offboarded_at,
                site_name=site.name if site else None,
            )
            if enrolment
            else None
        ),
        user_active=user.is_active,
        has_mfa=user.has_mfa,
        employer_name=employer.name if employer else "unknown",
        employer_is_vendor=user.org_id == engagement.vendor_org_id,
        employer_approval=approval.state if approval is not None else None,
        templates=tuple(
            TemplateFact(t.kind, t.version, t.title, t.resign_by)
            for t in repo.templates(engagement.client_org_id)
        ),
        vendor_signed=repo.signed_versions(
            engagement.client_org_id, engagement_id=engagement.id
        ),
        agent_signed=repo.signed_versions(engagement.client_org_id, user_id=user.id),
        modules=tuple(
            ModuleFact(str(m.id), m.title, passed.get(m.id), m.retake_after)
            for m in modules
        ),
        screening=_attestation(
            repo.latest_attestation(user.id, AttestationKind.SCREENING)
        ),
        workstation=_attestation(
            repo.latest_attestation(user.id, AttestationKind.WORKSTATION)
        ),
        networks=tuple(n for s in sites for n in s.networks),
        exceptions=exceptions,
    )


def enforce(
    session: Session, actor: Actor, engagement_id: uuid.UUID, *, clock: Clock
) -> GateResult:
    """May the signed-in agent reach this engagement's data now? Denials are audited.

    Client people are not agents: they hold the data, and their own permissions decide.
    """
    engagement, where = visible(session, actor, engagement_id)
    if where.party(actor, engagement) is Party.CLIENT:
        return GateResult(())
    user = users.user_unscoped(session, actor.user_id) if actor.user_id else None
    if user is None:
        raise NotFoundError("Engagement not found.")
    now = clock.now()
    result = evaluate(
        facts_for(session, engagement, user, now=now), now=now, ip=actor.context.ip
    )
    if not result.allowed:
        record(
            session,
            actor,
            AuditTag.ACCESS_DENIED,
            clock=clock,
            subject_type="engagement",
            subject_id=engagement.id,
            org_id=engagement.client_org_id,
            details={"reasons": result.reasons()},
        )
    else:
        flagged = [c.code for c in result.due if c.kind in {"hours", "network"}]
        if flagged:
            record(
                session,
                actor,
                AuditTag.ACCESS_FLAGGED,
                clock=clock,
                subject_type="engagement",
                subject_id=engagement.id,
                org_id=engagement.client_org_id,
                details={"flags": flagged},
            )
    return result


@dataclass(frozen=True)
class AgentRow:
    enrolment: EngagementAgent
    user: User
    employer: str
    site: str | None
    result: GateResult


def matrix(
    session: Session, actor: Actor, engagement_id: uuid.UUID, *, clock: Clock
) -> list[AgentRow]:
    """Per enrolled agent, every precondition's status (no live request: network registered)."""
    engagement, where = visible(session, actor, engagement_id)
    require(can_read_matrix(actor, engagement, where))
    party = where.party(actor, engagement)
    repo = EngagementRepository(session)
    now = clock.now()
    rows = []
    for enrolment in repo.agents(engagement.id):
        if party is Party.SUBCONTRACTOR and enrolment.org_id != actor.org_id:
            continue
        user = users.user_unscoped(session, enrolment.user_id)
        if user is None:
            continue
        site = repo.site(enrolment.site_id) if enrolment.site_id else None
        rows.append(
            AgentRow(
                enrolment=enrolment,
                user=user,
                employer=org_name(session, enrolment.org_id),
                site=site.name if site else None,
                result=evaluate(
                    facts_for(session, engagement, user, now=now),
                    now=now,
                    request=False,
                ),
            )
        )
    return rows


def agent_status(
    session: Session,
    actor: Actor,
    engagement_id: uuid.UUID,
    user_id: uuid.UUID,
    *,
    clock: Clock,
    ip: str | None = None,
) -> GateResult:
    """One agent's checks, for the client or vendor (what-if for an address), or oneself."""
    engagement, where = visible(session, actor, engagement_id)
    if actor.user_id != user_id:
        require(can_read_matrix(actor, engagement, where))
    user = users.user_unscoped(session, user_id)
    if (
        user is None
        or EngagementRepository(session).enrolment(engagement.id, user_id) is None
    ):
        raise NotFoundError("That agent is not enrolled.")
    now = clock.now()
    return evaluate(
        facts_for(session, engagement, user, now=now),
        now=now,
        ip=ip,
        request=ip is not None,
    )


def checklist(
    session: Session, actor: Actor, *, clock: Clock
) -> list[tuple[Engagement, GateResult]]:
    """For the signed-in agent: every engagement they are enrolled in, and what is missing."""
    if actor.user_id is None:
        return []
    user = users.user_unscoped(session, actor.user_id)
    if user is None:
        return []
    repo = EngagementRepository(session)
    now = clock.now()
    out = []
    for engagement in list_engagements(session, actor):
        if repo.enrolment(engagement.id, user.id) is None:
            continue
        facts = facts_for(session, engagement, user, now=now)
        out.append((engagement, evaluate(facts, now=now, ip=actor.context.ip)))
    return out


def summary(result: GateResult) -> dict[str, int]:
    return {
        status.value: sum(1 for c in result.checks if c.status is status)
        for status in Status
    }


def approved_sub_ids(session: Session, engagement_id: uuid.UUID) -> set[uuid.UUID]:
    return {
        a.sub_org_id
        for a in EngagementRepository(session).approvals(engagement_id)
        if a.state == ApprovalState.APPROVED
    }
