"""Sharing in the browser: the form, the owner's share page, the agent's viewer (watermarked,
paged, searched) and download, view-only refused by the UI and the API alike."""

from __future__ import annotations

import io
import uuid
from datetime import timedelta

from pypdf import PdfReader

from outguard.shares.certificates import key_sha256, verify_certificate
from outguard.shares.models import Share
from outguard.shares.service import ShareCreate, create_share, render_recipient
from tests.factories.accounts import TEST_PASSWORD
from tests.web import dataset_world as dw
from tests.web import engagement_world as ew


def test_the_share_form_lists_the_engagements_agents(world, sign_in):
    version = dw.scanned(world, "own")
    ew.engagement(world, "own")
    page = sign_in("staff").get(f"/datasets/{version.dataset_id}/share")
    assert page.status_code == 200
    assert "Agent" in page.text
    assert 'name="agent_ids"' in page.text
    assert "eligible" in page.text
    detail = sign_in("staff").get(f"/datasets/{version.dataset_id}")
    assert f'href="/datasets/{version.dataset_id}/share"' in detail.text


def test_share_then_the_agent_views_a_watermarked_page(world, sign_in):
    view = dw.share(world, "own")
    owner = sign_in("owner").get(f"/shares/{view.share.id}")
    assert "ready" in owner.text
    agent = sign_in("agent")
    work = agent.get(f"/work/{view.share.engagement_id}")
    assert f"/shares/{view.share.id}" in work.text
    page = agent.get(f"/work/{view.share.engagement_id}/shares/{view.share.id}")
    assert page.status_code == 200
    assert 'class="watermark"' in page.text
    assert str(world.people["agent"].id) in page.text
    assert page.headers["cache-control"] == "no-store"
    assert "Person One" not in page.text  # names are pseudonymized
    searched = agent.get(
        f"/work/{view.share.engagement_id}/shares/{view.share.id}?q=zzzz-nothing"
    )
    assert "No rows contain" in searched.text


def test_view_only_refuses_downloads_in_the_ui_and_the_api(world, sign_in):
    e = ew.engagement(world, "own")
    view = create_share(
        world.session,
        dw.SYSTEM,
        ShareCreate(
            engagement_id=e.id,
            version_id=dw.scanned(world, "own").id,
            policy="bookkeeping",
            agent_ids=[world.people["agent"].id],
            purpose="View only",
            can_download=False,
            expires_on=world.clock.now().date() + timedelta(days=5),
        ),
        deps=dw.deps(world),
    )
    render_recipient(world.session, view.recipients[0].id, deps=dw.deps(world))
    agent = sign_in("agent")
    page = agent.get(f"/work/{e.id}/shares/{view.share.id}")
    assert "view only" in page.text
    assert "/download" not in page.text
    assert agent.get(f"/work/{e.id}/shares/{view.share.id}/download").status_code == 403
    api = agent.api("GET", f"/api/v1/shares/{view.share.id}/rendition")
    assert api.status_code == 403
    assert "view-only" in api.json()["detail"]


def test_revocation_is_immediate(world, sign_in):
    view = dw.share(world, "own")
    agent = sign_in("agent")
    url = f"/work/{view.share.engagement_id}/shares/{view.share.id}"
    assert agent.get(url).status_code == 200
    owner = sign_in("owner")
    done = owner.submit(
        f"/shares/{view.share.id}/revoke", {"reason": "Work moved in-house"}
    )
    assert done.status_code == 303
    assert "revoked" in owner.get(f"/shares/{view.share.id}").text
    assert agent.get(url).status_code == 403
    assert (
        agent.api("GET", f"/api/v1/shares/{view.share.id}/rendition").status_code == 403
    )


def test_returns_reach_the_owner_who_reidentifies_with_the_password(world, sign_in):
    view = dw.share(world, "own")
    agent = sign_in("agent")
    page = agent.get(f"/work/{view.share.engagement_id}/shares/{view.share.id}")
    assert "Return your worked file" in page.text
    assert f'data-endpoint="/api/v1/shares/{view.share.id}/returns"' in page.text
    row = dw.returned(world, "own")
    owner = sign_in("owner")
    share_page = owner.get(f"/shares/{view.share.id}")
    assert "worked.csv" in share_page.text
    assert "Your password, to re-identify" in share_page.text
    wrong = owner.submit(
        f"/shares/{view.share.id}/returns/{row.id}/reidentify", {"password": "nope"}
    )
    assert wrong.status_code == 303
    assert "The password was not correct" in owner.get(wrong.headers["location"]).text
    done = owner.submit(
        f"/shares/{view.share.id}/returns/{row.id}/reidentify",
        {"password": TEST_PASSWORD},
    )
    assert done.status_code == 303
    after = owner.get(f"/shares/{view.share.id}")
    assert "Download the re-identified file" in after.text
    result = owner.get(f"/shares/{view.share.id}/returns/{row.id}/result")
    assert result.status_code == 200
    assert "attachment" in result.headers["content-disposition"]
    staff = sign_in("staff")
    assert (
        "Your password, to re-identify"
        not in staff.get(f"/shares/{view.share.id}").text
    )


