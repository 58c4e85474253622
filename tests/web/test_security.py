"""Security headers, cookie flags, CSRF and the body-size limit, checked once, centrally."""

from __future__ import annotations

import uuid

import pytest
from fastapi.routing import iter_route_contexts

from outguard.accounts.models import Organization
from outguard.audit.models import AuditEvent
from outguard.settings import WebSettings
from tests.web.harness import csrf_from

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)


def _count(session, model) -> int:
    session.expire_all()
    return session.query(model).count()


class TestSecurityHeaders:
    @pytest.mark.parametrize(
        "url", ["/login", "/api/v1/me", "/healthz", "/no-such-page", "/api/v1/nope"]
    )
    def test_every_response_carries_the_headers(self, new_client, url):
        response = new_client().get(url)
        headers = response.headers
        assert headers["content-security-policy"] == CSP
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["cross-origin-opener-policy"] == "same-origin"
        assert "camera=()" in headers["permissions-policy"]
        assert headers["cache-control"] == "no-store"
        assert len(headers["x-request-id"]) >= 8
        assert "strict-transport-security" not in headers  # plain http here

    def test_static_files_are_cacheable_but_still_protected(self, new_client):
        response = new_client().get("/static/app.css")
        assert response.status_code == 200
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "no-store" not in response.headers.get("cache-control", "")

    def test_hsts_only_over_https(self, settings, make_app, new_client):
        https = settings.model_copy(
            update={"web": WebSettings(base_url="https://outguard.example")}
        )
        client = new_client("https://testserver", make_app(https))
        response = client.get("/login")
        assert response.headers["strict-transport-security"].startswith("max-age=")

    def test_pages_contain_no_inline_script_or_style(self, world, sign_in):
        client = sign_in("owner")
        for url in ("/", "/orgs", "/users", "/users/invite", "/account", "/mfa/enrol"):
            html = client.get(url).text
            assert "<script" not in html
            assert "style=" not in html
            assert "<style" not in html

    def test_request_id_is_generated_not_taken_from_the_client(self, new_client):
        response = new_client().get("/login", headers={"X-Request-ID": "forged-id-123"})
        assert response.headers["x-request-id"] != "forged-id-123"


class TestCookies:
    def _set_cookies(self, response) -> dict[str, str]:
        return {
            raw.split("=", 1)[0]: raw for raw in response.headers.get_list("set-cookie")
        }

    def test_csrf_and_session_cookie_flags(self, world, new_client):
        client = new_client()
        csrf_cookie = self._set_cookies(client.get("/login"))["og_csrf"]
        for flag in ("HttpOnly", "SameSite=Strict", "Path=/"):
            assert flag.lower() in csrf_cookie.lower()
        assert "secure" not in csrf_cookie.lower()
        token = csrf_from(client.get("/login").text)
        response = client.post(
            "/login",
            data={
                "email": world.email("staff"),
                "password": "correct horse battery",
                "csrf_token": token,
            },
        )
        session_cookie = self._set_cookies(response)["og_session"]
        for flag in ("httponly", "samesite=strict", "path=/"):
            assert flag in session_cookie.lower()
        assert "max-age" not in session_cookie.lower()  # gone when the browser closes

    def test_cookies_are_secure_over_https(self, settings, make_app, new_client, world):
        https = settings.model_copy(
            update={"web": WebSettings(base_url="https://outguard.example")}
        )
        client = new_client("https://testserver", make_app(https))
        page = client.get("/login")
        assert "secure" in self._set_cookies(page)["og_csrf"].lower()
        response = client.post(
            "/login",
            data={
                "email": world.email("staff"),
                "password": "correct horse battery",
                "csrf_token": csrf_from(page.text),
            },
        )
        assert response.status_code == 303
        assert "secure" in self._set_cookies(response)["og_session"].lower()


