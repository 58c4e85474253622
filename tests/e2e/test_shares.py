"""In a real browser: staff share an uploaded payroll file with two agents of the demo
engagement; Asha (compliant) gets her copy, views it under her watermark and downloads it;
Ben (training missing) waits, with the reason; a 30-row subset of Asha's download handed in
by the owner is traced to her; her copy is revoked and the viewer refuses at once."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from outguard.accounts.service.demo import DEMO_PASSWORD

SHOTS = Path("test-artifacts") / "screenshots"


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _upload(page: Page, base: str, path: Path) -> str:
    page.goto(base + "/datasets")
    page.set_input_files("#f-file", str(path))
    page.get_by_label("Dataset name (optional: the file name)").fill(
        "Share story payroll"
    )
    page.get_by_role("button", name="Upload").click()
    page.wait_for_url(re.compile(r"/datasets/[0-9a-f-]{36}$"))
    expect(page.get_by_role("heading", name="Personal data found")).to_be_visible(
        timeout=30_000
    )
    return page.url


def _choose_demo_engagement(sp: Page) -> None:
    chooser = sp.get_by_label("Engagement")
    if chooser.count():  # other stories may have activated more engagements
        chooser.select_option(label="Monthly bookkeeping and payroll")
        sp.get_by_role("button", name="Choose").click()


def _asha_is_trained(browser, signed_in_state, base: str) -> None:
    """Other stories may have required a retake of the training: Asha takes it (again)."""
    context = browser.new_context(
        storage_state=signed_in_state("agent1@northwind.example")
    )
    ap = context.new_page()
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
    context.close()


def test_share_view_wait_and_revoke(live_server, browser, signed_in_state, tmp_path):
    base = live_server.url
    _asha_is_trained(browser, signed_in_state, base)
    export = tmp_path / "payroll-story.csv"
    export.write_text(
        "employee,ssn,email,amount\n"
        + "".join(
            f"Person {i},536-22-{8700 + i:04d},p{i}@example.com,{100 + i}\n"
            for i in range(40)
        )
    )
    staff = browser.new_context(storage_state=signed_in_state("staff@maple.example"))
    sp = staff.new_page()
    _upload(sp, base, export)
    sp.get_by_role("link", name="Share with agents").click()
    _choose_demo_engagement(sp)
    sp.get_by_label(re.compile("Asha Agent")).check()
    sp.get_by_label(re.compile("Ben Agent")).check()
    sp.get_by_label("Protection").select_option("payroll")
    sp.get_by_label("Purpose (recorded)").fill("December payroll run")
    sp.get_by_label(re.compile("download it")).check()
    _shot(sp, "share-new")
    sp.get_by_role("button", name="Share").click()
    expect(sp.get_by_text("Shared.")).to_be_visible()
    share_url = sp.url
    ben = sp.get_by_role("row", name=re.compile("Ben Agent"))
    expect(ben).to_contain_text("waiting")
    expect(ben).to_contain_text(re.compile("Handling client data", re.IGNORECASE))
    asha_row = sp.get_by_role("row", name=re.compile("Asha Agent"))
    for _ in range(30):  # the embedded worker renders the copy
        if "ready" in asha_row.inner_text():
            break
        sp.wait_for_timeout(1000)
        sp.reload()
    expect(asha_row).to_contain_text("ready")
    _shot(sp, "share-detail")

    asha = browser.new_context(
        storage_state=signed_in_state("agent1@northwind.example")
    )
    ap = asha.new_page()
    ap.goto(base + "/checklist")
    ap.get_by_role(
        "link", name=re.compile("workspace|Open", re.IGNORECASE)
    ).first.click()
    expect(ap.get_by_text("December payroll run")).to_be_visible()
    ap.get_by_role("link", name="Open").first.click()
    expect(ap.locator(".watermark").first).to_contain_text("Asha Agent")
    expect(ap.get_by_role("columnheader", name="ssn")).to_be_visible()
    assert "536-22-8700" not in ap.content()
    _shot(ap, "viewer-watermark")
    viewer_url = ap.url
    with ap.expect_download() as download:
        ap.get_by_role("link", name="Download (recorded)").click()
    lines = Path(download.value.path()).read_text(encoding="utf-8-sig").splitlines()

    _owner_traces(browser, signed_in_state, base, lines, tmp_path)
    _asha_returns_and_owner_reidentifies(
        browser, signed_in_state, ap, share_url, lines, tmp_path
    )

    _staff_revokes_asha(sp, share_url, ap, viewer_url)
    staff.close()
    asha.close()


def _owner_traces(
    browser, signed_in_state, base: str, lines: list[str], tmp_path
) -> None:
    """The owner hands in a 30-row subset found outside: the trace names Asha."""
    leaked = tmp_path / "found-on-a-forum.csv"
    leaked.write_text("\n".join([lines[0], *lines[5:35]]) + "\n")
    owner = browser.new_context(storage_state=signed_in_state("owner@maple.example"))
    op = owner.new_page()
    op.goto(base + "/leaks")
    op.set_input_files("#f-file", str(leaked))
    op.get_by_role("button", name="Upload").click()
    op.wait_for_url(re.compile(r"/leaks/[0-9a-f-]{36}$"))
    expect(op.get_by_role("heading", name=re.compile("Asha Agent"))).to_be_visible()
    expect(op.get_by_text("attributed").first).to_be_visible()
    expect(op.get_by_role("cell", name="rendition:downloaded").first).to_be_visible()
    _shot(op, "leak-traced")
    owner.close()


def _staff_revokes_asha(sp: Page, share_url: str, ap: Page, viewer_url: str) -> None:
    """Revocation is immediate: Asha's viewer refuses on the next request."""
    sp.goto(share_url)
    sp.get_by_role("row", name=re.compile("Asha Agent")).get_by_placeholder(
        "Reason"
    ).fill("Work moved in-house")
    sp.get_by_role("row", name=re.compile("Asha Agent")).get_by_role(
        "button", name="Revoke"
    ).click()
    expect(sp.get_by_text("Revoked.")).to_be_visible()
    response = ap.goto(viewer_url)
    assert response is not None
    assert response.status == 403


def _asha_returns_and_owner_reidentifies(
    browser, signed_in_state, ap: Page, share_url: str, lines: list[str], tmp_path
) -> None:
    """Asha returns her worked file; the owner re-identifies it with the password again."""
    worked = tmp_path / "worked.csv"
    worked.write_text(
        "\n".join([lines[0] + ",status", *(f"{line},paid" for line in lines[1:])])
        + "\n"
    )
    ap.set_input_files("#f-file", str(worked))
    ap.get_by_role("button", name="Upload").click()
    expect(ap.get_by_text("Your returns")).to_be_visible()
    owner = browser.new_context(storage_state=signed_in_state("owner@maple.example"))
    op = owner.new_page()
    op.goto(share_url)
    op.get_by_label("Your password, to re-identify").fill(DEMO_PASSWORD)
    op.get_by_role("button", name="Re-identify").click()
    expect(op.get_by_text("Re-identified.")).to_be_visible()
    expect(op.get_by_text(re.compile(r"canary record\(s\) came back"))).to_be_visible()
    with op.expect_download() as download:
        op.get_by_role("link", name="Download the re-identified file").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert "536-22-87" in text  # the real SSNs are back, for the owner only
    assert "status" in text
    _shot(op, "share-returned")
    owner.close()
