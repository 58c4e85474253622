"""Dataset pages: the list and upload panel, one dataset's report, what others see."""

from __future__ import annotations

from outguard.datasets.service import scan_version, upload
from tests.web import dataset_world as dw


def test_empty_state_and_upload_panel(world, sign_in):
    page = sign_in("staff").get("/datasets")
    assert page.status_code == 200
    assert "No datasets yet" in page.text
    assert 'data-endpoint="/api/v1/datasets"' in page.text
    assert "/static/upload.js" in page.text
    auditor = sign_in("auditor").get("/datasets")
    assert "data-upload" not in auditor.text  # reads, does not upload


def test_the_report_page_shows_masked_findings(world, sign_in, db_session):
    version = dw._version(world, "own")
    scan_version(db_session, version.id, deps=dw.deps(world))
    page = sign_in("owner").get(f"/datasets/{version.dataset_id}")
    assert page.status_code == 200
    assert "Personal data found" in page.text
    assert "<meter" in page.text
    assert "person" in page.text
    assert "Person One" not in page.text  # masked examples only
    listed = sign_in("owner").get("/datasets")
    assert "People own" in listed.text


def test_a_scanning_version_refreshes_itself(world, sign_in):
    version = dw._version(world, "own")
    page = sign_in("owner").get(f"/datasets/{version.dataset_id}")
    assert 'http-equiv="refresh"' in page.text
    assert "The scan is running" in page.text
    missing = sign_in("owner").get(f"/datasets/{version.dataset_id}?version=9")
    assert missing.status_code == 404


def test_vendors_do_not_see_datasets(world, sign_in):
    version = dw._version(world, "own")
    agent = sign_in("agent")
    assert 'href="/datasets"' not in agent.get("/").text
    assert agent.get(f"/datasets/{version.dataset_id}").status_code == 404


def test_a_text_dataset_page_highlights_masked_passages(world, sign_in):
    version = upload(
        world.session,
        dw.SYSTEM,
        org_id=world.client.id,
        filename="note.txt",
        name="A note",
        chunks=[b"Please pay Ana Diaz, SSN 536-22-8726, by Friday.\n"],
        deps=dw.deps(world),
    )
    scan_version(world.session, version.id, deps=dw.deps(world))
    page = sign_in("owner").get(f"/datasets/{version.dataset_id}")
    assert page.status_code == 200
    assert "<mark" in page.text
    assert "536-22-8726" not in page.text
    assert "Please pay" in page.text
