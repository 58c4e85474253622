"""Fixtures for the web tests (defined in tests/web/harness.py, shared with tests/security)."""

from tests.web.harness import (
    accounts_deps,
    app,
    mailer,
    make_app,
    new_client,
    portal,
    sign_in,
    world,
)

__all__ = [
    "accounts_deps",
    "app",
    "mailer",
    "make_app",
    "new_client",
    "portal",
    "sign_in",
    "world",
]
