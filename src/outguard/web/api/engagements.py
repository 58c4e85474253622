"""`/api/v1/engagements`: engagements, the compliance matrix, enrolment, sub-contractors.

And the gate: "may I access this engagement's data now?".
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from outguard.engagements.gate import GateResult
from outguard.engagements.schemas import (
    AccessRead,
    AgentEnrol,
    CheckRead,
    EngagementCreate,
    EngagementPatch,
    EngagementRead,
    Offboard,
    StateChange,
    SubcontractorDecide,
    SubcontractorPropose,
)
from outguard.engagements.service import engagements, gate, roster
from outguard.shares.ending import end_engagement
from outguard.web.deps import ApiActor, DataDeps, DbSession, Deps

router = APIRouter(prefix="/engagements", tags=["engagements"])


class AgentStatusRead(BaseModel):
    user_id: uuid.UUID
    display_name: str
    employer: str
    site: str | None
    offboarded: bool
    colour: str
    checks: list[CheckRead]


class EnrolmentRead(BaseModel):
    engagement_id: uuid.UUID
    user_id: uuid.UUID
    role_title: str
    offboarded: bool


class ApprovalRead(BaseModel):
    id: uuid.UUID
    sub_org_id: uuid.UUID
    state: str
    scope: str


class HistoryRead(BaseModel):
    seq: int
    at: datetime
    actor: str
    tag: str
    details: dict[str, Any]


def _checks(result: GateResult) -> list[CheckRead]:
    return [
        CheckRead(
            code=c.code,
            control=c.control,
            label=c.label,
            status=c.status.value,
            detail=c.detail,
            fix=c.fix,
            due=c.due,
            who_fixes=c.who_fixes,
        )
        for c in result.checks
    ]


@router.get("", response_model=list[EngagementRead])
def list_engagements(session: DbSession, actor: ApiActor) -> list[EngagementRead]:
    return [
        EngagementRead.model_validate(e)
        for e in engagements.list_engagements(session, actor)
    ]


@router.post("", response_model=EngagementRead, status_code=status.HTTP_201_CREATED)
def create_engagement(
    data: EngagementCreate, session: DbSession, actor: ApiActor, deps: Deps
) -> EngagementRead:
    return EngagementRead.model_validate(
        engagements.create_engagement(session, actor, data, clock=deps.clock)
    )


@router.get("/{engagement_id}", response_model=EngagementRead)
def read_engagement(
    engagement_id: uuid.UUID, session: DbSession, actor: ApiActor
) -> EngagementRead:
    return EngagementRead.model_validate(
        engagements.get_engagement(session, actor, engagement_id)
    )


@router.patch("/{engagement_id}", response_model=EngagementRead)
def amend_engagement(
    engagement_id: uuid.UUID,
    data: EngagementPatch,
    session: DbSession,
    actor: ApiActor,
    deps: Deps,
) -> EngagementRead:
    """Change some of the terms (not the vendor), with a reason kept in the audit log."""
    return EngagementRead.model_validate(
        engagements.amend_engagement(
            session, actor, engagement_id, data, clock=deps.clock
        )
    )


@router.get("/{engagement_id}/history", response_model=list[HistoryRead])
def engagement_history(
    engagement_id: uuid.UUID, session: DbSession, actor: ApiActor
) -> list[HistoryRead]:
    """Creation, term and state changes, newest first (the audit events themselves)."""
    return [
        HistoryRead(
            seq=e.seq, at=e.at, actor=e.actor_display, tag=e.tag, details=e.details
        )
        for e in engagements.history(session, actor, engagement_id)
    ]


@router.post("/{engagement_id}/state", response_model=EngagementRead)
def change_state(
    engagement_id: uuid.UUID,
    data: StateChange,
    session: DbSession,
    actor: ApiActor,
    deps: Deps,
    data_deps: DataDeps,
) -> EngagementRead:
    """Activate, suspend, resume or end. Ending destroys every copy made under it first."""
    if data.action == "end":
        return EngagementRead.model_validate(
            end_engagement(
                session, actor, engagement_id, reason=data.reason, deps=data_deps
            )
        )
    return EngagementRead.model_validate(
        engagements.change_state(session, actor, engagement_id, data, clock=deps.clock)
    )


@router.get("/{engagement_id}/matrix", response_model=list[AgentStatusRead])
def compliance_matrix(
    engagement_id: uuid.UUID, session: DbSession, actor: ApiActor, deps: Deps
) -> list[AgentStatusRead]:
    """Every enrolled agent against every precondition (green / amber / red)."""
    return [
        AgentStatusRead(
            user_id=r.user.id,
            display_name=r.user.display_name,
            employer=r.employer,
            site=r.site,
            offboarded=r.enrolment.offboarded_at is not None,
            colour=r.result.colour,
            checks=_checks(r.result),
        )
        for r in gate.matrix(session, actor, engagement_id, clock=deps.clock)
    ]


@router.get(
    "/{engagement_id}/access",
    response_model=AccessRead,
    responses={403: {"model": AccessRead, "description": "Denied, with every reason"}},
)
def access(
    engagement_id: uuid.UUID, session: DbSession, actor: ApiActor, deps: Deps
) -> JSONResponse:
    """The gate for the caller, now, from this address. A denial is recorded in the audit log."""
    result = gate.enforce(session, actor, engagement_id, clock=deps.clock)
    body = AccessRead(
        engagement_id=engagement_id,
        user_id=actor.user_id or uuid.UUID(int=0),
        allowed=result.allowed,
        colour=result.colour,
        checks=_checks(result),
    )
    # Returned, not raised: the `access:denied` event must commit with the refusal.
    return JSONResponse(
        body.model_dump(mode="json"), status_code=200 if result.allowed else 403
    )


@router.post(
    "/{engagement_id}/agents",
    response_model=EnrolmentRead,
    status_code=status.HTTP_201_CREATED,
)
def enrol_agent(
    engagement_id: uuid.UUID,
    data: AgentEnrol,
    session: DbSession,
    actor: ApiActor,
    deps: Deps,
) -> EnrolmentRead:
    e = roster.enrol_agent(session, actor, engagement_id, data, clock=deps.clock)
    return EnrolmentRead(
        engagement_id=e.engagement_id,
        user_id=e.user_id,
        role_title=e.role_title,
        offboarded=False,
    )


@router.post("/{engagement_id}/agents/{user_id}/offboard", response_model=EnrolmentRead)
def offboard_agent(
    engagement_id: uuid.UUID,
    user_id: uuid.UUID,
    data: Offboard,
    session: DbSession,
    actor: ApiActor,
    deps: Deps,
) -> EnrolmentRead:
    e = roster.offboard_agent(
        session, actor, engagement_id, user_id, data, clock=deps.clock
    )
    return EnrolmentRead(
        engagement_id=e.engagement_id,
        user_id=e.user_id,
        role_title=e.role_title,
        offboarded=True,
    )


@router.post(
    "/{engagement_id}/subcontractors",
    response_model=ApprovalRead,
    status_code=status.HTTP_201_CREATED,
)
def propose_subcontractor(
    engagement_id: uuid.UUID,
    data: SubcontractorPropose,
    session: DbSession,
    actor: ApiActor,
    deps: Deps,
) -> ApprovalRead:
    a = roster.propose_subcontractor(
        session, actor, engagement_id, data, clock=deps.clock
    )
    return ApprovalRead(id=a.id, sub_org_id=a.sub_org_id, state=a.state, scope=a.scope)


@router.post(
    "/{engagement_id}/subcontractors/{approval_id}/decision",
    response_model=ApprovalRead,
)
def decide_subcontractor(
    engagement_id: uuid.UUID,
    approval_id: uuid.UUID,
    data: SubcontractorDecide,
    session: DbSession,
    actor: ApiActor,
    deps: Deps,
) -> ApprovalRead:
    a = roster.decide_subcontractor(
        session, actor, engagement_id, approval_id, data, clock=deps.clock
    )
    return ApprovalRead(id=a.id, sub_org_id=a.sub_org_id, state=a.state, scope=a.scope)
