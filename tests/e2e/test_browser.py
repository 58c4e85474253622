"""In a real browser against a live `outguard serve`: sign in with TOTP, invite, enrol MFA."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from outguard.accounts.service.demo import demo_people
from outguard.security import totp
from tests.e2e.pages import EnrolPage, InvitePage, LoginPage

PEOPLE = {p.email: p for p in demo_people()}


@pytest.mark.parametrize("email", list(PEOPLE))
def test_each_demo_user_signs_in(live_server, browser, signed_in_state, email):
    context = browser.new_context(storage_state=signed_in_state(email))
    page = context.new_page()
    page.goto(live_server.url + "/")
    expect(page.get_by_text(PEOPLE[email].name).first).to_be_visible()
    expect(page.get_by_text(PEOPLE[email].org).first).to_be_visible()
    context.close()


def test_wrong_password_is_refused_in_the_browser(live_server, page):
    login = LoginPage(page, live_server.url).open()
    login.password_step("owner@maple.example", "not the password at all")
    expect(page.get_by_role("alert")).to_contain_text("not correct")


def test_invite_then_new_user_enrols_mfa(live_server, browser, signed_in_state):
    owner = browser.new_context(storage_state=signed_in_state("owner@maple.example"))
    link = InvitePage(owner.new_page(), live_server.url).invite(
        org="Maple Street Bookkeeping",
        email="new.officer@maple.example",
        name="Nora Officer",
        role="Security officer",
    )
    owner.close()
    assert "/invite/ogi_" in link

    newcomer = browser.new_context()
    page = newcomer.new_page()
    page.goto(link)
    expect(
        page.get_by_role("heading", name=re.compile("Join Maple Street Bookkeeping"))
    ).to_be_visible()
    page.get_by_label("Password", exact=True).fill("a long passphrase for nora")
    page.get_by_label("Password again").fill("a long passphrase for nora")
    page.get_by_role("button", name="Create my account").click()

    login = LoginPage(page, live_server.url)
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    login.password_step("new.officer@maple.example", "a long passphrase for nora")
    enrol = EnrolPage(page)
    secret = enrol.secret()
    codes = enrol.confirm(totp.current_code(secret, datetime.now(UTC)))
    assert len(set(codes)) == 10
    page.get_by_role(
        "link", name=re.compile("continue|saved", re.IGNORECASE)
    ).first.click()
    expect(page.get_by_text("Nora Officer").first).to_be_visible()

    # The link worked once.
    page.goto(link)
    expect(
        page.get_by_text(
            re.compile("not valid|expired|already used", re.IGNORECASE)
        ).first
    ).to_be_visible()
    newcomer.close()
