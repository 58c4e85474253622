"""The JSON API: token authentication and scopes, response shapes, error mapping."""

from __future__ import annotations

import logging

from outguard.accounts.models import Organization
from outguard.accounts.schemas import OrgCreate
from outguard.accounts.service import orgs
from outguard.security.permissions import Permission
from outguard.types import Actor, OrgKind
from outguard.web.deps import DbSession, Deps
from tests.web.harness import password_step


def _bearer(raw: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw}"}


class TestTokenAuth:
    def test_token_with_the_right_scope_works(self, world, new_client):
        _, raw = world.api_token("owner", {Permission.ORGS_READ})
        response = new_client().get("/api/v1/orgs", headers=_bearer(raw))
        assert response.status_code == 200
        names = {o["name"] for o in response.json()}
        assert names == {"Maple Books", "Northwind BPO"}

    def test_me_shows_only_the_tokens_effective_permissions(self, world, new_client):
        _, raw = world.api_token("owner", {Permission.ORGS_READ})
        body = new_client().get("/api/v1/me", headers=_bearer(raw)).json()
        assert body["user"]["email"] == world.email("owner")
        assert body["organization"]["name"] == "Maple Books"
        assert body["permissions"] == ["orgs:read"]
        assert "password_hash" not in body["user"]

    def test_wrong_scope_is_forbidden(self, world, new_client):
        _, raw = world.api_token("owner", {Permission.ORGS_READ})
        response = new_client().get("/api/v1/users", headers=_bearer(raw))
        assert response.status_code == 403
        assert response.json()["error"] == "permission_denied"

    def test_token_cannot_mint_tokens(self, world, new_client):
        _, raw = world.api_token("owner", {Permission.TOKENS_MANAGE})
        response = new_client().post(
            "/api/v1/tokens",
            headers=_bearer(raw),
            json={"name": "x", "scopes": ["orgs:read"]},
        )
        assert response.status_code == 403

    def test_revoked_token_is_refused(self, world, sign_in, new_client):
        token, raw = world.api_token("staff", {Permission.ORGS_READ})
        staff = sign_in("staff")
        assert staff.submit(f"/account/tokens/{token.id}/revoke").status_code == 303
        response = new_client().get("/api/v1/orgs", headers=_bearer(raw))
        assert response.status_code == 401
        assert response.json()["error"] == "api_token_invalid"
        assert response.headers["www-authenticate"] == "Bearer"

    def test_garbage_and_non_bearer_credentials_are_refused(self, world, sign_in):
        client = sign_in("owner")  # a valid session cookie must not rescue a bad header
        for header in ("Bearer og_nonsense", "Basic b3duZXI6cGFzcw=="):
            response = client.get("/api/v1/me", headers={"Authorization": header})
            assert response.status_code == 401

    def test_session_cookie_works_for_reads(self, world, sign_in):
        response = sign_in("staff").get("/api/v1/me")
        assert response.status_code == 200
        assert "users:read" in response.json()["permissions"]

    def test_half_signed_in_session_is_not_enough(self, world, new_client):
        client = new_client()
        password_step(client, world, "owner")
        assert client.get("/api/v1/me").status_code == 401

    def test_created_token_is_returned_once(self, world, sign_in):
        client = sign_in("staff")
        response = client.api(
            "POST", "/api/v1/tokens", json={"name": "ci", "scopes": ["orgs:read"]}
        )
        assert response.status_code == 201
        raw = response.json()["token"]
        assert raw.startswith("og_")
        listed = client.get("/api/v1/tokens").json()
        assert raw not in str(listed)
        assert listed[0]["hint"].endswith(raw[-4:])

    def test_scope_beyond_roles_is_refused(self, world, sign_in):
        response = sign_in("staff").api(
            "POST", "/api/v1/tokens", json={"name": "x", "scopes": ["users:manage"]}
        )
        assert response.status_code == 422
        assert response.json()["error"] == "invalid"


