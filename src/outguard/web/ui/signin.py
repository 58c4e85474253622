"""Sign-in (password, then second factor) and sign-out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from outguard.accounts.errors import SessionExpiredError
from outguard.accounts.service import SignInStep, authenticate_session, signin
from outguard.errors import RateLimitedError
from outguard.web.cookies import clear_session_cookie, set_session_cookie
from outguard.web.deps import Ctx, DbSession, Deps, PendingSession, session_cookie
from outguard.web.rendering import (
    redirect,
    render,
    safe_next,
    secure_cookies,
    with_next,
)

router = APIRouter()

NextField = Annotated[str, Form(alias="next")]


def _after_password(step: SignInStep | None, next_url: str) -> str:
    if step is SignInStep.MFA:
        return with_next("/login/mfa", next_url)
    if step is SignInStep.ENROL:
        return with_next("/mfa/enrol", next_url)
    return safe_next(next_url)


@router.get("/login")
def login_form(
    request: Request,
    session: DbSession,
    deps: Deps,
    next: str = "",  # noqa: A002
) -> Response:
    try:
        authenticate_session(session, session_cookie(request), deps=deps)
    except SessionExpiredError:
        return render(request, "login.html", {"email": "", "next": safe_next(next, "")})
    return redirect(request, safe_next(next))


@router.post("/login")
def login(
    request: Request,
    session: DbSession,
    deps: Deps,
    ctx: Ctx,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next_url: NextField = "",
) -> Response:
    context = {"email": email.strip()[:320], "next": safe_next(next_url, "")}
    if not email.strip() or not password:
        return render(
            request,
            "login.html",
            {**context, "error": "Enter your e-mail address and your password."},
            status_code=422,
        )
    outcome = signin.sign_in(
        session, email=email, password=password, context=ctx, deps=deps
    )
    if outcome.error is not None:
        # Returned, not raised: the unit of work COMMITS the failure record (throttling,
        # lockout, audit) and the person sees one generic message.
        headers = None
        status = 401
        if isinstance(outcome.error, RateLimitedError):
            status = 429
            headers = {"Retry-After": str(outcome.error.retry_after_seconds)}
        return render(
            request,
            "login.html",
            {**context, "error": outcome.error.message},
            status_code=status,
            headers=headers,
        )
    assert outcome.session_token is not None  # noqa: S101 - success carries a token
    previous = session_cookie(request)
    if previous:
        signin.sign_out(session, previous, context=ctx, deps=deps)
    response = redirect(request, _after_password(outcome.step, next_url))
    set_session_cookie(response, outcome.session_token, secure=secure_cookies(request))
    return response


@router.get("/login/mfa")
def second_factor_form(
    request: Request,
    auth: PendingSession,
    next: str = "",  # noqa: A002
) -> Response:
    if auth.web_session.is_mfa_complete:
        return redirect(request, safe_next(next))
    if not auth.user.has_mfa:
        return redirect(request, with_next("/mfa/enrol", next))
    return render(request, "login_mfa.html", {"next": safe_next(next, "")})


@router.post("/login/mfa")
def second_factor(
    request: Request,
    pending: PendingSession,
    session: DbSession,
    deps: Deps,
    ctx: Ctx,
    code: Annotated[str, Form()] = "",
    next_url: NextField = "",
) -> Response:
    context = {"next": safe_next(next_url, "")}
    if pending.web_session.is_mfa_complete:
        return redirect(request, safe_next(next_url))
    if not code.strip():
        return render(
            request,
            "login_mfa.html",
            {**context, "error": "Enter the code from your authenticator app."},
            status_code=422,
        )
    outcome = signin.verify_second_factor(
        session,
        session_token=session_cookie(request) or "",
        code=code[:64],
        context=ctx,
        deps=deps,
    )
    if outcome.error is not None:
        headers = None
        status = 401
        if isinstance(outcome.error, RateLimitedError):
            status = 429
            headers = {"Retry-After": str(outcome.error.retry_after_seconds)}
        return render(
            request,
            "login_mfa.html",
            {**context, "error": outcome.error.message},
            status_code=status,
            headers=headers,
        )
    if outcome.step is SignInStep.ENROL:
        return redirect(request, with_next("/mfa/enrol", next_url))
    response = redirect(request, safe_next(next_url))
    if outcome.session_token:
        set_session_cookie(
            response, outcome.session_token, secure=secure_cookies(request)
        )
    return response


@router.post("/logout")
def logout(request: Request, session: DbSession, deps: Deps, ctx: Ctx) -> Response:
    signin.sign_out(session, session_cookie(request), context=ctx, deps=deps)
    response = redirect(request, "/login", flash="signed_out")
    clear_session_cookie(response, secure=secure_cookies(request))
    return response
