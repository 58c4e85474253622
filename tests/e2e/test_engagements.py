"""The engagement story in a real browser (issue: engagements, "done when").

Client creates an engagement → vendor admin invites an agent → the agent is blocked and sees
why → signs, trains, attests → is allowed; the client approves a sub-contractor; a training
that no longer counts (the owner requires a retake) blocks access again.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from playwright.sync_api import Page, expect

from outguard.accounts.service.demo import DEMO_PASSWORD
from outguard.security import totp
from tests.e2e.pages import EnrolPage, InvitePage, LoginPage

ENGAGEMENT = "Year-end tax preparation"
AGENT_EMAIL = "nia.agent@northwind.example"
AGENT_PASSWORD = "a long passphrase for nia"
SHOTS = Path("test-artifacts") / "screenshots"


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _sign(
    page: Page,
    base: str,
    title: str,
    name: str,
    password: str,
    engagement: str | None = None,
) -> None:
    page.goto(f"{base}/agreements")
    page.get_by_role("link", name=title).first.click()
    if engagement is not None:
        page.get_by_label("For the engagement").select_option(label=engagement)
    page.get_by_label("Type your full name").fill(name)
    page.get_by_label(re.compile("I have read this text")).check()
    page.get_by_label(re.compile("Your password")).fill(password)
    page.get_by_role("button", name="Sign", exact=True).click()
    expect(page.get_by_role("heading", name="Signature receipt")).to_be_visible()


def _create_engagement(op: Page, base: str, today: date) -> str:
    op.goto(f"{base}/engagements/new")
    op.get_by_label("Name", exact=True).fill(ENGAGEMENT)
    op.get_by_label("Vendor", exact=True).select_option(label="Northwind Outsourcing")
    op.get_by_label("Purpose and scope").fill(
        "Prepare individual tax returns for the season."
    )
    op.get_by_label("tax preparation").check()
    op.get_by_label("Starts on").fill(str(today - timedelta(days=1)))
    op.get_by_label(re.compile("^Ends on")).fill(str(today + timedelta(days=120)))
    op.get_by_label("Vendor's jurisdiction").fill("IN")
    op.get_by_label("Countries where processing is allowed").fill("IN")
    op.get_by_label(re.compile("Allow, and flag it")).check()
    op.get_by_role("button", name="Create as draft").click()
    expect(op.get_by_role("heading", name=re.compile(ENGAGEMENT))).to_be_visible()
    op.get_by_label("Activate").check()
    op.get_by_label("Reason (recorded in the audit log)").fill(
        "Engagement letter signed"
    )
    op.get_by_role("button", name="Apply").click()
    expect(op.locator(".state").first).to_have_text(re.compile("active", re.IGNORECASE))
    return op.url


def _agent_joins(browser, vp: Page, base: str) -> Page:
    link = InvitePage(vp, base).invite(
        org="Northwind Outsourcing", email=AGENT_EMAIL, name="Nia Agent", role="agent"
    )
    ap = browser.new_context().new_page()
    ap.goto(link)
    ap.get_by_label("Password", exact=True).fill(AGENT_PASSWORD)
    ap.get_by_label("Password again").fill(AGENT_PASSWORD)
    ap.get_by_role("button", name="Create my account").click()
    LoginPage(ap, base).password_step(AGENT_EMAIL, AGENT_PASSWORD)
    enrol = EnrolPage(ap)
    enrol.confirm(totp.current_code(enrol.secret(), datetime.now(UTC)))
    ap.get_by_role(
        "link", name=re.compile("continue|saved", re.IGNORECASE)
    ).first.click()
    return ap


def _vendor_enrols(vp: Page, base: str, engagement_url: str, today: date) -> None:
    for title in ("Mutual non-disclosure agreement", "Data-processing terms"):
        _sign(
            vp, base, title, "Victor Vendor-Admin", DEMO_PASSWORD, engagement=ENGAGEMENT
        )
    vp.goto(engagement_url)
    vp.get_by_label("Agent", exact=True).select_option(
        label=f"Nia Agent ({AGENT_EMAIL})"
    )
    vp.get_by_label("Site").select_option(label="Pune delivery centre")
    vp.get_by_role("button", name="Enrol").click()
    row = vp.get_by_role("row", name=re.compile("Nia Agent")).filter(
        has=vp.get_by_role("button", name="Attest screening")
    )
    row.get_by_label("performed on").fill(str(today - timedelta(days=30)))
    row.get_by_role("button", name="Attest screening").click()
    expect(vp.get_by_role("status")).to_contain_text("screening")


def _agent_complies(ap: Page, base: str) -> None:
    for title in (
        "Agent confidentiality undertaking",
        "Acceptable use of client data",
        "Non-solicitation undertaking",
    ):
        _sign(ap, base, title, "Nia Agent", AGENT_PASSWORD)
    ap.goto(f"{base}/training")
    ap.get_by_role("link", name="Handling client data at Maple Street").first.click()
    for answer in (
        "Only inside outguard, from the office network",
        "Refuse: files stay inside outguard",
        "Tell your supervisor and the client's security officer",
        "Report it as phishing",
    ):
        ap.get_by_label(answer).check()
    ap.get_by_role("button", name="Submit answers").click()
    expect(ap.get_by_role("status")).to_contain_text("You passed")
    ap.goto(f"{base}/workstation")
    for label in (
        "Full-disk encryption is on",
        "The firewall is on",
        "Antivirus / EDR is running",
        "Operating-system updates are installed automatically",
        "USB mass storage is blocked",
    ):
        ap.get_by_role("group", name=label).get_by_label("Yes").check()
    ap.get_by_role("button", name="I confirm these answers").click()


def test_engagement_story(live_server, browser, signed_in_state):
    base = live_server.url
    today = date.today()  # noqa: DTZ011 - the live server runs on the real clock
    owner = browser.new_context(storage_state=signed_in_state("owner@maple.example"))
    op = owner.new_page()
    vendor = browser.new_context(
        storage_state=signed_in_state("admin@northwind.example")
    )
    vp = vendor.new_page()

    # 1. The client's owner creates an engagement and activates it.
    engagement_url = _create_engagement(op, base, today)
    # 2. The vendor admin invites an agent, who joins; the vendor signs and enrols her.
    ap = _agent_joins(browser, vp, base)
    _vendor_enrols(vp, base, engagement_url, today)

    # 3. The agent is blocked and sees why.
    ap.goto(f"{base}/checklist")
    expect(ap.get_by_text(re.compile("Access blocked"))).to_be_visible()
    expect(ap.get_by_text(re.compile("Confidentiality undertaking"))).to_be_visible()
    _shot(ap, "agent-checklist-blocked")

    # 4. She signs, trains, attests, and is allowed.
    _agent_complies(ap, base)
    ap.goto(f"{base}/checklist")
    section = ap.get_by_role("region", name=ENGAGEMENT)
    expect(section.get_by_text("You have access")).to_be_visible()
    section.get_by_role("link", name="Open the workspace").click()
    expect(ap.get_by_text(re.compile("Access granted"))).to_be_visible()
    _shot(ap, "agent-workspace-allowed")

    # 5. The client approves the sub-contractor on the demo engagement: Hugo turns green.
    op.goto(f"{base}/engagements")
    op.get_by_role("link", name="Monthly bookkeeping and payroll").click()
    expect(op.get_by_role("row", name=re.compile("Hugo Sub-Agent"))).to_contain_text(
        "red"
    )
    op.get_by_placeholder("Note for the record").fill("Manila audit closed")
    op.get_by_role("button", name="Approve").click()
    expect(op.get_by_role("row", name=re.compile("Hugo Sub-Agent"))).to_contain_text(
        "green"
    )
    _shot(op, "client-compliance-matrix")

    # 6. The owner requires everyone to retake the training: Nia is blocked again.
    op.goto(f"{base}/training")
    op.get_by_role("link", name="Handling client data at Maple Street").first.click()
    op.get_by_role("button", name=re.compile("Require everyone to retake")).click()
    ap.goto(f"{base}/work/{engagement_url.rsplit('/', 1)[1]}")
    expect(ap.get_by_text(re.compile("Access denied"))).to_be_visible()
    expect(ap.get_by_text(re.compile("retake required"))).to_be_visible()
    _shot(ap, "agent-blocked-after-retake")
    for context in (owner, vendor, ap.context):
        context.close()
