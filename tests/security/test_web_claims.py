"""Threat-model claims about the web adapter (T1, T9, T12 and the invite-link secret).

The fixtures come from tests/web/harness.py (bound here by name).
"""

from __future__ import annotations

import logging

from outguard.accounts.models import Organization
from tests.web import harness

accounts_deps = harness.accounts_deps
app = harness.app
mailer = harness.mailer
new_client = harness.new_client
portal = harness.portal
sign_in = harness.sign_in
world = harness.world


def test_t9_cross_site_form_post_changes_nothing(world, sign_in, db_session):
    """A form posted from another site carries the cookies but cannot know the token."""
    victim = sign_in("owner")
    before = db_session.query(Organization).count()
    response = victim.post(
        "/orgs",
        data={"name": "Evil Vendor", "kind": "vendor"},
        headers={"Origin": "https://evil.example", "Referer": "https://evil.example/"},
    )
    assert response.status_code == 403
    db_session.expire_all()
    assert db_session.query(Organization).count() == before


def test_t12_injected_markup_is_escaped(world, sign_in):
    owner = sign_in("owner")
    name = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    response = owner.submit("/orgs", {"name": name, "kind": "vendor"})
    assert response.status_code == 303
    html = owner.get("/orgs").text
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert" in html
    assert "<img src=x" not in html


def test_t12_app_cannot_be_framed(new_client):
    headers = new_client().get("/login").headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"


def test_t1_other_tenant_pages_are_not_found(world, sign_in):
    other = sign_in("other")
    assert other.get(f"/orgs/{world.client.id}").status_code == 404
    assert other.get(f"/api/v1/users/{world.people['owner'].id}").status_code == 404
    listing = other.get("/api/v1/users").json()
    assert {u["email"] for u in listing} == {world.email("other")}


def test_invitation_tokens_never_reach_the_logs(world, new_client, caplog):
    _, token = world.invitation(world.client)
    with caplog.at_level(logging.INFO, logger="outguard"):
        assert new_client().get(f"/invite/{token}").status_code == 200
        assert new_client().get(f"/invite/{token}x").status_code == 404
    assert "/invite/[redacted]" in caplog.text
    assert token not in caplog.text


def test_no_open_redirect_after_sign_in(world, new_client):
    client = new_client()
    response = client.submit(
        "/login",
        {
            "email": world.email("staff"),
            "password": "correct horse battery",
            "next": "https://evil.example/phish",
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/"
