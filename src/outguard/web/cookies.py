"""Cookie names and the one place their flags are decided."""

from __future__ import annotations

from starlette.responses import Response

SESSION_COOKIE = "og_session"
CSRF_COOKIE = "og_csrf"
FLASH_COOKIE = "og_flash"


def _set(response: Response, name: str, value: str, *, secure: bool) -> None:
    response.set_cookie(
        name, value, path="/", httponly=True, samesite="strict", secure=secure
    )


def _clear(response: Response, name: str, *, secure: bool) -> None:
    response.delete_cookie(
        name, path="/", httponly=True, samesite="strict", secure=secure
    )


def set_session_cookie(response: Response, token: str, *, secure: bool) -> None:
    # No Max-Age: the browser forgets it on exit; the server enforces idle/absolute limits.
    _set(response, SESSION_COOKIE, token, secure=secure)


def clear_session_cookie(response: Response, *, secure: bool) -> None:
    _clear(response, SESSION_COOKIE, secure=secure)


def set_flash_cookie(response: Response, code: str, *, secure: bool) -> None:
    _set(response, FLASH_COOKIE, code, secure=secure)


def clear_flash_cookie(response: Response, *, secure: bool) -> None:
    _clear(response, FLASH_COOKIE, secure=secure)


def csrf_cookie_header(value: str, *, secure: bool) -> str:
    """The raw Set-Cookie value for the CSRF cookie (issued by the middleware)."""
    flags = "; Path=/; HttpOnly; SameSite=Strict" + ("; Secure" if secure else "")
    return f"{CSRF_COOKIE}={value}{flags}"