class TestErrors:
    def test_validation_errors_name_fields_not_values(self, world, sign_in, db_session):
        client = sign_in("owner")
        response = client.api(
            "POST",
            "/api/v1/invitations",
            json={
                "org_id": str(world.client.id),
                "email": "secret-person-at-example",
                "display_name": "",
                "roles": [],
            },
        )
        assert response.status_code == 422
        body = response.json()
        assert body["error"] == "invalid_request"
        fields = {f["field"] for f in body["fields"]}
        assert {"email", "display_name", "roles"} <= fields
        assert "secret-person-at-example" not in response.text

    def test_invalid_json_is_a_clear_422(self, world, sign_in):
        client = sign_in("owner")
        response = client.post(
            "/api/v1/orgs",
            content=b"{not json",
            headers={"Content-Type": "application/json", "X-CSRF-Token": client.csrf()},
        )
        assert response.status_code == 422
        assert response.json()["error"] == "invalid_request"

    def test_conflict_maps_to_409(self, world, sign_in):
        payload = {
            "name": "Dup Vendor",
            "kind": "vendor",
            "parent_id": str(world.client.id),
        }
        client = sign_in("owner")
        assert client.api("POST", "/api/v1/orgs", json=payload).status_code == 201
        response = client.api("POST", "/api/v1/orgs", json=payload)
        assert response.status_code == 409
        assert response.json() == {
            "error": "already_exists",
            "detail": "An organisation with that name already exists here.",
        }

    def test_unknown_api_path_is_json_404(self, new_client):
        response = new_client().get("/api/v1/nothing-here")
        assert response.status_code == 404
        assert response.json()["error"] == "not_found"

    def test_malformed_id_is_422_not_500(self, world, sign_in):
        response = sign_in("owner").get("/api/v1/orgs/not-a-uuid")
        assert response.status_code == 422

    def test_unexpected_error_is_500_with_request_id_and_no_traceback(
        self, app, new_client, caplog
    ):
        def explode() -> None:
            msg = "database password is hunter2"
            raise RuntimeError(msg)

        app.add_api_route("/api/v1/explode", explode)
        app.add_api_route("/explode", explode)
        with caplog.at_level(logging.ERROR, logger="outguard.web"):
            api = new_client().get("/api/v1/explode")
            page = new_client().get("/explode")
        assert api.status_code == page.status_code == 500
        request_id = api.headers["x-request-id"]
        assert api.json()["error"] == "internal_error"
        assert request_id in api.json()["detail"]
        assert "hunter2" not in api.text
        assert "hunter2" not in page.text
        assert page.headers["x-request-id"] in page.text
        assert page.headers["content-security-policy"].startswith("default-src")
        assert "hunter2" in caplog.text  # the traceback stays in the server log

    def test_failed_request_changes_nothing(self, world, db_session, app, new_client):
        """An error after a write inside the request rolls the whole request back."""

        def create_then_fail(session: DbSession, deps: Deps) -> None:
            orgs.create_org(
                session,
                Actor.system("test"),
                OrgCreate(name="Half Done", kind=OrgKind.CLIENT),
                clock=deps.clock,
            )
            msg = "boom after the insert"
            raise RuntimeError(msg)

        app.add_api_route("/api/v1/half-done", create_then_fail)
        assert new_client().get("/api/v1/half-done").status_code == 500
        db_session.expire_all()
        assert db_session.query(Organization).filter_by(name="Half Done").count() == 0


class TestHealth:
    def test_healthz_checks_the_database(self, new_client):
        response = new_client().get("/healthz")
        assert response.status_code == 200
        assert response.json() == {"status": "ok", "database": "ok"}

    def test_openapi_lists_the_api_only(self, new_client):
        spec = new_client().get("/api/v1/openapi.json").json()
        assert "/api/v1/me" in spec["paths"]
        assert all(p.startswith("/api/v1/") for p in spec["paths"])
        assert "ApiToken" in spec["components"]["securitySchemes"]
