"""The people side of an engagement.

The vendor's side: sites and office networks, agents enrolled and offboarded, screening
attestations, sub-contractor proposals. The client's side: decisions on sub-contractors and
network exceptions.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from outguard.accounts.models import User
from outguard.accounts.policy import has_permission
from outguard.accounts.service import orgs, users
from outguard.audit.service import record
from outguard.audit.tags import AuditTag
from outguard.db import Session
from outguard.engagements.models import (
    ApprovalState,
    Attestation,
    AttestationKind,
    AttestationMethod,
    Engagement,
    EngagementAgent,
    EngagementState,
    NetworkException,
    Site,
    SubcontractorApproval,
)
from outguard.engagements.policy import (
    Standing,
    can_approve_subcontractor,
    can_manage,
    can_manage_roster,
    can_propose_subcontractor,
)
from outguard.engagements.repository import EngagementRepository
from outguard.engagements.schemas import (
    AgentEnrol,
    ExceptionGrant,
    Offboard,
    ScreeningAttest,
    SiteCreate,
    SubcontractorDecide,
    SubcontractorPropose,
)
from outguard.engagements.service.common import org_name, require, visible
from outguard.errors import AlreadyExistsError, ConflictError, NotFoundError
from outguard.security.decisions import Allow, Deny
from outguard.security.permissions import Permission
from outguard.types import Actor, Clock, OrgKind, Role

_DECISIONS: dict[ApprovalState, frozenset[ApprovalState]] = {
    ApprovalState.APPROVED: frozenset(
        {ApprovalState.PROPOSED, ApprovalState.REJECTED, ApprovalState.REVOKED}
    ),
    ApprovalState.REJECTED: frozenset({ApprovalState.PROPOSED}),
    ApprovalState.REVOKED: frozenset({ApprovalState.APPROVED}),
}


def _audit(
    session: Session,
    actor: Actor,
    tag: AuditTag,
    engagement: Engagement | None,
    *,
    clock: Clock,
    subject_type: str,
    subject_id: uuid.UUID,
    details: dict[str, object],
) -> None:
    record(
        session,
        actor,
        tag,
        clock=clock,
        subject_type=subject_type,
        subject_id=subject_id,
        org_id=engagement.client_org_id if engagement is not None else None,
        details={
            **({"engagement_id": str(engagement.id)} if engagement else {}),
            **details,
        },
    )


# ---------------------------------------------------------------- sites and networks
def _manages_org(actor: Actor, org_id: uuid.UUID, session: Session) -> bool:
    if actor.is_system or actor.org_id == org_id:
        return True
    org = orgs.org_unscoped(session, org_id)
    return (
        org is not None
        and org.kind == OrgKind.SUBCONTRACTOR
        and org.parent_id == actor.org_id
    )


def register_site(
    session: Session, actor: Actor, data: SiteCreate, *, clock: Clock
) -> Site:
    """A vendor (or its sub-contractor) registers a delivery site and its office networks."""
    allowed = has_permission(actor, Permission.ROSTER_MANAGE)
    require(allowed)
    if not _manages_org(actor, data.org_id, session):
        raise NotFoundError("Organisation not found.")
    org = orgs.org_unscoped(session, data.org_id)
    if org is None or org.kind == OrgKind.CLIENT:
        raise NotFoundError("Organisation not found.")
    repo = EngagementRepository(session)
    now = clock.now()
    site = next((s for s in repo.sites([data.org_id]) if s.name == data.name), None)
    if site is None:
        site = repo.add(
            Site(
                org_id=data.org_id,
                name=data.name,
                country=data.country,
                networks=list(data.networks),
                created_at=now,
                updated_at=now,
            )
        )
    else:
        site.country = data.country
        site.networks = list(data.networks)
        site.updated_at = now
    _audit(
        session,
        actor,
        AuditTag.SITE_REGISTERED,
        None,
        clock=clock,
        subject_type="site",
        subject_id=site.id,
        details={
            "name": site.name,
            "country": site.country,
            "ranges": len(site.networks),
        },
    )
    return site


def list_sites(session: Session, actor: Actor, org_ids: list[uuid.UUID]) -> list[Site]:
    visible_ids = [o for o in org_ids if _manages_org(actor, o, session)]
    return EngagementRepository(session).sites(visible_ids)


# ---------------------------------------------------------------- agents
def _check_employer(
    session: Session,
    actor: Actor,
    engagement: Engagement,
    where: Standing,
    employer_id: uuid.UUID,
) -> None:
    """SC-01: the employer is the vendor or an approved sub-contractor, else no enrolment."""
    if employer_id == engagement.vendor_org_id or employer_id in where.approved_subs:
        require(can_manage_roster(actor, engagement, employer_id, where))
        return
    org = orgs.org_unscoped(session, employer_id)
    if org is not None and org.parent_id == engagement.vendor_org_id:
        raise ConflictError(
            f"{org.name} is not an approved sub-contractor on this engagement: "
            "the client owner must approve it before its people can be enrolled."
        )
    raise NotFoundError("Person not found.")


def enrol_agent(
    session: Session,
    actor: Actor,
    engagement_id: uuid.UUID,
    data: AgentEnrol,
    *,
    clock: Clock,
) -> EngagementAgent:
    """Enrol a named agent (PS-01). Their employer must be the vendor or an approved sub."""
    engagement, where = visible(session, actor, engagement_id)
    if engagement.engagement_state is EngagementState.ENDED:
        raise ConflictError("The engagement has ended.")
    user = users.user_unscoped(session, data.user_id)
    if user is None:
        raise NotFoundError("Person not found.")
    _check_employer(session, actor, engagement, where, user.org_id)
    if Role.AGENT.value not in user.roles:
        raise ConflictError("Only people with the agent role can be enrolled.")
    repo = EngagementRepository(session)
    if data.site_id is not None:
        site = repo.site(data.site_id)
        if site is None or site.org_id != user.org_id:
            raise NotFoundError("That site is not one of the agent's employer's sites.")
    existing = repo.enrolment(engagement.id, user.id)
    now = clock.now()
    if existing is not None and existing.offboarded_at is None:
        raise AlreadyExistsError("That agent is already enrolled.")
    if existing is not None:  # re-enrolment after offboarding: a fresh assignment
        existing.role_title = data.role_title
        existing.site_id = data.site_id
        existing.starts_on = data.starts_on
        existing.ends_on = data.ends_on
        existing.enrolled_by_id = actor.user_id
        existing.enrolled_at = now
        existing.offboarded_at = None
        existing.offboarded_by_id = None
        existing.offboard_reason = None
        enrolment = existing
    else:
        enrolment = repo.add(
            EngagementAgent(
                engagement_id=engagement.id,
                user_id=user.id,
                org_id=user.org_id,
                role_title=data.role_title,
                site_id=data.site_id,
                starts_on=data.starts_on,
                ends_on=data.ends_on,
                enrolled_by_id=actor.user_id,
                enrolled_at=now,
            )
        )
    _audit(
        session,
        actor,
        AuditTag.AGENT_ENROLLED,
        engagement,
        clock=clock,
        subject_type="user",
        subject_id=user.id,
        details={
            "employer_id": str(user.org_id),
            "site_id": str(data.site_id) if data.site_id else None,
            "starts_on": str(data.starts_on),
            "ends_on": str(data.ends_on) if data.ends_on else None,
        },
    )
    return enrolment


def offboard_agent(
    session: Session,
    actor: Actor,
    engagement_id: uuid.UUID,
    user_id: uuid.UUID,
    data: Offboard,
    *,
    clock: Clock,
) -> EngagementAgent:
    """Cut an agent's access at once (PS-06). The client may do it too."""
    engagement, where = visible(session, actor, engagement_id)
    repo = EngagementRepository(session)
    enrolment = repo.enrolment(engagement.id, user_id)
    if enrolment is None:
        raise NotFoundError("That agent is not enrolled.")
    client_may = can_manage(actor, engagement)
    if isinstance(client_may, Allow):
        decision: Allow | Deny = client_may
    else:
        decision = can_manage_roster(actor, engagement, enrolment.org_id, where)
    require(decision)
    if enrolment.offboarded_at is not None:
        raise ConflictError("That agent has already been offboarded.")
    enrolment.offboarded_at = clock.now()
    enrolment.offboarded_by_id = actor.user_id
    enrolment.offboard_reason = data.reason
    _audit(
        session,
        actor,
        AuditTag.AGENT_OFFBOARDED,
        engagement,
        clock=clock,
        subject_type="user",
        subject_id=user_id,
        details={"reason": data.reason},
    )
    return enrolment


