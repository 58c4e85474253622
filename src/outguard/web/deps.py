"""Per-request dependencies: the unit of work, request context, the current actor, CSRF.

`get_session` is THE transaction of a request (commit on success, rollback on any error,
before the response is sent). Tests override it to bind the app to their savepoint session.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from outguard.accounts.errors import ApiTokenInvalidError, SessionExpiredError
from outguard.accounts.service import (
    AccountsDeps,
    AuthenticatedSession,
    authenticate_session,
    tokens,
)
from outguard.datasets.service import DatasetsDeps, build_datasets_deps
from outguard.db import Session, SessionFactory, unit_of_work
from outguard.keystore.provider import make_key_provider
from outguard.settings import Settings
from outguard.storage import make_blob_store
from outguard.types import Actor, RequestContext
from outguard.web import csrf
from outguard.web.cookies import SESSION_COOKIE
from outguard.web.rendering import page_auth

_MAX_USER_AGENT = 300


def get_session(request: Request) -> Iterator[Session]:
    factory: SessionFactory = request.app.state.session_factory
    with unit_of_work(factory) as session:
        yield session


# scope="function": commit/rollback happens before the response is sent, so a failed
# commit becomes an error response instead of a success the client wrongly trusts.
DbSession = Annotated[Session, Depends(get_session, scope="function")]


def get_accounts_deps(request: Request) -> AccountsDeps:
    deps: AccountsDeps = request.app.state.accounts_deps
    return deps


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


Deps = Annotated[AccountsDeps, Depends(get_accounts_deps)]


def get_datasets_deps(request: Request) -> DatasetsDeps:
    """Built at first use: the key provider needs the instance's root key."""
    state = request.app.state
    if state.datasets_deps is None:
        settings: Settings = state.settings
        state.datasets_deps = build_datasets_deps(
            settings,
            clock=get_accounts_deps(request).clock,
            blobs=make_blob_store(settings),
            keys=make_key_provider(settings),
        )
    deps: DatasetsDeps = state.datasets_deps
    return deps


DataDeps = Annotated[DatasetsDeps, Depends(get_datasets_deps)]
AppSettings = Annotated[Settings, Depends(get_settings)]


def request_context(request: Request) -> RequestContext:
    user_agent = request.headers.get("user-agent")
    return RequestContext(
        request_id=getattr(request.state, "request_id", None),
        ip=getattr(request.state, "client_ip", None),
        user_agent=user_agent[:_MAX_USER_AGENT] if user_agent else None,
    )


Ctx = Annotated[RequestContext, Depends(request_context)]


async def csrf_protect(request: Request) -> None:
    """App-wide: every state-changing request passes the CSRF check before anything runs."""
    await csrf.verify_request(request, get_accounts_deps(request).hasher)


def session_cookie(request: Request) -> str | None:
    return request.cookies.get(SESSION_COOKIE)


class SecondFactorRequiredError(SessionExpiredError):
    """Signed in with a password only: pages send the person to the second step."""

    code = "second_factor_required"
    default_message = "Finish signing in with your second factor."

    def __init__(self, *, enrol: bool) -> None:
        super().__init__()
        self.enrol = enrol


def current_session(
    request: Request, session: DbSession, deps: Deps
) -> AuthenticatedSession:
    """A complete (second factor done) browser session, or 401 / redirect to sign-in."""
    token = session_cookie(request)
    try:
        auth = authenticate_session(session, token, deps=deps)
    except SessionExpiredError:
        # Still valid, only without the second factor? Then send them to that step.
        pending = authenticate_session(
            session, token, deps=deps, require_complete=False
        )
        raise SecondFactorRequiredError(enrol=not pending.user.has_mfa) from None
    request.state.auth = auth
    request.state.page_auth = page_auth(auth)
    return auth


def pending_session(
    request: Request, session: DbSession, deps: Deps
) -> AuthenticatedSession:
    """A session that may still be between the password and the second factor."""
    auth = authenticate_session(
        session, session_cookie(request), deps=deps, require_complete=False
    )
    request.state.auth = auth
    request.state.page_auth = page_auth(auth)
    return auth


CurrentSession = Annotated[AuthenticatedSession, Depends(current_session)]
PendingSession = Annotated[AuthenticatedSession, Depends(pending_session)]


def page_actor(auth: CurrentSession, ctx: Ctx) -> Actor:
    return auth.actor(ctx)


PageActor = Annotated[Actor, Depends(page_actor)]

_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiToken",
    description="A personal API token `og_…` (create one on the Account page).",
)


def api_actor(
    request: Request,
    session: DbSession,
    deps: Deps,
    ctx: Ctx,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Actor:
    """Bearer token (scoped) or a complete browser session; never both, never a fallback."""
    if credentials is not None:
        return tokens.authenticate_token(
            session, credentials.credentials, context=ctx, deps=deps
        )
    if request.headers.get("authorization"):
        raise ApiTokenInvalidError
    auth = authenticate_session(session, session_cookie(request), deps=deps)
    request.state.auth = auth
    request.state.page_auth = page_auth(auth)
    return auth.actor(ctx)


ApiActor = Annotated[Actor, Depends(api_actor)]
