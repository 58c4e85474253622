"""In a real browser: staff upload a payroll export (sealed as it streams), the embedded
worker scans it, and the report shows masked findings and a chart."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect

SHOTS = Path("test-artifacts") / "screenshots"
SSN = "536-22-8726"


def test_upload_a_dataset_and_read_its_scan(
    live_server, browser, signed_in_state, tmp_path
):
    rows = ["employee,ssn,email"] + [
        f"Person {i},536-22-{8700 + i:04d},p{i}@example.com" for i in range(40)
    ]
    export = tmp_path / "december-payroll.csv"
    export.write_text("\n".join(rows) + "\n")
    context = browser.new_context(storage_state=signed_in_state("staff@maple.example"))
    page = context.new_page()
    page.goto(live_server.url + "/datasets")
    expect(page.get_by_role("heading", name="Upload a new dataset")).to_be_visible()
    page.set_input_files("#f-file", str(export))
    page.get_by_label("Dataset name (optional: the file name)").fill("December payroll")
    page.get_by_role("button", name="Upload").click()
    page.wait_for_url(re.compile(r"/datasets/[0-9a-f-]{36}$"))
    expect(
        page.get_by_role("heading", name=re.compile("December payroll"))
    ).to_be_visible()
    # the page refreshes itself until the worker's scan is done
    expect(page.get_by_role("heading", name="Personal data found")).to_be_visible(
        timeout=30_000
    )
    expect(page.get_by_role("row", name=re.compile("ssn"))).to_contain_text("***-**-")
    assert SSN not in page.content()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "dataset-report.png"), full_page=True)
    # a refused upload says why and keeps nothing
    page.goto(live_server.url + "/datasets")
    bad = tmp_path / "payroll.pdf"
    bad.write_text("not a pdf at all")
    page.set_input_files("#f-file", str(bad))
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("alert")).to_contain_text("is not one")
    context.close()
