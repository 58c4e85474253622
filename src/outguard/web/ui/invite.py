"""Accepting an invitation: choose a name and a password, then sign in."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from pydantic import ValidationError
from starlette.responses import Response

from outguard.accounts.errors import WeakPasswordError
from outguard.accounts.schemas import InvitationAccept
from outguard.accounts.service import invitations
from outguard.web.deps import Ctx, DbSession, Deps
from outguard.web.rendering import redirect, render
from outguard.web.ui.forms import domain_form_error, field_errors, form_error

router = APIRouter()


@router.get("/invite/{token}")
def accept_form(
    request: Request, token: str, session: DbSession, deps: Deps
) -> Response:
    pending = invitations.get_pending_invitation(session, token, deps=deps)
    return render(
        request,
        "invite_accept.html",
        {
            "pending": pending,
            "token": token,
            "form": {"display_name": pending.invitation.display_name},
        },
    )


@router.post("/invite/{token}")
def accept(
    request: Request,
    token: str,
    session: DbSession,
    deps: Deps,
    ctx: Ctx,
    display_name: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    password_confirm: Annotated[str, Form()] = "",
) -> Response:
    pending = invitations.get_pending_invitation(session, token, deps=deps)
    context = {
        "pending": pending,
        "token": token,
        "form": {"display_name": display_name},
    }
    if password != password_confirm:
        raise form_error(
            request,
            "invite_accept.html",
            context,
            errors={"password_confirm": "The two passwords are not the same."},
        )
    try:
        data = InvitationAccept(password=password, display_name=display_name or None)
    except ValidationError as exc:
        raise form_error(
            request, "invite_accept.html", context, errors=field_errors(exc)
        ) from exc
    try:
        invitations.accept_invitation(session, token, data, context=ctx, deps=deps)
    except WeakPasswordError as exc:
        raise domain_form_error(request, "invite_accept.html", context, exc) from exc
    return redirect(request, "/login", flash="invite_accepted")
