"""Demo data: organisations and people.

A client with its people, a vendor with an admin and two agents, a sub-contractor with an
admin and an agent.

Every demo organisation is flagged `is_demo`; in demo mode (OUTGUARD_DEMO=true) the current
TOTP code of a demo user can be printed with `outguard demo totp EMAIL`.
"""

from __future__ import annotations

from dataclasses import dataclass

from outguard.accounts.models import Organization
from outguard.accounts.schemas import OrgCreate, UserCreate
from outguard.accounts.service import mfa, orgs, users
from outguard.accounts.service.deps import AccountsDeps
from outguard.db import Session
from outguard.security import totp
from outguard.security.permissions import mfa_required
from outguard.types import Actor, OrgKind, Role

DEMO_PASSWORD = "outguard-demo-2026"  # noqa: S105 - published demo credential, demo orgs only


@dataclass(frozen=True)
class DemoUser:
    email: str
    name: str
    org: str
    roles: tuple[Role, ...]
    has_mfa: bool


_CLIENT = "Maple Street Bookkeeping"
_VENDOR = "Northwind Outsourcing"
_SUB = "Harbor Data Services"

_PEOPLE: tuple[tuple[str, str, str, tuple[Role, ...]], ...] = (
    ("owner@maple.example", "Olivia Owner", _CLIENT, (Role.OWNER,)),
    ("staff@maple.example", "Sam Staff", _CLIENT, (Role.STAFF,)),
    ("security@maple.example", "Sofia Security", _CLIENT, (Role.SECURITY_OFFICER,)),
    ("auditor@maple.example", "Arthur Auditor", _CLIENT, (Role.AUDITOR,)),
    ("admin@northwind.example", "Victor Vendor-Admin", _VENDOR, (Role.VENDOR_ADMIN,)),
    ("agent1@northwind.example", "Asha Agent", _VENDOR, (Role.AGENT,)),
    ("agent2@northwind.example", "Ben Agent", _VENDOR, (Role.AGENT,)),
    ("admin@harbor.example", "Hana Sub-Admin", _SUB, (Role.VENDOR_ADMIN,)),
    ("agent@harbor.example", "Hugo Sub-Agent", _SUB, (Role.AGENT,)),
)


def seed_demo(session: Session, actor: Actor, *, deps: AccountsDeps) -> list[DemoUser]:
    """Create the demo organisations and people. The caller checks the instance is empty."""
    client = orgs.create_org(
        session,
        actor,
        OrgCreate(name=_CLIENT, kind=OrgKind.CLIENT),
        clock=deps.clock,
        is_demo=True,
    )
    vendor = orgs.create_org(
        session,
        actor,
        OrgCreate(name=_VENDOR, kind=OrgKind.VENDOR, parent_id=client.id),
        clock=deps.clock,
        is_demo=True,
    )
    sub = orgs.create_org(
        session,
        actor,
        OrgCreate(name=_SUB, kind=OrgKind.SUBCONTRACTOR, parent_id=vendor.id),
        clock=deps.clock,
        is_demo=True,
    )
    by_name: dict[str, Organization] = {_CLIENT: client, _VENDOR: vendor, _SUB: sub}
    created: list[DemoUser] = []
    for email, name, org_name, roles in _PEOPLE:
        user = users.create_user(
            session,
            actor,
            UserCreate(
                org_id=by_name[org_name].id,
                email=email,
                display_name=name,
                roles=frozenset(roles),
                password=DEMO_PASSWORD,
            ),
            deps=deps,
        )
        needs_mfa = mfa_required(frozenset(roles))
        if needs_mfa:
            mfa.enrol_for_demo(user, totp.new_totp_secret(), deps=deps)
        created.append(
            DemoUser(
                email=email, name=name, org=org_name, roles=roles, has_mfa=needs_mfa
            )
        )
    return created


def demo_people() -> list[DemoUser]:
    return [
        DemoUser(email=e, name=n, org=o, roles=r, has_mfa=mfa_required(frozenset(r)))
        for e, n, o, r in _PEOPLE
    ]
