"""Who may see and add datasets: the client's own people with the permission, no one else.

Vendors never see datasets: what reaches them is a rendition, through a share (and the
engagement's gate).
"""

from __future__ import annotations

import uuid

from outguard.accounts.policy import has_permission
from outguard.security.decisions import Allow, Decision, Deny
from outguard.security.permissions import Permission
from outguard.types import Actor


def can_see(actor: Actor, client_org_id: uuid.UUID) -> bool:
    """Whether the dataset exists for this actor at all (else: not found, never 403)."""
    return actor.is_system or actor.org_id == client_org_id


def can_read(actor: Actor, client_org_id: uuid.UUID) -> Decision:
    if actor.is_system:
        return Allow()
    if actor.org_id != client_org_id:
        return Deny("datasets belong to their client only")
    return has_permission(actor, Permission.DATASETS_READ)


def can_upload(actor: Actor, client_org_id: uuid.UUID) -> Decision:
    if actor.is_system:  # an operator's CLI, named in the audit log
        return Allow()
    if actor.org_id != client_org_id:
        return Deny("datasets belong to their client only")
    return has_permission(actor, Permission.DATASETS_UPLOAD)
