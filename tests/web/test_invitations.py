"""Inviting people through the pages, and accepting an invitation."""

from __future__ import annotations

import re
from datetime import timedelta

from outguard.accounts.models import Invitation, User
from tests.web.harness import password_step


def _accept(client, token: str, password: str = "a long new passphrase", confirm=None):  # noqa: S107
    return client.submit(
        f"/invite/{token}",
        {
            "display_name": "Nina Newcomer",
            "password": password,
            "password_confirm": confirm if confirm is not None else password,
        },
        page=f"/invite/{token}",
    )


class TestInvite:
    def test_owner_invites_staff_and_sees_the_link_once(self, world, sign_in, mailer):
        owner = sign_in("owner")
        chooser = owner.get("/users/invite")
        assert "Which organisation will they join?" in chooser.text
        form = owner.get(f"/users/invite?org={world.client.id}")
        assert 'value="staff"' in form.text
        assert 'value="agent"' not in form.text  # roles valid for a client only
        response = owner.submit(
            "/users/invite",
            {
                "org_id": str(world.client.id),
                "email": "Nina@Example.test",
                "display_name": "Nina Newcomer",
                "roles": ["staff", "auditor"],
            },
        )
        assert response.status_code == 200
        link = re.search(
            r'<code class="secret" id="invite-link">([^<]+)</code>', response.text
        )
        assert link is not None
        assert (
            "We e-mailed an invitation to <strong>nina@example.test</strong>"
            in response.text
        )
        assert len(mailer.sent) == 1
        assert link.group(1) in mailer.sent[0].text
        listing = owner.get("/users")
        assert "nina@example.test" in listing.text
        assert link.group(1) not in listing.text  # never shown again

    def test_owner_may_only_invite_a_vendor_admin_into_its_vendor(self, world, sign_in):
        owner = sign_in("owner")
        form = owner.get(f"/users/invite?org={world.vendor.id}")
        assert 'value="vendor_admin"' in form.text
        assert 'value="agent"' not in form.text

    def test_form_errors_are_shown_inline_and_input_kept(
        self, world, sign_in, db_session
    ):
        owner = sign_in("owner")
        response = owner.submit(
            "/users/invite",
            {
                "org_id": str(world.client.id),
                "email": "not-an-email",
                "display_name": "Kim",
            },
        )
        assert response.status_code == 422
        assert 'id="f-email-error"' in response.text
        assert 'value="Kim"' in response.text
        db_session.expire_all()
        assert db_session.query(Invitation).count() == 0

    def test_duplicate_email_is_refused_inline(self, world, sign_in, mailer):
        owner = sign_in("owner")
        response = owner.submit(
            "/users/invite",
            {
                "org_id": str(world.client.id),
                "email": world.email("staff"),
                "display_name": "Twin",
                "roles": ["staff"],
            },
        )
        assert response.status_code == 409
        assert "already uses that e-mail address" in response.text
        assert mailer.sent == []

    def test_withdrawn_invitation_no_longer_works(self, world, sign_in, new_client):
        invitation, token = world.invitation(world.client)
        owner = sign_in("owner")
        response = owner.submit(f"/invitations/{invitation.id}/revoke")
        assert response.headers["location"] == "/users"
        assert new_client().get(f"/invite/{token}").status_code == 404


class TestAccept:
    def test_accept_then_sign_in(self, world, new_client, db_session):
        _, token = world.invitation(world.client, email="nina@example.test")
        client = new_client()
        page = client.get(f"/invite/{token}")
        assert page.status_code == 200
        assert "nina@example.test" in page.text
        assert "Maple Books" in page.text
        response = _accept(client, token)
        assert response.status_code == 303
        assert response.headers["location"] == "/login"
        assert "Your account is ready" in client.get("/login").text
        db_session.expire_all()
        user = db_session.query(User).filter_by(email="nina@example.test").one()
        assert user.display_name == "Nina Newcomer"
        world.people["nina"] = user
        assert (
            password_step(
                client, world, "nina", password="a long new passphrase"
            ).status_code
            == 303
        )

    def test_invitation_is_accepted_once(self, world, new_client):
        _, token = world.invitation(world.client)
        assert _accept(new_client(), token).status_code == 303
        again = new_client()
        assert again.get(f"/invite/{token}").status_code == 404
        response = again.post(
            f"/invite/{token}",
            data={
                "password": "a long new passphrase",
                "csrf_token": again.csrf("/login"),
            },
        )
        assert response.status_code == 404
        assert "already used" in response.text

    def test_expired_invitation_is_refused_with_a_clear_message(
        self, world, new_client, accounts_deps
    ):
        _, token = world.invitation(world.client)
        world.clock.advance(timedelta(hours=accounts_deps.auth.invite_ttl_hours + 1))
        response = new_client().get(f"/invite/{token}")
        assert response.status_code == 404
        assert "has expired" in response.text
        assert "Ask your administrator for a new one" in response.text

    def test_weak_or_mismatched_password_changes_nothing(
        self, world, new_client, db_session
    ):
        invitation, token = world.invitation(world.client)
        client = new_client()
        mismatch = _accept(client, token, confirm="something else entirely")
        assert mismatch.status_code == 422
        assert "not the same" in mismatch.text
        weak = _accept(client, token, password="short")
        assert weak.status_code == 422
        assert "at least 12 characters" in weak.text
        assert world.refresh(invitation).accepted_at is None
        assert _accept(client, token).status_code == 303

    def test_garbage_token_is_not_found(self, new_client):
        assert new_client().get("/invite/ogi_nonsense").status_code == 404
