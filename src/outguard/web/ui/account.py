"""The account page: password, sessions, recovery codes, personal API tokens."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from pydantic import ValidationError
from starlette.responses import Response

from outguard.accounts.errors import WeakPasswordError
from outguard.accounts.schemas import ApiTokenCreate
from outguard.accounts.service import (
    AccountsDeps,
    AuthenticatedSession,
    mfa,
    signin,
    tokens,
    users,
)
from outguard.db import Session
from outguard.errors import (
    AuthenticationError,
    DomainValidationError,
    PermissionDeniedError,
)
from outguard.types import Actor
from outguard.web.cookies import clear_session_cookie
from outguard.web.deps import CurrentSession, DbSession, Deps, PageActor
from outguard.web.rendering import redirect, render, secure_cookies
from outguard.web.ui.forms import domain_form_error, field_errors, form_error

router = APIRouter()

TOKEN_LIFETIMES = (7, 30, 90, 365)


def _context(
    session: Session,
    auth: AuthenticatedSession,
    actor: Actor,
    deps: AccountsDeps,
    **extra: Any,
) -> dict[str, Any]:
    try:
        own_tokens = tokens.list_tokens(session, actor)
    except PermissionDeniedError:
        own_tokens = None
    return {
        "active": "account",
        "user": auth.user,
        "org": auth.org,
        "current_session_id": auth.web_session.id,
        "sessions": signin.list_sessions(session, actor, deps=deps),
        "recovery_left": mfa.unused_recovery_codes(session, auth.user)
        if auth.user.has_mfa
        else None,
        "tokens": own_tokens,
        "scopes": tokens.grantable_scopes(actor),
        "lifetimes": [d for d in TOKEN_LIFETIMES if d <= deps.auth.api_token_max_days],
        "token_form": {"name": "", "scopes": [], "expires_in_days": 90},
        **extra,
    }


@router.get("/account")
def account(
    request: Request,
    session: DbSession,
    auth: CurrentSession,
    actor: PageActor,
    deps: Deps,
) -> Response:
    return render(request, "account.html", _context(session, auth, actor, deps))


@router.post("/account/password")
def change_password(
    request: Request,
    session: DbSession,
    auth: CurrentSession,
    actor: PageActor,
    deps: Deps,
    current_password: Annotated[str, Form()] = "",
    new_password: Annotated[str, Form()] = "",
    new_password_confirm: Annotated[str, Form()] = "",
) -> Response:
    context = _context(session, auth, actor, deps, password_form=True)
    if new_password != new_password_confirm:
        raise form_error(
            request,
            "account.html",
            context,
            errors={"new_password_confirm": "The two new passwords are not the same."},
        )
    try:
        users.change_password(
            session, actor, current=current_password, new=new_password, deps=deps
        )
    except AuthenticationError as exc:
        raise form_error(
            request,
            "account.html",
            context,
            status_code=422,
            errors={"current_password": exc.message},
        ) from exc
    except WeakPasswordError as exc:
        raise form_error(
            request, "account.html", context, errors={"new_password": exc.message}
        ) from exc
    return redirect(request, "/account", flash="password_changed")


@router.post("/account/sessions/revoke-all")
def sign_out_everywhere(
    request: Request, session: DbSession, actor: PageActor, deps: Deps
) -> Response:
    signin.sign_out_everywhere(session, actor, deps=deps)
    response = redirect(request, "/login", flash="signed_out_everywhere")
    clear_session_cookie(response, secure=secure_cookies(request))
    return response


@router.post("/account/recovery-codes")
def regenerate_recovery_codes(
    request: Request,
    session: DbSession,
    auth: CurrentSession,
    deps: Deps,
    actor: PageActor,
) -> Response:
    codes = mfa.regenerate_recovery_codes(
        session, auth, context=actor.context, deps=deps
    )
    return render(
        request,
        "recovery_codes.html",
        {"active": "account", "codes": codes, "continue_url": "/account"},
    )


@router.post("/account/tokens")
def create_token(
    request: Request,
    session: DbSession,
    auth: CurrentSession,
    actor: PageActor,
    deps: Deps,
    name: Annotated[str, Form()] = "",
    scopes: Annotated[list[str] | None, Form()] = None,
    expires_in_days: Annotated[str, Form()] = "90",
) -> Response:
    token_form = {
        "name": name,
        "scopes": scopes or [],
        "expires_in_days": expires_in_days,
    }
    context = _context(session, auth, actor, deps, token_form=token_form)
    try:
        data = ApiTokenCreate.model_validate(
            {
                "name": name,
                "scopes": scopes or [],
                "expires_in_days": expires_in_days,
            }
        )
    except ValidationError as exc:
        raise form_error(
            request, "account.html", context, errors=field_errors(exc)
        ) from exc
    try:
        token, raw = tokens.create_token(session, actor, data, deps=deps)
    except DomainValidationError as exc:
        raise domain_form_error(request, "account.html", context, exc) from exc
    return render(
        request,
        "token_created.html",
        {"active": "account", "token": token, "raw": raw},
    )


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(
    request: Request,
    token_id: uuid.UUID,
    session: DbSession,
    actor: PageActor,
    deps: Deps,
) -> Response:
    tokens.revoke_token(session, actor, token_id, deps=deps)
    return redirect(request, "/account", flash="token_revoked")
