"""ONE table from error category to HTTP status and log level, and the handlers using it.

Paths under /api get JSON `{"error": code, "detail": message}`; pages get an HTML error
page, except that "not signed in" on a page redirects to the sign-in form. Messages come from
the domain errors and are safe to show; reasons and tracebacks stay in the server log.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, Response
from starlette.types import Scope

from outguard.errors import (
    AuthenticationError,
    ConflictError,
    DomainValidationError,
    ExternalServiceError,
    NotFoundError,
    OutguardError,
    PermissionDeniedError,
    RateLimitedError,
    TamperDetectedError,
)
from outguard.web import csrf
from outguard.web.cookies import SESSION_COOKIE, clear_session_cookie
from outguard.web.deps import SecondFactorRequiredError
from outguard.web.middleware import loggable_path
from outguard.web.rendering import (
    login_url,
    redirect,
    render,
    secure_cookies,
    with_next,
)

logger = logging.getLogger("outguard.web")


@dataclass(frozen=True)
class ErrorRule:
    status: int
    log_level: int
    title: str


# The one mapping. The first matching category wins; anything else is a 500.
ERROR_TABLE: tuple[tuple[type[OutguardError], ErrorRule], ...] = (
    (AuthenticationError, ErrorRule(401, logging.INFO, "Sign-in needed")),
    (PermissionDeniedError, ErrorRule(403, logging.WARNING, "Not allowed")),
    (NotFoundError, ErrorRule(404, logging.INFO, "Not found")),
    (ConflictError, ErrorRule(409, logging.INFO, "That clashes with what is there")),
    (DomainValidationError, ErrorRule(422, logging.INFO, "That is not valid")),
    (RateLimitedError, ErrorRule(429, logging.WARNING, "Too many attempts")),
    (TamperDetectedError, ErrorRule(500, logging.ERROR, "Integrity check failed")),
    (ExternalServiceError, ErrorRule(503, logging.WARNING, "A service is unavailable")),
)
_UNEXPECTED = ErrorRule(500, logging.ERROR, "Something went wrong")

_HTTP_CODES: dict[int, tuple[str, str, str]] = {
    400: ("bad_request", "Bad request", "The request could not be read."),
    404: ("not_found", "Not found", "There is nothing at this address."),
    405: (
        "method_not_allowed",
        "Not allowed",
        "This address does not accept that kind of request.",
    ),
    413: ("request_too_large", "Too large", "The request is too large."),
    500: ("internal_error", "Something went wrong", "Something went wrong."),
}


class FormError(Exception):
    """Carries a re-rendered form. Raising it (instead of returning) rolls the UoW back."""

    def __init__(self, response: Response) -> None:
        super().__init__("form error")
        self.response = response


def rule_for(error: OutguardError) -> ErrorRule:
    for category, rule in ERROR_TABLE:
        if isinstance(error, category):
            if isinstance(error, ExternalServiceError) and not error.retriable:
                return ErrorRule(502, rule.log_level, rule.title)
            return rule
    return _UNEXPECTED


def _is_api(scope: Scope) -> bool:
    return csrf.is_api_path(str(scope.get("path", "")))


def error_response(
    request: Request,
    status: int,
    code: str,
    message: str,
    *,
    title: str | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> Response:
    if _is_api(request.scope):
        body: dict[str, Any] = {"error": code, "detail": message, **(extra or {})}
        return JSONResponse(body, status_code=status, headers=headers)
    return render(
        request,
        "error.html",
        {
            "status": status,
            "title": title or _HTTP_CODES.get(status, ("", "Error", ""))[1],
            "message": message,
            "fields": (extra or {}).get("fields", []),
        },
        status_code=status,
        headers=headers,
    )


def render_error_for_scope(
    scope: Scope, status: int, code: str, message: str
) -> Response:
    """For the middleware, which has only the ASGI scope."""
    request = Request(scope)
    try:
        return error_response(request, status, code, message)
    except Exception:
        logger.exception("error page failed to render")
        return Response(message, status_code=status, media_type="text/plain")


def _request_id(request: Request) -> str | None:
    return getattr(request.state, "request_id", None)


def handle_outguard_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, OutguardError)  # noqa: S101 - registered for this type only
    rule = rule_for(exc)
    logger.log(
        rule.log_level,
        "%s on %s %s: %s",
        exc.code,
        request.method,
        loggable_path(request.url.path),
        exc.message,
        extra={"request_id": _request_id(request), "details": exc.details},
    )
    headers: dict[str, str] = {}
    if isinstance(exc, RateLimitedError):
        headers["Retry-After"] = str(exc.retry_after_seconds)
    if isinstance(exc, AuthenticationError):
        if _is_api(request.scope):
            headers["WWW-Authenticate"] = "Bearer"
        else:
            next_path = request.url.path
            if request.url.query:
                next_path += "?" + request.url.query
            if request.method != "GET":
                next_path = ""
            if isinstance(exc, SecondFactorRequiredError):
                step = "/mfa/enrol" if exc.enrol else "/login/mfa"
                return redirect(request, with_next(step, next_path))
            had_session = SESSION_COOKIE in request.cookies
            response = redirect(
                request,
                login_url(next_path),
                flash="session_ended" if had_session else None,
            )
            if had_session:
                clear_session_cookie(response, secure=secure_cookies(request))
            return response
    return error_response(
        request,
        rule.status,
        exc.code,
        exc.message,
        title=rule.title,
        headers=headers or None,
    )


def handle_validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)  # noqa: S101
    # Field names and messages only: never the submitted values (they may be personal data).
    fields = [
        {
            "field": ".".join(
                str(part) for part in err.get("loc", ()) if part != "body"
            ),
            "message": str(err.get("msg", "not valid")),
        }
        for err in exc.errors()
    ]
    names = ", ".join(f["field"] or "request" for f in fields)
    return error_response(
        request,
        422,
        "invalid_request",
        f"Some fields are missing or not valid: {names}.",
        title="Check the form",
        extra={"fields": fields},
    )


def handle_http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)  # noqa: S101
    code, title, message = _HTTP_CODES.get(
        exc.status_code, ("http_error", "Error", "The request could not be handled.")
    )
    headers = dict(exc.headers) if exc.headers else None
    return error_response(
        request, exc.status_code, code, message, title=title, headers=headers
    )


def handle_form_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, FormError)  # noqa: S101
    _ = request
    return exc.response


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(OutguardError, handle_outguard_error)
    app.add_exception_handler(RequestValidationError, handle_validation_error)
    app.add_exception_handler(StarletteHTTPException, handle_http_exception)
    app.add_exception_handler(FormError, handle_form_error)
