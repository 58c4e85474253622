"""Second-factor enrolment: QR code (rendered here, no third-party service), confirm, codes."""

from __future__ import annotations

from typing import Annotated, Any

import segno
from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from outguard.accounts.errors import MfaCodeInvalidError, MfaNotPendingError
from outguard.accounts.service import AccountsDeps, AuthenticatedSession, mfa
from outguard.web.cookies import set_session_cookie
from outguard.web.deps import Ctx, DbSession, Deps, PendingSession
from outguard.web.rendering import redirect, render, safe_next, secure_cookies
from outguard.web.ui.forms import domain_form_error

router = APIRouter()


def _qr_data_uri(uri: str) -> str:
    qr = segno.make(uri, error="m")
    return str(qr.svg_data_uri(scale=5, border=4, dark="#000", light="#fff"))


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _enrol_context(
    auth: AuthenticatedSession, deps: AccountsDeps, next_url: str
) -> dict[str, Any]:
    start = mfa.begin_enrolment(auth, deps=deps)
    return {
        "qr": _qr_data_uri(start.provisioning_uri),
        "secret": _grouped(start.secret),
        "next": safe_next(next_url, ""),
        "required": not auth.web_session.is_mfa_complete,
    }


@router.get("/mfa/enrol")
def enrol_form(
    request: Request,
    auth: PendingSession,
    deps: Deps,
    next: str = "",  # noqa: A002
) -> Response:
    if auth.user.has_mfa:
        if auth.web_session.is_mfa_complete:
            return redirect(request, "/account")
        return redirect(request, "/login/mfa")
    return render(request, "mfa_enrol.html", _enrol_context(auth, deps, next))


@router.post("/mfa/enrol")
def enrol(
    request: Request,
    session: DbSession,
    auth: PendingSession,
    deps: Deps,
    ctx: Ctx,
    code: Annotated[str, Form()] = "",
    next_url: Annotated[str, Form(alias="next")] = "",
) -> Response:
    if auth.user.has_mfa:
        return redirect(request, "/account")
    try:
        done = mfa.confirm_enrolment(
            session, auth, code=code[:64], context=ctx, deps=deps
        )
    except (MfaCodeInvalidError, MfaNotPendingError) as exc:
        raise domain_form_error(
            request, "mfa_enrol.html", _enrol_context(auth, deps, next_url), exc
        ) from exc
    # The session was rotated: forms on this very page must use the new one.
    request.state.new_session_token = done.session_token
    response = render(
        request,
        "recovery_codes.html",
        {
            "codes": done.recovery_codes,
            "continue_url": safe_next(next_url),
            "just_enrolled": True,
        },
    )
    set_session_cookie(response, done.session_token, secure=secure_cookies(request))
    return response
