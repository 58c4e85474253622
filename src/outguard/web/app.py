"""Composition root of the web adapter: `create_app(settings)`."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.types import Scope

from outguard import __version__
from outguard.accounts.service import build_accounts_deps
from outguard.datasets.service import DatasetsDeps
from outguard.db import SessionFactory, make_engine, make_session_factory
from outguard.instance import InstanceNotInitialisedError, load_app_secret
from outguard.mail import Mailer, make_mailer
from outguard.settings import Settings
from outguard.types import Clock, SystemClock
from outguard.web import api, health, ui
from outguard.web.deps import csrf_protect
from outguard.web.errors import install_error_handlers, render_error_for_scope
from outguard.web.middleware import (
    BodySizeLimitMiddleware,
    RequestContextMiddleware,
    SecurityHeadersMiddleware,
)
from outguard.web.rendering import STATIC_DIR, make_templates


def _app_secret(settings: Settings) -> bytes:
    try:
        return load_app_secret(settings)
    except InstanceNotInitialisedError as exc:
        msg = (
            f"{exc.message} The web server needs the application key: run "
            "`outguard init` first, or set OUTGUARD_SECRET_KEY."
        )
        raise RuntimeError(msg) from exc


_UPLOAD_PATH = re.compile(
    r"/api/v1/(datasets(/[0-9a-fA-F-]{36}/versions)?|shares/[0-9a-fA-F-]{36}/returns|leaks)"
)


def _upload_limit(settings: Settings) -> Callable[[Scope], int | None]:
    """Dataset uploads stream past the small-body limit, up to the upload limit."""
    limit = settings.datasets.max_upload_mb * 1024 * 1024

    def streamed(scope: Scope) -> int | None:
        is_upload = scope.get("method") == "POST" and _UPLOAD_PATH.fullmatch(
            scope.get("path", "")
        )
        return limit if is_upload else None

    return streamed


def create_app(
    settings: Settings,
    *,
    session_factory: SessionFactory | None = None,
    mailer: Mailer | None = None,
    clock: Clock | None = None,
    app_secret: bytes | None = None,
    datasets_deps: DatasetsDeps | None = None,
) -> FastAPI:
    """Build the ASGI app. Everything it needs is made here or passed in (tests)."""
    if session_factory is None:
        engine = make_engine(settings.database_url, echo=settings.database.echo)
        session_factory = make_session_factory(engine)
    app = FastAPI(
        title="outguard",
        version=__version__,
        summary="Share business data with outsourcing vendors without handing over "
        "the personal data in it.",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,  # Swagger UI and ReDoc load scripts from a CDN: not under our CSP
        redoc_url=None,
        debug=False,
        dependencies=[Depends(csrf_protect)],
    )
    # app.state holds settings and factories only.
    app.state.settings = settings
    app.state.session_factory = session_factory
    app.state.accounts_deps = build_accounts_deps(
        settings,
        app_secret=app_secret if app_secret is not None else _app_secret(settings),
        clock=clock or SystemClock(),
        mailer=mailer if mailer is not None else make_mailer(settings),
    )
    app.state.templates = make_templates()
    app.state.datasets_deps = (
        datasets_deps  # None: built at the first upload (needs keys)
    )

    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(api.router)
    app.include_router(ui.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    # Added innermost first: the last one added wraps all the others.
    app.add_middleware(
        BodySizeLimitMiddleware,
        max_bytes=settings.web.max_body_bytes,
        render_error=render_error_for_scope,
        streamed=_upload_limit(settings),
    )
    app.add_middleware(
        RequestContextMiddleware,
        trust_proxy_headers=settings.web.trust_proxy_headers,
        secure_cookies=settings.is_https,
        render_error=render_error_for_scope,
    )
    app.add_middleware(SecurityHeadersMiddleware, https=settings.is_https)
    return app
