"""The composition root and the error table."""

from __future__ import annotations

import logging

import pytest

from outguard.accounts.models import WebSession
from outguard.errors import (
    AlreadyExistsError,
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
from outguard.settings import Settings, WebSettings
from outguard.web import create_app
from outguard.web.errors import ERROR_TABLE, rule_for

CASES = [
    (AuthenticationError(), 401, logging.INFO),
    (PermissionDeniedError(), 403, logging.WARNING),
    (NotFoundError(), 404, logging.INFO),
    (ConflictError(), 409, logging.INFO),
    (AlreadyExistsError(), 409, logging.INFO),
    (DomainValidationError(), 422, logging.INFO),
    (RateLimitedError(retry_after_seconds=90), 429, logging.WARNING),
    (TamperDetectedError(), 500, logging.ERROR),
    (ExternalServiceError(), 503, logging.WARNING),
    (ExternalServiceError(retriable=False), 502, logging.WARNING),
]


def test_every_category_of_the_error_tree_is_in_the_table():
    categories = {cls for cls, _ in ERROR_TABLE}
    assert set(OutguardError.__subclasses__()) == categories


@pytest.mark.parametrize(
    ("error", "status", "level"),
    CASES,
    ids=[f"{type(e).__name__}-{s}" for e, s, _ in CASES],
)
def test_api_errors_follow_the_table(error, status, level, app, new_client, caplog):
    def fail() -> None:
        raise error

    app.add_api_route("/api/v1/fail", fail)
    app.add_api_route("/fail", fail)
    assert rule_for(error).status == status
    with caplog.at_level(logging.DEBUG, logger="outguard.web"):
        response = new_client().get("/api/v1/fail")
    assert response.status_code == status
    assert response.json() == {"error": error.code, "detail": error.message}
    assert any(
        r.levelno == level and error.code in r.getMessage() for r in caplog.records
    )
    if isinstance(error, RateLimitedError):
        assert response.headers["retry-after"] == "90"
    page = new_client().get("/fail")
    if isinstance(error, AuthenticationError):
        assert page.status_code == 303
        assert page.headers["location"] == "/login?next=/fail"
    else:
        assert page.status_code == status
        assert error.message in page.text
        assert page.headers["content-type"].startswith("text/html")


def test_missing_app_key_tells_to_run_init(tmp_path, database_url):
    settings = Settings(home=tmp_path / "nowhere", database={"url": database_url})
    with pytest.raises(RuntimeError, match="outguard init"):
        create_app(settings)


def test_app_key_file_is_used(tmp_path, database_url):
    home = tmp_path / "home"
    (home / "keys").mkdir(parents=True)
    (home / "keys" / "app.key").write_bytes(b"k" * 32)
    app = create_app(Settings(home=home, database={"url": database_url}))
    assert app.state.accounts_deps.hasher.digest("x", purpose="y")
    assert set(vars(app.state)["_state"]) == {
        "settings",
        "session_factory",
        "accounts_deps",
        "templates",
        "datasets_deps",
    }
    assert app.state.datasets_deps is None  # built at the first upload: it needs keys


class TestClientAddress:
    def _last_login_ip(self, world, client) -> str | None:
        client.submit(
            "/login",
            {"email": world.email("staff"), "password": "correct horse battery"},
        )
        world.session.expire_all()
        return world.session.query(WebSession).one().ip

    def test_forwarded_for_is_ignored_by_default(self, world, new_client):
        client = new_client()
        client.client.headers["X-Forwarded-For"] = "203.0.113.9"
        assert self._last_login_ip(world, client) == "127.0.0.1"

    def test_forwarded_for_is_used_behind_a_trusted_proxy(
        self, world, settings, make_app, new_client
    ):
        trusted = settings.model_copy(
            update={
                "web": WebSettings(
                    base_url="http://testserver", trust_proxy_headers=True
                )
            }
        )
        client = new_client(target_app=make_app(trusted))
        client.client.headers["X-Forwarded-For"] = "198.51.100.1, 203.0.113.9"
        assert self._last_login_ip(world, client) == "203.0.113.9"
