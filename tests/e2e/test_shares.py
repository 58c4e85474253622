"""The whole story in a real browser, with the demo data.

Staff upload a payroll file and see the scan report; they share it with two agents of the
demo engagement, changing the protection with a live preview; Asha views her copy under
her watermark and downloads it; Ben is view-only, and the UI and the API both refuse him a
download; Asha returns a worked file that the owner re-identifies; a 30-row subset of
Asha's download found outside is traced to her; Ben's access is revoked and his viewer
refuses at once; the owner ends the engagement, every copy is destroyed, and the
destruction certificate verifies with `outguard certificate verify`.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from playwright.sync_api import Page, expect

from outguard.accounts.service.demo import DEMO_PASSWORD
from outguard.instance.home import InstancePaths
from outguard.security.signing import SigningKey

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


def _takes_training(browser, signed_in_state, base: str, email: str) -> None:
    """Ben has not taken the training in the demo; other stories may require Asha to
    retake it: each takes it (again)."""
    context = browser.new_context(storage_state=signed_in_state(email))
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


def test_the_whole_story(live_server, browser, signed_in_state, tmp_path):
    base = live_server.url
    for agent in ("agent1@northwind.example", "agent2@northwind.example"):
        _takes_training(browser, signed_in_state, base, agent)
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
    share_url = _staff_shares_with_asha_and_ben(sp, base, export)

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

    ben_viewer = _ben_may_only_view(browser, signed_in_state, base, share_url)
    _staff_revokes_ben(sp, share_url, ben_viewer)
    _owner_ends_the_engagement(
        browser, signed_in_state, live_server, share_url, ap, viewer_url, tmp_path
    )
    staff.close()
    asha.close()


def _staff_shares_with_asha_and_ben(sp: Page, base: str, export: Path) -> str:
    """Upload, scan report, the share form with its live preview; both copies made."""
    _upload(sp, base, export)
    sp.get_by_role("link", name="Share with agents").click()
    _choose_demo_engagement(sp)
    sp.get_by_label("Template").select_option("payroll")
    sp.wait_for_load_state()
    expect(sp.get_by_text("What the agents will see")).to_be_visible()
    sp.get_by_role("checkbox", name=re.compile(r"^Asha Agent eligible")).check()
    sp.get_by_role("checkbox", name=re.compile(r"^Ben Agent eligible")).check()
    sp.get_by_label(re.compile("Ben Agent may only view")).check()
    preview = sp.locator("#share-preview")
    expect(preview).not_to_contain_text("536-22-8700")  # tokenized in the preview
    sp.get_by_label("Email").select_option("drop")  # the live preview follows
    expect(preview).to_contain_text("Not sent at all: email")
    expect(preview).to_contain_text("EMAIL: tokenize → drop (by the owner)")
    sp.get_by_label("Purpose (recorded)").fill("December payroll run")
    sp.get_by_label(re.compile("download it")).check()
    _shot(sp, "share-new")
    sp.get_by_role("button", name="Share", exact=True).click()
    expect(sp.get_by_text("Shared.")).to_be_visible()
    share_url = sp.url
    for name in ("Asha Agent", "Ben Agent"):
        row = sp.get_by_role("row", name=re.compile(name))
        for _ in range(30):  # the embedded worker renders the copies
            if "ready" in row.inner_text():
                break
            sp.wait_for_timeout(1000)
            sp.reload()
        expect(row).to_contain_text("ready")
    expect(sp.get_by_role("row", name=re.compile("Ben Agent"))).to_contain_text(
        "view only"
    )
    _shot(sp, "share-detail")
    return share_url


def _ben_may_only_view(browser, signed_in_state, base: str, share_url: str) -> Page:
    """Ben opens his copy; no download in the UI, and the API and the URL refuse it."""
    ben = browser.new_context(storage_state=signed_in_state("agent2@northwind.example"))
    bp = ben.new_page()
    bp.goto(base + "/checklist")
    bp.get_by_role(
        "link", name=re.compile("workspace|Open", re.IGNORECASE)
    ).first.click()
    expect(bp.get_by_text("December payroll run")).to_be_visible()
    expect(bp.get_by_text("view only").first).to_be_visible()
    bp.get_by_role("link", name="Open").first.click()
    expect(bp.locator(".watermark").first).to_contain_text("Ben Agent")
    expect(bp.get_by_text("view only")).to_be_visible()
    expect(bp.get_by_role("link", name=re.compile("Download"))).to_have_count(0)
    _shot(bp, "viewer-view-only")
    share_id = share_url.rstrip("/").rsplit("/", 1)[1]
    api = bp.request.get(f"{base}/api/v1/shares/{share_id}/rendition")
    assert api.status == 403
    assert "view-only" in api.text()
    direct = bp.request.get(f"{bp.url}/download")
    assert direct.status == 403
    return bp


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


def _staff_revokes_ben(sp: Page, share_url: str, bp: Page) -> None:
    """Revocation is immediate: Ben's viewer refuses on the next request."""
    viewer_url = bp.url
    sp.goto(share_url)
    sp.get_by_role("row", name=re.compile("Ben Agent")).get_by_placeholder(
        "Reason"
    ).fill("Work moved to Asha")
    sp.get_by_role("row", name=re.compile("Ben Agent")).get_by_role(
        "button", name="Revoke"
    ).click()
    expect(sp.get_by_text("Revoked.")).to_be_visible()
    response = bp.goto(viewer_url)
    assert response is not None
    assert response.status == 403
    bp.context.close()


def _owner_ends_the_engagement(
    browser, signed_in_state, live_server, share_url, ap, viewer_url, tmp_path
) -> None:
    """Every copy is destroyed; the certificate downloads and verifies offline."""
    owner = browser.new_context(storage_state=signed_in_state("owner@maple.example"))
    op = owner.new_page()
    op.goto(live_server.url + "/engagements")
    op.get_by_role("link", name="Monthly bookkeeping and payroll").first.click()
    op.get_by_role("radio", name="End", exact=True).check()
    op.get_by_label("Reason (recorded in the audit log)").fill("The contract is over")
    op.get_by_role("button", name="Apply").click()
    expect(op.get_by_text("ended").first).to_be_visible()
    response = ap.goto(viewer_url)
    assert response is not None
    assert response.status in {403, 404}
    op.goto(share_url)
    op.get_by_role("listitem").filter(has_text="The engagement ended").get_by_role(
        "link"
    ).click()
    expect(op.get_by_text("The engagement ended").first).to_be_visible()
    expect(op.get_by_role("heading", name="Destruction certificate")).to_be_visible()
    _shot(op, "certificate")
    with op.expect_download() as download:
        op.get_by_role("link", name="Download PDF").click()
    pdf = tmp_path / "certificate.pdf"
    download.value.save_as(pdf)
    out = live_server.cli("certificate", "verify", str(pdf), "--json")
    report = json.loads(out)
    assert report["ok"], report
    assert report["in_audit_log"] is True
    pinned = hashlib.sha256(
        SigningKey(InstancePaths(live_server.home).audit_key.read_bytes()).public_key
    ).hexdigest()
    assert report["key_sha256"] == pinned
    owner.close()


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