def attest_screening(
    session: Session,
    actor: Actor,
    engagement_id: uuid.UUID,
    user_id: uuid.UUID,
    data: ScreeningAttest,
    *,
    clock: Clock,
) -> Attestation:
    """The vendor's administrator attests an enrolled agent's background screening (PS-03)."""
    engagement, where = visible(session, actor, engagement_id)
    enrolment = EngagementRepository(session).enrolment(engagement.id, user_id)
    if enrolment is None:
        raise NotFoundError("That agent is not enrolled.")
    require(can_manage_roster(actor, engagement, enrolment.org_id, where))
    now = clock.now()
    if data.performed_on > now.date():
        raise ConflictError("The screening date is in the future.")
    performed = datetime.combine(data.performed_on, datetime.min.time(), now.tzinfo)
    expires = performed + timedelta(days=data.valid_days)
    if expires <= now:
        raise ConflictError(
            "That screening is already out of date; attest a more recent one."
        )
    attestation = EngagementRepository(session).add(
        Attestation(
            kind=AttestationKind.SCREENING,
            user_id=user_id,
            attested_by_id=actor.user_id,
            method=AttestationMethod.VENDOR,
            checks=dict.fromkeys(data.checks, True)
            | {"performed_on": str(data.performed_on)},
            passed=True,
            attested_at=now,
            expires_at=expires,
        )
    )
    _audit(
        session,
        actor,
        AuditTag.SCREENING_ATTESTED,
        engagement,
        clock=clock,
        subject_type="user",
        subject_id=user_id,
        details={
            "checks": data.checks,
            "performed_on": str(data.performed_on),
            "valid_days": data.valid_days,
        },
    )
    return attestation


