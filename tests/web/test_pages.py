"""Pages people use: overview, organisations, people, account (PRG, inline errors)."""

from __future__ import annotations

import re

from outguard.accounts.models import ApiToken, Organization
from outguard.types import OrgKind
from tests.web.harness import password_step


class TestOverview:
    def test_shows_who_and_next_steps(self, world, sign_in):
        page = sign_in("owner").get("/")
        assert "Hello, Owner" in page.text
        assert "Maple Books" in page.text
        assert 'href="/users/invite"' in page.text
        assert "Sign out" in page.text

    def test_empty_state_for_a_client_without_vendors(self, world, sign_in):
        page = sign_in("other").get("/")
        assert "No vendors yet" in page.text
        assert 'href="/orgs#add"' in page.text

    def test_nav_follows_permissions(self, world, sign_in):
        page = sign_in("agent").get("/")
        assert 'href="/orgs"' in page.text
        assert 'href="/users"' not in page.text
        assert 'href="/users/invite"' not in page.text


class TestOrganisations:
    def test_owner_adds_a_vendor(self, world, sign_in, db_session):
        owner = sign_in("owner")
        response = owner.submit("/orgs", {"name": "Harbor Data", "kind": "vendor"})
        assert response.status_code == 303
        detail = owner.get(response.headers["location"])
        assert "Harbor Data" in detail.text
        assert "The organisation was added." in detail.text
        assert (
            "The organisation was added." not in owner.get("/orgs").text
        )  # flash once
        db_session.expire_all()
        org = db_session.query(Organization).filter_by(name="Harbor Data").one()
        assert org.kind == OrgKind.VENDOR
        assert org.parent_id == world.client.id

    def test_vendor_admin_adds_a_subcontractor_only(self, world, sign_in):
        vadmin = sign_in("vadmin")
        assert 'value="subcontractor"' in vadmin.get("/orgs").text
        refused = vadmin.submit("/orgs", {"name": "Sneaky Vendor", "kind": "vendor"})
        assert refused.status_code == 403
        made = vadmin.submit("/orgs", {"name": "Sub One", "kind": "subcontractor"})
        assert made.status_code == 303

    def test_invalid_name_is_shown_inline(self, world, sign_in, db_session):
        owner = sign_in("owner")
        response = owner.submit("/orgs", {"name": "x", "kind": "vendor"})
        assert response.status_code == 422
        assert 'id="f-name-error"' in response.text
        assert 'aria-invalid="true"' in response.text

    def test_duplicate_name_is_shown_inline(self, world, sign_in):
        owner = sign_in("owner")
        response = owner.submit("/orgs", {"name": "Northwind BPO", "kind": "vendor"})
        assert response.status_code == 409
        assert "already exists" in response.text
        assert 'value="Northwind BPO"' in response.text

    def test_detail_lists_people_when_allowed(self, world, sign_in):
        page = sign_in("owner").get(f"/orgs/{world.vendor.id}")
        assert world.email("agent") in page.text
        agent_view = sign_in("agent").get(f"/orgs/{world.vendor.id}")
        assert agent_view.status_code == 200
        assert world.email("vadmin") not in agent_view.text


class TestPeople:
    def test_manage_buttons_only_where_allowed(self, world, sign_in):
        owner_view = sign_in("owner").get("/users").text
        assert f"/users/{world.people['staff'].id}/disable" in owner_view
        assert (
            f"/users/{world.people['owner'].id}/disable" not in owner_view
        )  # not self
        assert (
            f"/users/{world.people['agent'].id}/disable" not in owner_view
        )  # vendor's
        auditor_view = sign_in("auditor").get("/users").text
        assert "/disable" not in auditor_view
        assert world.email("staff") in auditor_view

    def test_disable_enable_and_reset_mfa(self, world, sign_in):
        owner = sign_in("owner")
        staff_id = world.people["staff"].id
        response = owner.submit(f"/users/{staff_id}/disable")
        assert response.headers["location"] == "/users"
        assert "account was disabled" in owner.get("/users").text
        assert not world.refresh(world.people["staff"]).is_active
        owner.submit(f"/users/{staff_id}/enable")
        assert world.refresh(world.people["staff"]).is_active
        owner.submit(f"/users/{world.people['security'].id}/reset-mfa")
        assert not world.refresh(world.people["security"]).has_mfa

    def test_cannot_disable_yourself(self, world, sign_in):
        owner = sign_in("owner")
        response = owner.submit(f"/users/{world.people['owner'].id}/disable")
        assert response.status_code == 403
        assert world.refresh(world.people["owner"]).is_active


class TestAccount:
    def test_change_password(self, world, sign_in, new_client):
        client = sign_in("staff")
        response = client.submit(
            "/account/password",
            {
                "current_password": "correct horse battery",
                "new_password": "a brand new passphrase",
                "new_password_confirm": "a brand new passphrase",
            },
        )
        assert response.status_code == 303
        assert "password was changed" in client.get("/account").text
        fresh = new_client()
        assert (
            password_step(
                fresh, world, "staff", password="a brand new passphrase"
            ).status_code
            == 303
        )

    def test_wrong_current_password_is_inline(self, world, sign_in):
        client = sign_in("staff")
        response = client.submit(
            "/account/password",
            {
                "current_password": "not my password",
                "new_password": "a brand new passphrase",
                "new_password_confirm": "a brand new passphrase",
            },
        )
        assert response.status_code == 422
        assert 'id="f-current_password-error"' in response.text
        assert client.get("/").status_code == 200  # still signed in

    def test_create_token_shows_it_once_then_revoke(
        self, world, sign_in, db_session, new_client
    ):
        client = sign_in("staff")
        page = client.get("/account")
        assert 'value="orgs:read"' in page.text
        assert 'value="users:manage"' not in page.text  # only scopes the roles grant
        response = client.submit(
            "/account/tokens",
            {
                "name": "nightly export",
                "scopes": ["orgs:read"],
                "expires_in_days": "30",
            },
        )
        assert response.status_code == 200
        raw = re.search(r'id="api-token">(og_[^<]+)<', response.text).group(1)
        account = client.get("/account").text
        assert "nightly export" in account
        assert raw not in account
        assert (
            new_client()
            .get("/api/v1/orgs", headers={"Authorization": f"Bearer {raw}"})
            .status_code
            == 200
        )
        db_session.expire_all()
        token = db_session.query(ApiToken).filter_by(name="nightly export").one()
        assert client.submit(f"/account/tokens/{token.id}/revoke").status_code == 303
        assert (
            new_client()
            .get("/api/v1/orgs", headers={"Authorization": f"Bearer {raw}"})
            .status_code
            == 401
        )

    def test_token_form_errors_are_inline(self, world, sign_in):
        response = sign_in("staff").submit(
            "/account/tokens", {"name": "", "expires_in_days": "30"}
        )
        assert response.status_code == 422
        assert 'id="f-name-error"' in response.text

    def test_tokens_hidden_for_roles_without_them(self, world, sign_in):
        page = sign_in("auditor").get("/account")
        assert "Personal API tokens" not in page.text
