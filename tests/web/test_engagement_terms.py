"""Changing an engagement's terms in the browser and over the API, and its history."""

from __future__ import annotations

from tests.web import engagement_world as ew


def test_owner_changes_terms_and_the_history_shows_it(world, sign_in):
    e = ew.engagement(world, "own")
    owner = sign_in("owner")
    detail = owner.get(f"/engagements/{e.id}")
    assert f'href="/engagements/{e.id}/edit"' in detail.text
    assert "Created as a draft" in detail.text

    form = owner.get(f"/engagements/{e.id}/edit")
    assert form.status_code == 200
    assert "Change the terms" in form.text
    assert 'name="vendor_org_id"' not in form.text  # the vendor is fixed
    assert f'value="{e.name}"' in form.text  # prefilled

    response = owner.submit(f"/engagements/{e.id}/edit", ew.terms_form(world, "own"))
    assert response.status_code == 303
    page = owner.get(response.headers["location"])
    assert "The new terms were saved" in page.text
    assert "Terms changed" in page.text
    assert "breach notice hours: 24 → 36" in page.text
    assert "Amendment 2" in page.text
    assert "within 36 hours" in page.text


def test_invalid_terms_are_shown_inline_and_change_nothing(world, sign_in):
    e = ew.engagement(world, "own")
    owner = sign_in("owner")
    body = {
        **ew.terms_form(world, "own"),
        "ends_on": str(e.starts_on.replace(year=e.starts_on.year - 1)),
    }
    response = owner.submit(f"/engagements/{e.id}/edit", body)
    assert response.status_code == 422
    assert "end date is before the start date" in response.text
    nothing = owner.submit(
        f"/engagements/{e.id}/edit", {**ew.terms_form(world, "own"), "reason": ""}
    )
    assert nothing.status_code == 422
    assert "within 24 hours" in owner.get(f"/engagements/{e.id}").text


def test_the_vendor_sees_the_history_but_not_the_edit_link(world, sign_in):
    e = ew.engagement(world, "own")
    page = sign_in("vadmin").get(f"/engagements/{e.id}")
    assert page.status_code == 200
    assert "/edit" not in page.text
    assert "History" in page.text


def test_api_patch_changes_some_terms_and_names_a_bad_one(world, sign_in):
    e = ew.engagement(world, "own")
    owner = sign_in("owner")
    ok = owner.api(
        "PATCH",
        f"/api/v1/engagements/{e.id}",
        json={"reason": "Night shift", "work_end": "22:00"},
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["work_end"] == "22:00"
    assert ok.json()["work_start"] == "08:00"
    bad = owner.api(
        "PATCH",
        f"/api/v1/engagements/{e.id}",
        json={"reason": "Typo", "work_start": "23:00"},
    )
    assert bad.status_code == 422
    assert "end before they start" in bad.json()["detail"]
    unknown = owner.api(
        "PATCH",
        f"/api/v1/engagements/{e.id}",
        json={"reason": "Vendor swap", "vendor_org_id": str(world.other.id)},
    )
    assert unknown.status_code == 422
    history = owner.api("GET", f"/api/v1/engagements/{e.id}/history").json()
    assert history[0]["tag"] == "engagement:updated"
    assert history[0]["details"]["work_end_now"] == "22:00"