# ---------------------------------------------------------------- sub-contractors
def propose_subcontractor(
    session: Session,
    actor: Actor,
    engagement_id: uuid.UUID,
    data: SubcontractorPropose,
    *,
    clock: Clock,
) -> SubcontractorApproval:
    engagement, _ = visible(session, actor, engagement_id)
    sub = orgs.org_unscoped(session, data.sub_org_id)
    if sub is None or sub.kind != OrgKind.SUBCONTRACTOR:
        raise NotFoundError("Sub-contractor not found.")
    require(can_propose_subcontractor(actor, engagement, sub.parent_id))
    repo = EngagementRepository(session)
    existing = repo.approval(engagement.id, sub.id)
    now = clock.now()
    if existing is not None and existing.state in {
        ApprovalState.PROPOSED,
        ApprovalState.APPROVED,
    }:
        raise AlreadyExistsError(f"{sub.name} is already {existing.state}.")
    if existing is not None:  # proposed again after a rejection or revocation
        existing.state = ApprovalState.PROPOSED
        existing.scope = data.scope
        existing.proposed_by_id = actor.user_id
        existing.proposed_at = now
        existing.decided_by_id = None
        existing.decided_at = None
        existing.decision_note = None
        approval = existing
    else:
        approval = repo.add(
            SubcontractorApproval(
                engagement_id=engagement.id,
                sub_org_id=sub.id,
                scope=data.scope,
                state=ApprovalState.PROPOSED,
                proposed_by_id=actor.user_id,
                proposed_at=now,
            )
        )
    _audit(
        session,
        actor,
        AuditTag.SUBCONTRACTOR_PROPOSED,
        engagement,
        clock=clock,
        subject_type="organization",
        subject_id=sub.id,
        details={"scope": data.scope},
    )
    return approval


def decide_subcontractor(
    session: Session,
    actor: Actor,
    engagement_id: uuid.UUID,
    approval_id: uuid.UUID,
    data: SubcontractorDecide,
    *,
    clock: Clock,
) -> SubcontractorApproval:
    """The client owner approves, rejects or revokes (SC-01): who, when, why, recorded."""
    engagement, _ = visible(session, actor, engagement_id)
    require(can_approve_subcontractor(actor, engagement))
    repo = EngagementRepository(session)
    approval = repo.approval_by_id(approval_id)
    if approval is None or approval.engagement_id != engagement.id:
        raise NotFoundError("Sub-contractor proposal not found.")
    before = ApprovalState(approval.state)
    if before not in _DECISIONS[data.decision]:
        raise ConflictError(
            f"A sub-contractor that is {before} cannot be {data.decision}."
        )
    approval.state = data.decision
    approval.decided_by_id = actor.user_id
    approval.decided_at = clock.now()
    approval.decision_note = data.note
    _audit(
        session,
        actor,
        AuditTag.SUBCONTRACTOR_DECIDED,
        engagement,
        clock=clock,
        subject_type="organization",
        subject_id=approval.sub_org_id,
        details={
            "from": before.value,
            "decision": data.decision.value,
            "note": data.note,
        },
    )
    return approval


