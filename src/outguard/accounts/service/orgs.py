"""Organisations: clients, their vendors, and vendors' sub-contractors."""

from __future__ import annotations

import uuid

from outguard.accounts.models import Organization
from outguard.accounts.policy import can_create_org, can_view_org
from outguard.accounts.repository import OrganizationRepository
from outguard.accounts.schemas import OrgCreate
from outguard.accounts.service.guard import require_permission
from outguard.audit.service import record
from outguard.audit.tags import AuditTag
from outguard.db import Session
from outguard.errors import (
    AlreadyExistsError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
)
from outguard.security.decisions import Deny
from outguard.security.permissions import Permission
from outguard.types import Actor, Clock, OrgKind


def create_org(
    session: Session,
    actor: Actor,
    data: OrgCreate,
    *,
    clock: Clock,
    is_demo: bool = False,
) -> Organization:
    repo = OrganizationRepository(session)
    parent = None
    if data.parent_id is not None:
        parent = repo.get_readable(actor, data.parent_id)
        if parent is None:
            raise NotFoundError("The parent organisation was not found.")
    decision = can_create_org(actor, data.kind, parent)
    if isinstance(decision, Deny):
        raise PermissionDeniedError(decision.reason)
    if repo.name_taken(data.name, data.parent_id):
        raise AlreadyExistsError("An organisation with that name already exists here.")
    org = repo.add(
        Organization(
            name=data.name,
            kind=data.kind.value,
            parent_id=data.parent_id,
            is_demo=is_demo,
            created_at=clock.now(),
        )
    )
    record(
        session,
        actor,
        AuditTag.ORG_CREATED,
        clock=clock,
        subject_type="organization",
        subject_id=org.id,
        org_id=org.id,
        details={
            "kind": data.kind.value,
            "parent_id": str(data.parent_id) if data.parent_id else None,
        },
    )
    return org


def get_org(session: Session, actor: Actor, org_id: uuid.UUID) -> Organization:
    require_permission(actor, Permission.ORGS_READ)
    repo = OrganizationRepository(session)
    org = repo.get_readable(actor, org_id)
    if org is None or isinstance(
        can_view_org(actor, org, repo.visible_ids(actor)), Deny
    ):
        raise NotFoundError("Organisation not found.")
    return org


def list_orgs(session: Session, actor: Actor) -> list[Organization]:
    require_permission(actor, Permission.ORGS_READ)
    repo = OrganizationRepository(session)
    visible = repo.visible_ids(actor)
    return [
        o
        for o in repo.list_readable(actor)
        if not isinstance(can_view_org(actor, o, visible), Deny)
    ]


def creatable_kinds(session: Session, actor: Actor) -> list[OrgKind]:
    """The kinds of organisation a person may add under their own organisation."""
    if not actor.is_user or actor.org_id is None:
        return []
    parent = OrganizationRepository(session).get_readable(actor, actor.org_id)
    return [
        kind
        for kind in (OrgKind.VENDOR, OrgKind.SUBCONTRACTOR)
        if not isinstance(can_create_org(actor, kind, parent), Deny)
    ]


def count_orgs(session: Session) -> int:
    return OrganizationRepository(session).count()


def find_org_for_operator(
    session: Session, actor: Actor, name_or_id: str
) -> Organization:
    """Operator lookup by exact name (case-insensitive) or id."""
    if not actor.is_system:
        raise PermissionDeniedError(
            "Only an operator can look organisations up by name."
        )
    try:
        org = OrganizationRepository(session).get_unscoped(uuid.UUID(name_or_id))
    except ValueError:
        matches = [
            o
            for o in list_orgs(session, actor)
            if o.name.lower() == name_or_id.strip().lower()
        ]
        if len(matches) > 1:
            raise ConflictError(
                "Several organisations have that name; use the id."
            ) from None
        org = matches[0] if matches else None
    if org is None:
        raise NotFoundError("No organisation with that name or id.")
    return org


def own_org(session: Session, actor: Actor) -> Organization:
    """The actor's own organisation: always visible to its members, whatever their scopes."""
    if actor.org_id is None:
        raise NotFoundError("Organisation not found.")
    org = OrganizationRepository(session).get_unscoped(actor.org_id)
    if org is None:
        raise NotFoundError("Organisation not found.")
    return org


def org_unscoped(session: Session, org_id: uuid.UUID) -> Organization | None:
    """Internal lookup for other features, which decide visibility themselves."""
    return OrganizationRepository(session).get_unscoped(org_id)