def test_the_certificate_downloads_as_pdf_and_json_that_verify(world, sign_in):
    ids = dw.certificate(world, "own")
    base = f"/shares/{ids['share_id']}/certificates/{ids['certificate_id']}"
    owner = sign_in("owner")
    page = owner.get(base)
    assert "Download PDF" in page.text
    assert "outguard certificate verify" in page.text
    signer = dw.deps(world).signer
    pin = key_sha256(signer.public_key)
    assert pin in page.text
    for suffix, magic in (("certificate.pdf", b"%PDF-"), ("certificate.json", b"{")):
        got = owner.get(f"{base}/{suffix}")
        assert got.status_code == 200
        assert got.content.startswith(magic)
        assert got.headers["cache-control"] == "no-store"
        assert "attachment" in got.headers["content-disposition"]
        check = verify_certificate(got.content, pinned_key_sha256=pin)
        assert check.ok, check.problems
    text = "".join(
        p.extract_text()
        for p in PdfReader(
            io.BytesIO(owner.get(f"{base}/certificate.pdf").content)
        ).pages
    )
    assert "Certificate of destruction" in text
    assert str(ids["share_id"]) in text


def test_the_form_previews_the_protection_and_takes_the_owners_changes(world, sign_in):
    version = dw.scanned(world, "own")
    e = ew.engagement(world, "own")
    staff = sign_in("staff")
    page = staff.get(f"/datasets/{version.dataset_id}/share")
    assert "What the agents will see" in page.text
    assert 'name="protect_PERSON"' in page.text
    assert "Person One" not in page.text  # the preview pseudonymizes the names
    assert "Austin" in page.text  # a city, not personal: kept
    body = {**dw.new_share_body(world, "own"), "protect_PERSON": "drop"}
    fragment = staff.post(
        f"/datasets/{version.dataset_id}/share/preview",
        data={**body, "csrf_token": staff.csrf()},
        headers={"X-Preview": "fragment"},
    )
    assert fragment.status_code == 200
    assert 'id="share-preview"' in fragment.text
    assert "<html" not in fragment.text
    assert "PERSON: pseudonymize → drop (by the owner)" in fragment.text
    assert "Not sent at all: name" in fragment.text
    bad = staff.post(
        f"/datasets/{version.dataset_id}/share/preview",
        data={**body, "protect_PERSON": "tokenize", "csrf_token": staff.csrf()},
        headers={"X-Preview": "fragment"},
    )
    assert "PERSON cannot be tokenized" in bad.text
    created = staff.post(
        f"/datasets/{version.dataset_id}/share",
        data={**body, "csrf_token": staff.csrf()},
    )
    assert created.status_code == 303, created.text
    share_id = created.headers["location"].rsplit("/", 1)[1]
    share = world.session.get(Share, uuid.UUID(share_id))
    assert share.engagement_id == e.id
    assert share.policy_name == "payroll-custom"
    assert "PERSON:\n    action: drop" in share.policy_text


def test_the_whole_team_can_be_chosen_instead_of_agents(world, sign_in):
    version = dw.scanned(world, "own")
    body = {**dw.new_share_body(world, "own"), "agent_ids": [], "whole_team": "on"}
    staff = sign_in("staff")
    page = staff.get(f"/datasets/{version.dataset_id}/share")
    assert 'name="whole_team"' in page.text
    nobody = {**body, "whole_team": ""}
    refused = staff.post(
        f"/datasets/{version.dataset_id}/share",
        data={**nobody, "csrf_token": staff.csrf()},
    )
    assert refused.status_code == 422
    assert "at least one agent, or the whole team" in refused.text
    created = staff.post(
        f"/datasets/{version.dataset_id}/share",
        data={**body, "csrf_token": staff.csrf()},
    )
    assert created.status_code == 303, created.text
    share_page = staff.get(created.headers["location"])
    assert "whole team" in share_page.text
    assert "being made" in share_page.text  # queued: the page follows the render job
    assert 'http-equiv="refresh"' in share_page.text
    assert "Agent" in share_page.text