# ---------------------------------------------------------------- network exceptions
def grant_exception(
    session: Session,
    actor: Actor,
    engagement_id: uuid.UUID,
    data: ExceptionGrant,
    *,
    clock: Clock,
) -> NetworkException:
    """The client allows access from a range outside the office, for a few days at most."""
    engagement, _ = visible(session, actor, engagement_id)
    require(can_manage(actor, engagement))
    repo = EngagementRepository(session)
    if data.user_id is not None and repo.enrolment(engagement.id, data.user_id) is None:
        raise NotFoundError("That agent is not enrolled.")
    now = clock.now()
    exception = repo.add(
        NetworkException(
            engagement_id=engagement.id,
            user_id=data.user_id,
            cidr=data.cidr,
            reason=data.reason,
            granted_by_id=actor.user_id,
            granted_at=now,
            expires_at=now + timedelta(days=data.days),
        )
    )
    _audit(
        session,
        actor,
        AuditTag.NETWORK_EXCEPTION_GRANTED,
        engagement,
        clock=clock,
        subject_type="network_exception",
        subject_id=exception.id,
        details={
            "agent_id": str(data.user_id) if data.user_id else "all",
            "range": data.cidr,
            "days": data.days,
            "reason": data.reason,
        },
    )
    return exception


def revoke_exception(
    session: Session,
    actor: Actor,
    engagement_id: uuid.UUID,
    exception_id: uuid.UUID,
    *,
    clock: Clock,
) -> NetworkException:
    engagement, _ = visible(session, actor, engagement_id)
    require(can_manage(actor, engagement))
    exception = EngagementRepository(session).exception(exception_id)
    if exception is None or exception.engagement_id != engagement.id:
        raise NotFoundError("Exception not found.")
    if exception.revoked_at is not None:
        raise ConflictError("That exception has already been revoked.")
    exception.revoked_at = clock.now()
    _audit(
        session,
        actor,
        AuditTag.NETWORK_EXCEPTION_REVOKED,
        engagement,
        clock=clock,
        subject_type="network_exception",
        subject_id=exception.id,
        details={},
    )
    return exception


def standing_of(session: Session, actor: Actor, engagement_id: uuid.UUID) -> Standing:
    return visible(session, actor, engagement_id)[1]


def approvals_of(
    session: Session, engagement_id: uuid.UUID
) -> list[SubcontractorApproval]:
    """For callers that already checked visibility (`visible`)."""
    return EngagementRepository(session).approvals(engagement_id)


def exceptions_of(session: Session, engagement_id: uuid.UUID) -> list[NetworkException]:
    """For callers that already checked visibility (`visible`)."""
    return EngagementRepository(session).exceptions(engagement_id)


def enrollable_people(
    session: Session, actor: Actor, engagement_id: uuid.UUID
) -> list[User]:
    """Active agents who can be enrolled now (the vendor's and approved subs' people)."""
    engagement, where = visible(session, actor, engagement_id)
    repo = EngagementRepository(session)
    enrolled = {
        a.user_id for a in repo.agents(engagement.id) if a.offboarded_at is None
    }
    org_ids = [engagement.vendor_org_id, *sorted(where.approved_subs)]
    people: list[User] = []
    for org_id in org_ids:
        if isinstance(can_manage_roster(actor, engagement, org_id, where), Deny):
            continue
        people.extend(
            u
            for u in users.users_in_org_unscoped(session, org_id)
            if Role.AGENT.value in u.roles and u.is_active and u.id not in enrolled
        )
    return people


@dataclass(frozen=True)
class ExceptionView:
    exception: NetworkException
    who: str


def exceptions_view(
    session: Session, actor: Actor, engagement_id: uuid.UUID
) -> list[ExceptionView]:
    """The engagement's network exceptions, for the client who grants them."""
    engagement, _ = visible(session, actor, engagement_id)
    require(can_manage(actor, engagement))
    out = []
    for x in EngagementRepository(session).exceptions(engagement.id):
        person = users.user_unscoped(session, x.user_id) if x.user_id else None
        out.append(ExceptionView(x, person.display_name if person else "every agent"))
    return out


@dataclass(frozen=True)
class ApprovalView:
    approval: SubcontractorApproval
    name: str


def approvals_view(
    session: Session, actor: Actor, engagement_id: uuid.UUID
) -> list[ApprovalView]:
    engagement, _ = visible(session, actor, engagement_id)
    return [
        ApprovalView(a, org_name(session, a.sub_org_id))
        for a in EngagementRepository(session).approvals(engagement.id)
    ]
