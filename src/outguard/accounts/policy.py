"""Access decisions for organisations and users. Deny by default, with a reason."""

from __future__ import annotations

import uuid

from outguard.accounts.models import Organization, User
from outguard.security.decisions import Allow, Decision, Deny
from outguard.security.permissions import Permission, permissions_for
from outguard.types import Actor, OrgKind, Role, roles_allowed_for


def has_permission(actor: Actor, permission: Permission) -> Decision:
    if actor.is_system:
        return Allow()
    if not actor.is_user:
        return Deny("not signed in")
    if permission not in permissions_for(actor.roles):
        return Deny(f"no role grants {permission}")
    if actor.scopes is not None and permission not in actor.scopes:
        return Deny(f"API token lacks scope {permission}")
    return Allow()


def can_view_org(
    actor: Actor, org: Organization, visible_ids: set[uuid.UUID]
) -> Decision:
    if actor.is_system:
        return Allow()
    if org.id not in visible_ids:
        return Deny("organisation not visible to this actor")
    return has_permission(actor, Permission.ORGS_READ)


def can_create_org(
    actor: Actor, kind: OrgKind, parent: Organization | None
) -> Decision:
    if actor.is_system:
        if kind is OrgKind.SUBCONTRACTOR and (
            parent is None or parent.kind != OrgKind.VENDOR
        ):
            return Deny("a sub-contractor belongs to a vendor")
        if kind is OrgKind.CLIENT and parent is not None:
            return Deny("a client organisation has no parent")
        if (
            kind is OrgKind.VENDOR
            and parent is not None
            and parent.kind != OrgKind.CLIENT
        ):
            return Deny("a vendor is managed by a client")
        return Allow()
    allowed = has_permission(actor, Permission.ORGS_WRITE)
    if not allowed:
        return allowed
    if parent is None or parent.id != actor.org_id:
        return Deny("organisations can only be added under your own organisation")
    if actor.org_kind is OrgKind.CLIENT and kind is OrgKind.VENDOR:
        return Allow()
    if actor.org_kind is OrgKind.VENDOR and kind is OrgKind.SUBCONTRACTOR:
        return Allow()
    return Deny(f"a {actor.org_kind} cannot add a {kind}")


def can_view_user(
    actor: Actor, user: User, visible_org_ids: set[uuid.UUID]
) -> Decision:
    if actor.is_system:
        return Allow()
    if actor.is_user and user.id == actor.user_id:
        return Allow()
    if user.org_id not in visible_org_ids:
        return Deny("user not visible to this actor")
    return has_permission(actor, Permission.USERS_READ)


def _manages_org(actor: Actor, org: Organization) -> bool:
    """Own organisation, or a sub-contractor of the actor's vendor."""
    if org.id == actor.org_id:
        return True
    return (
        actor.org_kind is OrgKind.VENDOR
        and org.kind == OrgKind.SUBCONTRACTOR
        and org.parent_id == actor.org_id
    )


def can_manage_user(actor: Actor, user: User, org: Organization) -> Decision:
    if actor.is_system:
        return Allow()
    allowed = has_permission(actor, Permission.USERS_MANAGE)
    if not allowed:
        return allowed
    if actor.user_id == user.id:
        return Deny("you cannot disable or change your own account here")
    if not _manages_org(actor, org):
        return Deny("user belongs to an organisation you do not manage")
    return Allow()


def can_invite(actor: Actor, org: Organization, roles: frozenset[Role]) -> Decision:
    if not roles <= roles_allowed_for(OrgKind(org.kind)):
        return Deny("role not allowed in this kind of organisation")
    if actor.is_system:
        return Allow()
    allowed = has_permission(actor, Permission.USERS_INVITE)
    if not allowed:
        return allowed
    if _manages_org(actor, org):
        return Allow()
    # A client brings in the first administrator of a vendor it added.
    if (
        actor.org_kind is OrgKind.CLIENT
        and org.kind == OrgKind.VENDOR
        and org.parent_id == actor.org_id
        and roles == frozenset({Role.VENDOR_ADMIN})
    ):
        return Allow()
    return Deny("you cannot invite people into that organisation")


def can_manage_tokens(actor: Actor) -> Decision:
    if actor.scopes is not None:
        return Deny("API tokens cannot manage API tokens")
    return has_permission(actor, Permission.TOKENS_MANAGE)