class TestCsrf:
    def test_missing_token_is_refused_and_changes_nothing(
        self, world, sign_in, db_session
    ):
        client = sign_in("owner")
        before = _count(db_session, Organization)
        response = client.post(
            "/orgs", data={"name": "Sneaky Vendor", "kind": "vendor"}
        )
        assert response.status_code == 403
        assert "did not come from this site" in response.text
        assert _count(db_session, Organization) == before

    def test_forged_token_is_refused(self, world, sign_in, db_session):
        client = sign_in("owner")
        before = _count(db_session, Organization)
        response = client.post(
            "/orgs", data={"name": "Sneaky", "kind": "vendor", "csrf_token": "0" * 64}
        )
        assert response.status_code == 403
        assert _count(db_session, Organization) == before

    def test_token_from_another_browser_is_refused(self, world, sign_in, new_client):
        victim = sign_in("owner")
        attacker = new_client()
        stolen = attacker.csrf("/login")  # valid for the attacker's own cookie only
        response = victim.post(
            "/users/" + str(world.people["staff"].id) + "/disable",
            data={"csrf_token": stolen},
        )
        assert response.status_code == 403
        assert world.refresh(world.people["staff"]).is_active

    def test_token_is_bound_to_the_session(self, world, sign_in, new_client):
        client = new_client()
        anonymous_token = client.csrf("/login")
        sign_in("owner", client)
        response = client.post(
            "/account/sessions/revoke-all", data={"csrf_token": anonymous_token}
        )
        assert response.status_code == 403

    def test_login_form_needs_the_token_too(self, world, new_client, db_session):
        before = _count(db_session, AuditEvent)
        response = new_client().post(
            "/login", data={"email": world.email("staff"), "password": "x" * 12}
        )
        assert response.status_code == 403
        assert _count(db_session, AuditEvent) == before  # not even a failure recorded

    def test_every_state_changing_page_route_checks_the_token(
        self, app, world, sign_in
    ):
        client = sign_in("owner")
        unsafe = [
            (method, route.path)
            for route in iter_route_contexts(app.routes)
            for method in (route.methods or set())
            if method in {"POST", "PUT", "PATCH", "DELETE"}
            and not route.path.startswith("/api/")
        ]
        assert len(unsafe) > 10
        ids = {
            "user_id": world.people["staff"].id,
            "invitation_id": world.invitation(world.client)[0].id,
            "token_id": world.api_token("owner")[0].id,
            "token": world.invitation(world.client)[1],
        }
        # The CSRF check runs before anything looks the object up: any id will do.
        for name in (
            "engagement_id",
            "approval_id",
            "exception_id",
            "template_id",
            "module_id",
            "dataset_id",
            "share_id",
            "return_id",
            "trace_id",
            "attestation_id",
            "rendition_id",
        ):
            ids[name] = uuid.uuid4()
        for method, path in unsafe:
            response = client.request(method, path.format(**ids), data={"name": "x"})
            assert response.status_code == 403, (method, path)
            assert "did not come from this site" in response.text

    def test_api_with_session_cookie_needs_the_header(self, world, sign_in, db_session):
        client = sign_in("owner")
        payload = {
            "name": "Api Vendor",
            "kind": "vendor",
            "parent_id": str(world.client.id),
        }
        before = _count(db_session, Organization)
        response = client.post("/api/v1/orgs", json=payload)
        assert response.status_code == 403
        assert response.json() == {
            "error": "csrf_failed",
            "detail": response.json()["detail"],
        }
        assert _count(db_session, Organization) == before
        response = client.post(
            "/api/v1/orgs", json=payload, headers={"X-CSRF-Token": client.csrf()}
        )
        assert response.status_code == 201

    def test_bearer_token_requests_are_exempt(self, world, new_client):
        _, raw = world.api_token("owner", {"users:manage", "users:read"})
        response = new_client().post(
            f"/api/v1/users/{world.people['auditor'].id}/disable",
            headers={"Authorization": f"Bearer {raw}"},
        )
        assert response.status_code == 200
        assert response.json()["status"] == "disabled"


class TestBodyLimit:
    def test_oversized_body_is_refused_and_changes_nothing(
        self, world, sign_in, db_session, settings
    ):
        client = sign_in("owner")
        before = _count(db_session, Organization)
        big = "x" * (settings.web.max_body_bytes + 1)
        response = client.post(
            "/orgs", data={"name": big, "kind": "vendor", "csrf_token": client.csrf()}
        )
        assert response.status_code == 413
        assert "larger than this server accepts" in response.text
        assert response.headers["content-security-policy"] == CSP
        assert _count(db_session, Organization) == before

    def test_oversized_body_without_length_is_refused_while_streaming(
        self, world, sign_in, db_session, settings
    ):
        client = sign_in("owner")
        payload = (
            b'{"name": "' + b"x" * settings.web.max_body_bytes + b'", "kind": "vendor"}'
        )

        async def chunks():
            for i in range(0, len(payload), 65536):
                yield payload[i : i + 65536]

        before = _count(db_session, Organization)
        response = client.post(
            "/api/v1/orgs",
            content=chunks(),
            headers={"Content-Type": "application/json", "X-CSRF-Token": client.csrf()},
        )
        assert "content-length" not in {k.lower() for k in response.request.headers}
        assert response.status_code == 413
        assert response.json()["error"] == "request_too_large"
        assert _count(db_session, Organization) == before
