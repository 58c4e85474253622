"""Who may share, who may see a share.

The client's people with the permission, and the agents it names (through the engagement's
gate, which the service runs at every access).
"""

from __future__ import annotations

import uuid

from outguard.accounts.policy import has_permission
from outguard.security.decisions import Allow, Decision, Deny
from outguard.security.permissions import Permission
from outguard.types import Actor


def can_manage(actor: Actor, client_org_id: uuid.UUID) -> Decision:
    """Create and revoke shares of the client's data."""
    if actor.is_system:
        return Allow()
    if actor.org_id != client_org_id:
        return Deny("only the client shares its data")
    return has_permission(actor, Permission.DATA_PROTECT)


def can_read(actor: Actor, client_org_id: uuid.UUID) -> Decision:
    """See the client's shares and their recipients' states (not the renditions)."""
    if actor.is_system:
        return Allow()
    if actor.org_id != client_org_id:
        return Deny("only the client sees all of its shares")
    return has_permission(actor, Permission.DATASETS_READ)


def is_recipient(actor: Actor, user_ids: set[uuid.UUID]) -> bool:
    return actor.user_id is not None and actor.user_id in user_ids
