"""Page objects: locators by label and role, one class per page."""

from __future__ import annotations

from playwright.sync_api import Page, expect


class LoginPage:
    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url

    def open(self) -> LoginPage:
        self.page.goto(f"{self.base_url}/login")
        expect(self.page.get_by_role("heading", name="Sign in")).to_be_visible()
        return self

    def password_step(self, email: str, password: str) -> None:
        self.page.get_by_label("E-mail address").fill(email)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Continue").click()

    def code_step(self, code: str) -> None:
        expect(self.page.get_by_role("heading", name="Enter your code")).to_be_visible()
        self.page.get_by_label("Code", exact=True).fill(code)
        self.page.get_by_role("button", name="Sign in").click()


class EnrolPage:
    def __init__(self, page: Page) -> None:
        self.page = page

    def secret(self) -> str:
        expect(
            self.page.get_by_role("heading", name="Set up your second factor")
        ).to_be_visible()
        expect(self.page.get_by_role("img", name="QR code")).to_be_visible()
        return self.page.locator("code.secret").inner_text().replace(" ", "")

    def confirm(self, code: str) -> list[str]:
        self.page.get_by_label("Code from the app").fill(code)
        self.page.get_by_role("button", name="Turn on").click()
        codes = self.page.get_by_role("list", name="Recovery codes").get_by_role(
            "listitem"
        )
        expect(codes).to_have_count(10)
        return [c.strip() for c in codes.all_inner_texts()]


class InvitePage:
    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url

    def invite(self, *, org: str, email: str, name: str, role: str) -> str:
        self.page.goto(f"{self.base_url}/users/invite")
        self.page.get_by_label(org).check()
        self.page.get_by_role("button", name="Next").click()
        self.page.get_by_label("E-mail address").fill(email)
        self.page.get_by_label("Name", exact=True).fill(name)
        self.page.get_by_label(role).check()
        self.page.get_by_role("button", name="Send invitation").click()
        expect(self.page.get_by_role("heading", name="Invitation sent")).to_be_visible()
        return self.page.locator("#invite-link").inner_text().strip()
