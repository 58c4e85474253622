"""Signed double-submit CSRF protection for every state-changing request.

The middleware gives each browser a random `og_csrf` cookie (HttpOnly, SameSite=Strict).
Pages embed `csrf_token` = HMAC(app secret, cookie ‖ session cookie) in every form; the check
recomputes it. Nothing is stored server-side, and the token changes when the session does.

Exempt: API requests authenticated by `Authorization: Bearer og_…` (no ambient credential),
and API requests carrying no session cookie (they will fail authentication anyway).
API requests authenticated by the session cookie must send the token in `X-CSRF-Token`.
"""

from __future__ import annotations

import re
import secrets

from fastapi import Request

from outguard.errors import PermissionDeniedError
from outguard.security.tokens import TokenHasher
from outguard.web.cookies import CSRF_COOKIE, SESSION_COOKIE

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
FORM_FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
_PURPOSE = "csrf"
_COOKIE_SHAPE = re.compile(r"^[A-Za-z0-9_-]{43}$")


class CsrfFailedError(PermissionDeniedError):
    code = "csrf_failed"
    default_message = (
        "This form has expired or did not come from this site, so nothing was changed. "
        "Go back, reload the page and try again."
    )


def new_cookie_value() -> str:
    return secrets.token_urlsafe(32)


def is_valid_cookie_value(value: str | None) -> bool:
    return value is not None and bool(_COOKIE_SHAPE.match(value))


def token_for(hasher: TokenHasher, csrf_cookie: str, session_cookie: str | None) -> str:
    return hasher.digest(f"{csrf_cookie}\x00{session_cookie or ''}", purpose=_PURPOSE)


def is_api_path(path: str) -> bool:
    return path == "/api" or path.startswith("/api/")


def has_bearer(request: Request) -> bool:
    scheme, _, _ = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer"


def page_token(request: Request, hasher: TokenHasher) -> str:
    """The token to embed in forms rendered for this request."""
    csrf_cookie = str(request.state.csrf_cookie)
    session = getattr(request.state, "new_session_token", None)
    if session is None:
        session = request.cookies.get(SESSION_COOKIE)
    return token_for(hasher, csrf_cookie, session or None)


async def verify_request(request: Request, hasher: TokenHasher) -> None:
    """Raise `CsrfFailedError` unless a state-changing request carries a valid token."""
    if request.method in SAFE_METHODS:
        return
    if is_api_path(request.url.path):
        if has_bearer(request) or SESSION_COOKIE not in request.cookies:
            return
        supplied = request.headers.get(HEADER)
    else:
        form = await request.form()
        value = form.get(FORM_FIELD)
        supplied = value if isinstance(value, str) else None
    cookie = request.cookies.get(CSRF_COOKIE)
    if not supplied or not is_valid_cookie_value(cookie):
        raise CsrfFailedError
    assert cookie is not None  # noqa: S101 - checked just above
    expected_for = f"{cookie}\x00{request.cookies.get(SESSION_COOKIE) or ''}"
    if not hasher.matches(expected_for, supplied, purpose=_PURPOSE):
        raise CsrfFailedError
