"""Who may protect, re-identify and trace: the data owner's side only, deny by default."""

from __future__ import annotations

from outguard.errors import PermissionDeniedError
from outguard.security.decisions import Allow, Decision, Deny
from outguard.security.permissions import Permission, permissions_for
from outguard.types import Actor, OrgKind


def can(actor: Actor, permission: Permission) -> Decision:
    """Operators (the CLI) act as the owner; users need the permission in a client org."""
    if actor.is_system:
        return Allow()
    if not actor.is_user or actor.org_id is None:
        return Deny("not signed in")
    if actor.org_kind is not OrgKind.CLIENT:
        return Deny(f"only the data owner may {permission.value.split(':')[1]}")
    if permission not in permissions_for(actor.roles):
        return Deny(f"no role grants {permission}")
    if actor.scopes is not None and permission not in actor.scopes:
        return Deny(f"API token lacks scope {permission}")
    return Allow()


def require(actor: Actor, permission: Permission) -> None:
    decision = can(actor, permission)
    if isinstance(decision, Deny):
        raise PermissionDeniedError(decision.reason)
