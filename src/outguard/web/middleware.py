"""Pure ASGI middleware: security headers, request id and client address, body size limit.

Order (outermost first): `SecurityHeadersMiddleware` → `RequestContextMiddleware` →
`BodySizeLimitMiddleware` → the app. The security headers therefore also cover the 413 and
500 responses the inner layers produce.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import time
import uuid
from collections.abc import Callable

from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from outguard.web import csrf
from outguard.web.cookies import CSRF_COOKIE, csrf_cookie_header

logger = logging.getLogger("outguard.web")
access_logger = logging.getLogger("outguard.web.access")

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
    "display-capture=(), fullscreen=(self)"
)
HSTS = "max-age=63072000; includeSubDomains"
REQUEST_ID_HEADER = "X-Request-ID"
_REQUEST_ID_SHAPE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
# Bearer secrets that travel in a path (e-mailed invitation links) never reach a log.
_SECRET_IN_PATH = re.compile(r"^/invite/[^/]+")
_MAX_IP_CHARS = 64

# (scope, status, error code, message) -> a JSON or HTML response, chosen by path.
ErrorRenderer = Callable[[Scope, int, str, str], Response]


def _is_static(path: str) -> bool:
    return path.startswith("/static/")


class SecurityHeadersMiddleware:
    """Adds the security headers to every HTTP response."""

    def __init__(self, app: ASGIApp, *, https: bool) -> None:
        self.app = app
        self.https = https

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = _is_static(scope["path"])

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
                headers["X-Content-Type-Options"] = "nosniff"
                headers["X-Frame-Options"] = "DENY"
                headers["Referrer-Policy"] = "no-referrer"
                headers["Permissions-Policy"] = PERMISSIONS_POLICY
                headers["Cross-Origin-Opener-Policy"] = "same-origin"
                headers["Cross-Origin-Resource-Policy"] = "same-origin"
                if self.https:
                    headers["Strict-Transport-Security"] = HSTS
                if not static:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)


def loggable_path(path: str) -> str:
    """The path without secrets; the query string is never logged (it may hold anything)."""
    return _SECRET_IN_PATH.sub("/invite/[redacted]", path)


def client_ip(scope: Scope, *, trust_proxy_headers: bool) -> str | None:
    """The peer address, or the address our trusted proxy appended to X-Forwarded-For."""
    if trust_proxy_headers:
        forwarded = HTTPConnection(scope).headers.get("x-forwarded-for", "")
        # The right-most entry is the one our own proxy added; the rest is client-supplied.
        candidate = forwarded.rsplit(",", 1)[-1].strip()
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            pass
    client = scope.get("client")
    return str(client[0])[:_MAX_IP_CHARS] if client else None


class RequestContextMiddleware:
    """Request id, client address and CSRF cookie; turns unexpected errors into a 500 page."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        trust_proxy_headers: bool,
        secure_cookies: bool,
        render_error: ErrorRenderer,
    ) -> None:
        self.app = app
        self.trust_proxy_headers = trust_proxy_headers
        self.secure_cookies = secure_cookies
        self.render_error = render_error

    def _request_id(self, scope: Scope) -> str:
        if self.trust_proxy_headers:
            incoming = HTTPConnection(scope).headers.get(REQUEST_ID_HEADER, "")
            if _REQUEST_ID_SHAPE.match(incoming):
                return incoming
        return uuid.uuid4().hex

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        request_id = self._request_id(scope)
        state["request_id"] = request_id
        state["client_ip"] = client_ip(
            scope, trust_proxy_headers=self.trust_proxy_headers
        )
        new_csrf: str | None = None
        path = scope["path"]
        if not csrf.is_api_path(path) and path != "/healthz":
            existing = HTTPConnection(scope).cookies.get(CSRF_COOKIE)
            if csrf.is_valid_cookie_value(existing):
                state["csrf_cookie"] = existing
            else:
                new_csrf = csrf.new_cookie_value()
                state["csrf_cookie"] = new_csrf
        started = False
        status = 500
        began = time.perf_counter()

        async def send_with_context(message: Message) -> None:
            nonlocal started, status
            if message["type"] == "http.response.start":
                started = True
                status = int(message["status"])
                headers = MutableHeaders(scope=message)
                headers[REQUEST_ID_HEADER] = request_id
                if new_csrf is not None:
                    headers.append(
                        "set-cookie",
                        csrf_cookie_header(new_csrf, secure=self.secure_cookies),
                    )
            await send(message)

        try:
            await self.app(scope, receive, send_with_context)
        except Exception:
            # The traceback stays in the server log; the client sees only the request id.
            logger.exception(
                "unexpected error",
                extra={"request_id": request_id, "path": loggable_path(path)},
            )
            if started:
                raise
            response = self.render_error(
                scope,
                500,
                "internal_error",
                "Something went wrong on our side. Nothing was changed. If it keeps "
                f"happening, give this reference to your administrator: {request_id}.",
            )
            await response(scope, receive, send_with_context)
        finally:
            access_logger.info(
                "%s %s %s %.1fms",
                scope["method"],
                loggable_path(path),
                status,
                (time.perf_counter() - began) * 1000,
                extra={"request_id": request_id, "client_ip": state["client_ip"]},
            )


class BodySizeLimitMiddleware:
    """Refuses bodies over `max_bytes` with 413 before the app sees them.

    Checked on Content-Length and again while reading, so a lying or absent header does
    not help. The body is buffered (it is small by definition) and replayed to the app,
    which therefore never runs for an oversized request: nothing is changed.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_bytes: int,
        render_error: ErrorRenderer,
        streamed: Callable[[Scope], int | None] | None = None,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.render_error = render_error
        # File uploads: (scope) -> their own limit, or None. They are not buffered here:
        # the use case encrypts them as they stream and counts every byte itself.
        self.streamed = streamed or (lambda _scope: None)

    def _too_large(self, scope: Scope, limit: int | None = None) -> Response:
        limit_kib = (limit or self.max_bytes) // 1024
        return self.render_error(
            scope,
            413,
            "request_too_large",
            f"The request is larger than this server accepts ({limit_kib} KiB). "
            "Nothing was changed.",
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:  # noqa: C901 - one pass over the ASGI protocol
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = HTTPConnection(scope).headers.get("content-length")
        stream_limit = self.streamed(scope)
        limit = self.max_bytes if stream_limit is None else stream_limit
        if declared is not None:
            if not declared.isdigit():
                response = self.render_error(
                    scope, 400, "bad_request", "The Content-Length header is not valid."
                )
                await response(scope, receive, send)
                return
            if int(declared) > limit:
                await self._too_large(scope, limit)(scope, receive, send)
                return
        if stream_limit is not None:
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        total = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body: bytes = message.get("body", b"")
            total += len(body)
            if total > self.max_bytes:
                await self._too_large(scope)(scope, receive, send)
                return
            chunks.append(body)
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {
                    "type": "http.request",
                    "body": b"".join(chunks),
                    "more_body": False,
                }
            return await receive()

        await self.app(scope, replay, send)
