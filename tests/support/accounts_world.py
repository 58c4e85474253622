"""Shared fixtures: a small world of organisations and people built through the services."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from outguard.accounts.models import Organization, User
from outguard.accounts.schemas import OrgCreate, UserCreate
from outguard.accounts.service import actor_for, build_accounts_deps, mfa, orgs, users
from outguard.mail import InMemoryMailer
from outguard.security import totp
from outguard.types import Actor, OrgKind, RequestContext, Role
from tests.conftest import TEST_SECRET
from tests.factories.accounts import TEST_PASSWORD


@pytest.fixture
def mailer():
    return InMemoryMailer()


@pytest.fixture
def deps(settings, clock, mailer):
    return build_accounts_deps(
        settings, app_secret=TEST_SECRET.encode(), clock=clock, mailer=mailer
    )


@dataclass
class World:
    client: Organization
    vendor: Organization
    sub: Organization
    other: Organization
    people: dict[str, User]
    secrets: dict[str, str]

    def actor(self, name: str, *, scopes=None) -> Actor:
        user = self.people[name]
        org = {o.id: o for o in (self.client, self.vendor, self.sub, self.other)}[
            user.org_id
        ]
        return actor_for(
            user,
            org,
            RequestContext(ip="127.0.0.1", user_agent="pytest"),
            scopes=scopes,
        )


@pytest.fixture
def world(db_session, deps) -> World:
    system = Actor.system("test")
    client = orgs.create_org(
        db_session,
        system,
        OrgCreate(name="Client Co", kind=OrgKind.CLIENT),
        clock=deps.clock,
    )
    vendor = orgs.create_org(
        db_session,
        system,
        OrgCreate(name="Vendor Co", kind=OrgKind.VENDOR, parent_id=client.id),
        clock=deps.clock,
    )
    sub = orgs.create_org(
        db_session,
        system,
        OrgCreate(name="Sub Co", kind=OrgKind.SUBCONTRACTOR, parent_id=vendor.id),
        clock=deps.clock,
    )
    other = orgs.create_org(
        db_session,
        system,
        OrgCreate(name="Other Client", kind=OrgKind.CLIENT),
        clock=deps.clock,
    )
    spec = {
        "owner": (client, Role.OWNER),
        "staff": (client, Role.STAFF),
        "auditor": (client, Role.AUDITOR),
        "vadmin": (vendor, Role.VENDOR_ADMIN),
        "agent": (vendor, Role.AGENT),
        "subagent": (sub, Role.AGENT),
        "other_owner": (other, Role.OWNER),
    }
    people, secrets = {}, {}
    for name, (org, role) in spec.items():
        user = users.create_user(
            db_session,
            system,
            UserCreate(
                org_id=org.id,
                email=f"{name}@example.test",
                display_name=name.title(),
                roles=frozenset({role}),
                password=TEST_PASSWORD,
            ),
            deps=deps,
        )
        if role is not Role.STAFF and role is not Role.AUDITOR:
            secret = totp.new_totp_secret()
            mfa.enrol_for_demo(user, secret, deps=deps)
            secrets[name] = secret
        people[name] = user
    db_session.flush()
    return World(client, vendor, sub, other, people, secrets)
