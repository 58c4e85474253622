"""Engagement pages: the list, a new engagement, and one engagement's page.

The page shows the compliance matrix, agents, sub-contractors, network exceptions, and the
actions each party may take.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from pydantic import ValidationError
from starlette.responses import Response

from outguard.accounts.service import orgs
from outguard.db import Session
from outguard.engagements.gate import Status
from outguard.engagements.models import AgreementKind, EngagementState
from outguard.engagements.policy import Party
from outguard.engagements.schemas import (
    AgentEnrol,
    ExceptionGrant,
    Offboard,
    ScreeningAttest,
    StateChange,
    SubcontractorDecide,
    SubcontractorPropose,
)
from outguard.engagements.service import agreements, engagements, gate, roster
from outguard.errors import OutguardError, PermissionDeniedError
from outguard.security.permissions import Permission, permissions_for
from outguard.shares.ending import end_engagement
from outguard.types import Actor, OrgKind
from outguard.web.deps import CurrentSession, DataDeps, DbSession, Deps, PageActor
from outguard.web.rendering import redirect, render
from outguard.web.ui.forms import domain_form_error, field_errors, form_error

router = APIRouter()

# Matrix columns: check kind -> heading (several checks of a kind show their worst status).
MATRIX_COLUMNS = (
    ("enrolment", "Enrolled"),
    ("employer", "Employer"),
    ("mfa", "MFA"),
    ("agreement", "Agreements"),
    ("training", "Training"),
    ("screening", "Screening"),
    ("workstation", "Workstation"),
    ("network", "Network"),
)
_RANK = {Status.OK: 0, Status.DUE: 1, Status.MISSING: 2}


def _worst(checks: list[Any]) -> Any:
    return max(checks, key=lambda c: _RANK[c.status]) if checks else None


def _matrix_rows(rows: list[gate.AgentRow]) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        cells = []
        for kind, _ in MATRIX_COLUMNS:
            checks = [c for c in row.result.checks if c.kind == kind]
            worst = _worst(checks)
            cells.append(
                {
                    "status": worst.status.value if worst else "ok",
                    "title": "; ".join(f"{c.label}: {c.detail}" for c in checks),
                }
            )
        out.append({"row": row, "cells": cells})
    return out


def _list_context(session: Session, actor: Actor) -> dict[str, Any]:
    items = engagements.list_engagements(session, actor)
    names = {o.id: o.name for o in orgs.list_orgs(session, actor)}
    return {"active": "engagements", "engagements": items, "org_names": names}


@router.get("/engagements")
def list_page(
    request: Request, session: DbSession, auth: CurrentSession, actor: PageActor
) -> Response:
    _ = auth
    return render(request, "engagements.html", _list_context(session, actor))


def _shown(field: str, value: object) -> str:
    if not isinstance(value, list):
        return str(value)
    if not value:
        return "none"
    if field == "data_categories":
        return ", ".join(str(v).replace("_", " ").lower() for v in value)
    if field == "work_days":
        return ", ".join(_WEEKDAYS[int(v)] for v in value if str(v).isdigit())
    return ", ".join(str(v).replace("_", " ") for v in value)


_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _who(display: str) -> str:
    """The person's name; the audit log's display also carries their id."""
    return display.split(" <", 1)[0]


def _history(events: list[Any]) -> list[dict[str, Any]]:
    """Audit events of the engagement as lines a person reads: who, when, what, why."""
    out = []
    for event in events:
        details = event.details
        if event.tag == "engagement:created":
            what = "Created as a draft"
        elif event.tag == "engagement:state_changed":
            what = f"State: {details.get('from')} → {details.get('to')}"
        else:
            what = "Terms changed"
        changes = [
            {
                "field": field,
                "was": _shown(field, details[f"{field}_was"]),
                "now": _shown(field, details[f"{field}_now"]),
            }
            if f"{field}_was" in details
            else {"field": field, "was": None, "now": None}
            for field in details.get("changed", [])
        ]
        out.append(
            {
                "seq": event.seq,
                "at": event.at,
                "who": _who(event.actor_display),
                "what": what,
                "changes": changes,
                "reason": details.get("reason"),
            }
        )
    return out


def _detail_context(
    session: Session, actor: Actor, engagement_id: uuid.UUID, *, deps: Any
) -> dict[str, Any]:
    engagement = engagements.get_engagement(session, actor, engagement_id)
    where = roster.standing_of(session, actor, engagement.id)
    party = where.party(actor, engagement)
    perms = permissions_for(actor.roles)
    try:
        rows = gate.matrix(session, actor, engagement.id, clock=deps.clock)
    except PermissionDeniedError:
        rows = None
    repo_approvals = roster.approvals_view(session, actor, engagement.id)
    manage_roster = Permission.ROSTER_MANAGE in perms and party in {
        Party.VENDOR,
        Party.SUBCONTRACTOR,
    }
    visible_orgs = {o.id: o for o in orgs.list_orgs(session, actor)}
    proposed = {a.approval.sub_org_id for a in repo_approvals}
    subs_to_propose = [
        o
        for o in visible_orgs.values()
        if o.kind == OrgKind.SUBCONTRACTOR
        and o.parent_id == engagement.vendor_org_id
        and o.id not in proposed
    ]
    due = sorted(
        (
            (c.due, r.user.display_name, c)
            for r in rows or []
            for c in r.result.due
            if c.due is not None
        ),
        key=lambda t: t[0],
    )
    site_orgs = [
        engagement.vendor_org_id,
        *gate.approved_sub_ids(session, engagement.id),
    ]
    names = engagements.party_names(session, actor, engagement.id)
    vendor_templates = [
        t
        for t in agreements.current_templates(session, actor)
        if t.client_org_id == engagement.client_org_id
        and AgreementKind(t.kind).is_vendor_level
    ]
    return {
        "active": "engagements",
        "e": engagement,
        "party": party.value if party else None,
        "vendor_name": names["vendor"],
        "client_name": names["client"],
        "rows": _matrix_rows(rows) if rows is not None else None,
        "columns": MATRIX_COLUMNS,
        "engagement_checks": [
            c
            for c in (rows[0].result.checks if rows else [])
            if c.kind in {"engagement", "dates", "vendor_agreement"}
        ],
        "due": due[:20],
        "actions": engagements.allowed_actions(engagement)
        if party is Party.CLIENT and Permission.ENGAGEMENTS_MANAGE in perms
        else [],
        "can_manage": party is Party.CLIENT and Permission.ENGAGEMENTS_MANAGE in perms,
        "can_approve": party is Party.CLIENT
        and Permission.SUBCONTRACTORS_APPROVE in perms,
        "manage_roster": manage_roster,
        "is_vendor_admin": party is Party.VENDOR and Permission.ROSTER_MANAGE in perms,
        "people_to_enrol": roster.enrollable_people(session, actor, engagement.id)
        if manage_roster
        else [],
        "sites": roster.list_sites(session, actor, site_orgs) if manage_roster else [],
        "approvals": repo_approvals,
        "subs_to_propose": subs_to_propose if party is Party.VENDOR else [],
        "exceptions": roster.exceptions_view(session, actor, engagement.id)
        if party is Party.CLIENT and Permission.ENGAGEMENTS_MANAGE in perms
        else [],
        "vendor_templates": vendor_templates,
        "enrolled_here": any(r.user.id == actor.user_id for r in rows or [])
        or where.enrolled,
        "is_ended": engagement.engagement_state is EngagementState.ENDED,
        "may_edit": engagements.may_edit(actor, engagement),
        "history": _history(engagements.history(session, actor, engagement.id)),
        "form": {},
    }


@router.get("/engagements/{engagement_id}")
def detail(
    request: Request,
    engagement_id: uuid.UUID,
    session: DbSession,
    auth: CurrentSession,
    actor: PageActor,
    deps: Deps,
) -> Response:
    _ = auth
    return render(
        request,
        "engagement_detail.html",
        _detail_context(session, actor, engagement_id, deps=deps),
    )


def _act(
    request: Request,
    session: Session,
    actor: Actor,
    engagement_id: uuid.UUID,
    deps: Any,
    build: Any,
    run: Any,
    *,
    flash: str,
) -> Response:
    """Validate a form into a schema, run the use case, redirect; re-render on any error."""
    try:
        data = build()
    except ValidationError as exc:
        context = _detail_context(session, actor, engagement_id, deps=deps)
        raise form_error(
            request, "engagement_detail.html", context, errors=field_errors(exc)
        ) from exc
    try:
        run(data)
    except OutguardError as exc:
        context = _detail_context(session, actor, engagement_id, deps=deps)
        raise domain_form_error(
            request, "engagement_detail.html", context, exc
        ) from exc
    return redirect(request, f"/engagements/{engagement_id}", flash=flash)


@router.post("/engagements/{engagement_id}/state")
def change_state(
    request: Request,
    engagement_id: uuid.UUID,
    session: DbSession,
    auth: CurrentSession,
    actor: PageActor,
    deps: Deps,
    data_deps: DataDeps,
    action: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    _ = auth

    def apply(d: StateChange) -> object:
        if d.action == "end":  # every copy made under it is destroyed first
            return end_engagement(
                session, actor, engagement_id, reason=d.reason, deps=data_deps
            )
        return engagements.change_state(
            session, actor, engagement_id, d, clock=deps.clock
        )

    return _act(
        request,
        session,
        actor,
        engagement_id,
        deps,
        lambda: StateChange(action=action, reason=reason),
        apply,
        flash="engagement_state_changed",
    )


@router.post("/engagements/{engagement_id}/agents")
def enrol(
    request: Request,
    engagement_id: uuid.UUID,
    session: DbSession,
    auth: CurrentSession,
    actor: PageActor,
    deps: Deps,
    user_id: Annotated[str, Form()] = "",
    role_title: Annotated[str, Form()] = "",
    site_id: Annotated[str, Form()] = "",
    starts_on: Annotated[str, Form()] = "",
    ends_on: Annotated[str, Form()] = "",
) -> Response:
    _ = auth
    return _act(
        request,
        session,
        actor,
        engagement_id,
        deps,
        lambda: AgentEnrol.model_validate(
            {
                "user_id": user_id or None,
                "role_title": role_title,
                "site_id": site_id or None,
                "starts_on": starts_on or None,
                "ends_on": ends_on or None,
            }
        ),
        lambda d: roster.enrol_agent(
            session, actor, engagement_id, d, clock=deps.clock
        ),
        flash="agent_enrolled",
    )


@router.post("/engagements/{engagement_id}/agents/{user_id}/offboard")
def offboard(
    request: Request,
    engagement_id: uuid.UUID,
    user_id: uuid.UUID,
    session: DbSession,
    auth: CurrentSession,
    actor: PageActor,
    deps: Deps,
    reason: Annotated[str, Form()] = "",
) -> Response:
    _ = auth
    return _act(
        request,
        session,
        actor,
        engagement_id,
        deps,
        lambda: Offboard(reason=reason),
        lambda d: roster.offboard_agent(
            session, actor, engagement_id, user_id, d, clock=deps.clock
        ),
        flash="agent_offboarded",
    )


@router.post("/engagements/{engagement_id}/agents/{user_id}/screening")
async def screening(
    request: Request,
    engagement_id: uuid.UUID,
    user_id: uuid.UUID,
    session: DbSession,
    auth: CurrentSession,
    actor: PageActor,
    deps: Deps,
) -> Response:
    _ = auth
    raw = await request.form()
    return _act(
        request,
        session,
        actor,
        engagement_id,
        deps,
        lambda: ScreeningAttest.model_validate(
            {
                "checks": raw.getlist("checks"),
                "performed_on": raw.get("performed_on") or None,
            }
        ),
        lambda d: roster.attest_screening(
            session, actor, engagement_id, user_id, d, clock=deps.clock
        ),
        flash="screening_attested",
    )


@router.post("/engagements/{engagement_id}/subcontractors")
def propose(
    request: Request,
    engagement_id: uuid.UUID,
    session: DbSession,
    auth: CurrentSession,
    actor: PageActor,
    deps: Deps,
    sub_org_id: Annotated[str, Form()] = "",
    scope: Annotated[str, Form()] = "",
) -> Response:
    _ = auth
    return _act(
        request,
        session,
        actor,
        engagement_id,
        deps,
        lambda: SubcontractorPropose.model_validate(
            {"sub_org_id": sub_org_id or None, "scope": scope}
        ),
        lambda d: roster.propose_subcontractor(
            session, actor, engagement_id, d, clock=deps.clock
        ),
        flash="subcontractor_proposed",
    )


@router.post("/engagements/{engagement_id}/subcontractors/{approval_id}")
def decide(
    request: Request,
    engagement_id: uuid.UUID,
    approval_id: uuid.UUID,
    session: DbSession,
    auth: CurrentSession,
    actor: PageActor,
    deps: Deps,
    decision: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    _ = auth
    return _act(
        request,
        session,
        actor,
        engagement_id,
        deps,
        lambda: SubcontractorDecide.model_validate(
            {"decision": decision, "note": note}
        ),
        lambda d: roster.decide_subcontractor(
            session, actor, engagement_id, approval_id, d, clock=deps.clock
        ),
        flash="subcontractor_decided",
    )


@router.post("/engagements/{engagement_id}/exceptions")
def grant_exception(
    request: Request,
    engagement_id: uuid.UUID,
    session: DbSession,
    auth: CurrentSession,
    actor: PageActor,
    deps: Deps,
    user_id: Annotated[str, Form()] = "",
    cidr: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    days: Annotated[str, Form()] = "",
) -> Response:
    _ = auth
    return _act(
        request,
        session,
        actor,
        engagement_id,
        deps,
        lambda: ExceptionGrant.model_validate(
            {
                "user_id": user_id or None,
                "cidr": cidr,
                "reason": reason,
                "days": days or None,
            }
        ),
        lambda d: roster.grant_exception(
            session, actor, engagement_id, d, clock=deps.clock
        ),
        flash="exception_granted",
    )


@router.post("/engagements/{engagement_id}/exceptions/{exception_id}/revoke")
def revoke_exception(
    request: Request,
    engagement_id: uuid.UUID,
    exception_id: uuid.UUID,
    session: DbSession,
    auth: CurrentSession,
    actor: PageActor,
    deps: Deps,
) -> Response:
    _ = auth
    return _act(
        request,
        session,
        actor,
        engagement_id,
        deps,
        lambda: exception_id,
        lambda d: roster.revoke_exception(
            session, actor, engagement_id, d, clock=deps.clock
        ),
        flash="exception_revoked",
    )
