"""People: the directory with disable / enable / reset-MFA, and inviting someone."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from pydantic import ValidationError
from starlette.responses import Response

from outguard.accounts.errors import EmailTakenError, RoleNotAllowedError
from outguard.accounts.schemas import InvitationCreate
from outguard.accounts.service import invitations, users
from outguard.accounts.service.invitations import InviteTarget
from outguard.db import Session
from outguard.errors import PermissionDeniedError
from outguard.types import Actor
from outguard.web.deps import CurrentSession, DbSession, Deps, PageActor
from outguard.web.rendering import redirect, render
from outguard.web.ui.forms import domain_form_error, field_errors, form_error

router = APIRouter()


@router.get("/users")
def directory(
    request: Request, session: DbSession, auth: CurrentSession, actor: PageActor
) -> Response:
    _ = auth
    entries = users.directory(session, actor)
    try:
        pending = [i for i in invitations.list_invitations(session, actor) if i.is_open]
    except PermissionDeniedError:
        pending = None
    org_names = {e.organization.id: e.organization.name for e in entries}
    return render(
        request,
        "users.html",
        {
            "active": "users",
            "entries": entries,
            "invitations": pending,
            "org_names": org_names,
        },
    )


@router.post("/users/{user_id}/disable")
def disable(
    request: Request,
    user_id: uuid.UUID,
    session: DbSession,
    actor: PageActor,
    deps: Deps,
) -> Response:
    users.disable_user(session, actor, user_id, deps=deps)
    return redirect(request, "/users", flash="user_disabled")


@router.post("/users/{user_id}/enable")
def enable(
    request: Request,
    user_id: uuid.UUID,
    session: DbSession,
    actor: PageActor,
    deps: Deps,
) -> Response:
    users.enable_user(session, actor, user_id, deps=deps)
    return redirect(request, "/users", flash="user_enabled")


@router.post("/users/{user_id}/reset-mfa")
def reset_mfa(
    request: Request,
    user_id: uuid.UUID,
    session: DbSession,
    actor: PageActor,
    deps: Deps,
) -> Response:
    users.reset_mfa(session, actor, user_id, deps=deps)
    return redirect(request, "/users", flash="mfa_reset")


@router.post("/invitations/{invitation_id}/revoke")
def revoke_invitation(
    request: Request,
    invitation_id: uuid.UUID,
    session: DbSession,
    actor: PageActor,
    deps: Deps,
) -> Response:
    invitations.revoke_invitation(session, actor, invitation_id, deps=deps)
    return redirect(request, "/users", flash="invitation_revoked")


def _pick(targets: list[InviteTarget], org_id: str) -> InviteTarget | None:
    if len(targets) == 1:
        return targets[0]
    return next((t for t in targets if str(t.organization.id) == org_id), None)


def _invite_context(
    session: Session, actor: Actor, org_id: str, form: dict[str, Any]
) -> dict[str, Any]:
    targets = invitations.invite_targets(session, actor)
    return {
        "active": "invite",
        "targets": targets,
        "target": _pick(targets, org_id),
        "form": form,
    }


@router.get("/users/invite")
def invite_form(
    request: Request,
    session: DbSession,
    auth: CurrentSession,
    actor: PageActor,
    org: str = "",
) -> Response:
    _ = auth
    form = {"email": "", "display_name": "", "roles": []}
    return render(request, "invite.html", _invite_context(session, actor, org, form))


@router.post("/users/invite")
def invite(
    request: Request,
    session: DbSession,
    auth: CurrentSession,
    actor: PageActor,
    deps: Deps,
    org_id: Annotated[str, Form()] = "",
    email: Annotated[str, Form()] = "",
    display_name: Annotated[str, Form()] = "",
    roles: Annotated[list[str] | None, Form()] = None,
) -> Response:
    _ = auth
    form = {"email": email, "display_name": display_name, "roles": roles or []}
    context = _invite_context(session, actor, org_id, form)
    try:
        data = InvitationCreate.model_validate(
            {
                "org_id": org_id,
                "email": email,
                "display_name": display_name,
                "roles": roles or [],
            }
        )
    except ValidationError as exc:
        raise form_error(
            request, "invite.html", context, errors=field_errors(exc)
        ) from exc
    try:
        invitation, link = invitations.invite_user(session, actor, data, deps=deps)
    except (EmailTakenError, RoleNotAllowedError) as exc:
        raise domain_form_error(request, "invite.html", context, exc) from exc
    target = context["target"]
    return render(
        request,
        "invite_sent.html",
        {
            "active": "invite",
            "invitation": invitation,
            "link": link,
            "org_name": target.organization.name if target else "",
        },
    )
