"""Rendering pages: the Jinja2 environment, common context, flash messages, redirects."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import RedirectResponse, Response

from outguard.accounts.service import AccountsDeps, AuthenticatedSession
from outguard.db import DatabaseError
from outguard.security.permissions import Permission, permissions_for
from outguard.settings import Settings
from outguard.types import Role
from outguard.web import csrf
from outguard.web.cookies import (
    FLASH_COOKIE,
    clear_flash_cookie,
    set_flash_cookie,
)

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"

# Flash messages are codes from this catalogue, so a cookie cannot inject text.
FLASH_MESSAGES: dict[str, str] = {
    "signed_out": "You are signed out.",
    "signed_out_everywhere": "You are signed out on every device. Sign in again.",
    "session_ended": "Your session has ended. Sign in again to continue.",
    "invite_accepted": "Your account is ready. Sign in with your e-mail address and "
    "new password.",
    "password_changed": "Your password was changed.",
    "org_created": "The organisation was added.",
    "user_disabled": "The account was disabled; its sessions and API tokens stopped "
    "working.",
    "user_enabled": "The account was enabled again.",
    "mfa_reset": "The second factor was reset. The person sets it up again at their "
    "next sign-in.",
    "token_revoked": "The API token was revoked.",
    "invitation_revoked": "The invitation was withdrawn.",
    "mfa_enrolled": "Your second factor is set up.",
    "engagement_created": "The engagement was created as a draft. Publish the agreement "
    "texts and training, then activate it.",
    "engagement_updated": "The new terms were saved. They apply from the next access on; "
    "the change and its reason are in the history below.",
    "share_created": "Shared. Each eligible agent's protected copy is being made; agents "
    "not yet eligible get theirs as soon as their checklist is complete.",
    "return_reidentified": "Re-identified. Download the result below; the download is "
    "recorded.",
    "password_not_correct": "The password was not correct: nothing was re-identified.",
    "deletion_attested": "Thank you: your statement was recorded and the client can see it.",
    "password_not_correct_attest": "The password was not correct: nothing was recorded.",
    "share_revoked": "Revoked. The copies concerned were destroyed (their keys are gone).",
    "engagement_state_changed": "The engagement's state was changed.",
    "agent_enrolled": "The agent was enrolled. They see what is still missing on their "
    "checklist.",
    "agent_offboarded": "The agent's access was cut.",
    "screening_attested": "The screening attestation was recorded.",
    "subcontractor_proposed": "The sub-contractor was proposed to the client.",
    "subcontractor_decided": "The decision was recorded.",
    "exception_granted": "The network exception was granted.",
    "exception_revoked": "The network exception was revoked.",
    "agreement_published": "The text was published. Everyone concerned is asked to sign it.",
    "agreement_signed": "Signed. This is your receipt.",
    "training_published": "The training module was published.",
    "retake_required": "Everyone must retake this module: earlier passes no longer count.",
    "workstation_recorded": "Your workstation check was recorded.",
    "site_registered": "The site and its office networks were saved.",
}


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "—"


def _filesize(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":  # noqa: PLR2004 - binary units
            return f"{value:,.0f} {unit}" if unit == "bytes" else f"{value:,.1f} {unit}"
        value /= 1024
    return f"{size} bytes"  # pragma: no cover - the loop always returns


def _label(value: object) -> str:
    return str(value).replace("_", " ")


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=TEMPLATES_DIR)
    templates.env.filters["when"] = _when
    templates.env.filters["label"] = _label
    templates.env.filters["filesize"] = _filesize
    templates.env.globals["Permission"] = Permission
    return templates


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def secure_cookies(request: Request) -> bool:
    return _settings(request).is_https


def _deps(request: Request) -> AccountsDeps:
    deps: AccountsDeps = request.app.state.accounts_deps
    return deps


def current_auth(request: Request) -> AuthenticatedSession | None:
    auth = getattr(request.state, "auth", None)
    return auth if isinstance(auth, AuthenticatedSession) else None


@dataclass(frozen=True)
class _Who:
    id: uuid.UUID
    display_name: str
    role_set: frozenset[Role]


@dataclass(frozen=True)
class _Org:
    name: str


@dataclass(frozen=True)
class PageAuth:
    """What the page frame shows of the signed-in person, read while the rows are loaded.

    An error page renders after the request's transaction rolled back and its session
    closed: ORM rows are detached and expired then, so the frame must not touch them.
    """

    user: _Who
    org: _Org
    mfa_complete: bool


def page_auth(auth: AuthenticatedSession) -> PageAuth:
    return PageAuth(
        _Who(auth.user.id, auth.user.display_name, frozenset(auth.user.role_set)),
        _Org(auth.org.name),
        auth.web_session.is_mfa_complete,
    )


def _page_auth(request: Request) -> PageAuth | None:
    """The live rows when they can still be read, else the snapshot taken at sign-in check.

    Live first: they may have changed in this request (a second factor just set up).
    """
    auth = current_auth(request)
    if auth is None:
        return None
    try:
        return page_auth(auth)
    except DatabaseError:  # detached after a rolled-back request: see PageAuth
        snapshot = getattr(request.state, "page_auth", None)
        return snapshot if isinstance(snapshot, PageAuth) else None


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    auth = _page_auth(request)
    flash_code = request.cookies.get(FLASH_COOKIE)
    has_csrf = hasattr(request.state, "csrf_cookie")
    common: dict[str, Any] = {
        "csrf_token": csrf.page_token(request, _deps(request).hasher)
        if has_csrf
        else "",
        "auth": auth if auth is not None and auth.mfa_complete else None,
        "perms": permissions_for(auth.user.role_set) if auth else frozenset(),
        "flash": FLASH_MESSAGES.get(flash_code or ""),
        "request_id": getattr(request.state, "request_id", None),
    }
    common.update(context or {})
    templates: Jinja2Templates = request.app.state.templates
    response = templates.TemplateResponse(
        request, name, common, status_code=status_code, headers=headers
    )
    if flash_code is not None:
        clear_flash_cookie(response, secure=secure_cookies(request))
    return response


def redirect(request: Request, url: str, *, flash: str | None = None) -> Response:
    """POST-redirect-GET: 303 to a local URL, optionally with a flash message code."""
    response = RedirectResponse(url, status_code=303)
    if flash is not None:
        set_flash_cookie(response, flash, secure=secure_cookies(request))
    return response


def safe_next(value: str | None, default: str = "/") -> str:
    """Only local absolute paths: no scheme, no host, no `//` or back-slash tricks."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")):
        return default
    if any(ch in value for ch in "\\\r\n\t") or any(ord(ch) < 0x20 for ch in value):  # noqa: PLR2004
        return default
    return value


def with_next(url: str, next_path: str | None) -> str:
    """`url?next=…` for a safe local target (omitted when it is the overview)."""
    target = safe_next(next_path, "")
    return f"{url}?next={quote(target, safe='/')}" if target and target != "/" else url


def login_url(next_path: str | None) -> str:
    return with_next("/login", next_path)
