"""Every route an agent uses for a share, for everyone who must not get through: another
agent of the same vendor, an agent of another vendor, a revoked agent, an expired share,
an agent who is no longer compliant. Each is refused, and the refusal carries none of the
file: no value, no column, no file name, no purpose."""

from __future__ import annotations

from datetime import timedelta

import pytest

from outguard.engagements.schemas import Offboard
from outguard.engagements.service import roster
from outguard.shares.revoking import revoke
from outguard.types import Role
from tests.web import dataset_world as dw

SECRETS = ("Person One", "Person Two", "people.csv", "Reconcile own", "Austin")


def _routes(view) -> list[tuple[str, str, dict]]:
    e, s = view.share.engagement_id, view.share.id
    return [
        ("GET", f"/work/{e}/shares/{s}", {}),
        ("GET", f"/work/{e}/shares/{s}?q=Person", {}),
        ("GET", f"/work/{e}/shares/{s}/download", {}),
        ("GET", f"/api/v1/shares/{s}/rendition", {}),
        (
            "POST",
            f"/api/v1/shares/{s}/returns?filename=worked.csv",
            {"content": b"name,city\nX,Y\n", "headers": {"Content-Type": "text/csv"}},
        ),
    ]


def _other_agent_same_vendor(world, view) -> str:
    world.add_person("agent_b", world.vendor, Role.AGENT, mfa_on=True)
    return "agent_b"


def _other_vendor(world, view) -> str:
    dw.share(world, "other")  # enrols the other client's vendor agent
    return "other_agent"


def _revoked(world, view) -> str:
    revoke(
        world.session,
        dw.SYSTEM,
        view.share.id,
        reason="Work moved",
        deps=dw.deps(world),
        user_id=world.people["agent"].id,
    )
    world.session.commit()
    return "agent"


def _expired(world, view) -> str:
    world.clock.advance(timedelta(days=21))
    return "agent"


def _not_compliant(world, view) -> str:
    roster.offboard_agent(
        world.session,
        dw.SYSTEM,
        view.share.engagement_id,
        world.people["agent"].id,
        Offboard(reason="Left the team"),
        clock=world.clock,
    )
    world.session.commit()
    return "agent"


def _with_csrf(client, method: str, extra: dict) -> dict:
    if method != "POST":
        return extra
    return {**extra, "headers": {**extra["headers"], "X-CSRF-Token": client.csrf()}}


@pytest.mark.parametrize(
    ("who", "codes"),
    [
        (_other_agent_same_vendor, {403, 404}),
        (_other_vendor, {403, 404}),
        (_revoked, {403, 404}),
        (_expired, {403, 404}),
        (_not_compliant, {403, 404}),
    ],
    ids=["other-agent", "other-vendor", "revoked", "expired", "not-compliant"],
)
def test_agent_routes_refuse_and_leak_nothing(world, sign_in, who, codes):
    view = dw.share(world, "own")
    allowed = sign_in("agent")
    for method, path, extra in _routes(view)[:4]:  # first: the agent gets through
        ok = allowed.request(method, path, **extra)
        assert ok.status_code == 200, (path, ok.status_code)
    person = who(world, view)
    client = sign_in(
        person
    )  # a fresh sign-in: the refusal is the share's, not the session's
    for method, path, extra in _routes(view):
        sent = extra
        if "/api/" in path and method == "POST":
            sent = {
                **extra,
                "headers": {**extra["headers"], "X-CSRF-Token": client.csrf()},
            }
        response = client.request(method, path, **sent)
        assert response.status_code in codes, (who.__name__, path, response.status_code)
        for secret in SECRETS:
            assert secret not in response.text, (who.__name__, path, secret)
