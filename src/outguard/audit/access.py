"""Who may read the log's checkpoints: holders of `audit:read`.

Owners, security officers and auditors. A checkpoint holds only a tree size, a root hash and
signatures — nothing about any organisation — so it is safe to hand to whoever must keep a
copy elsewhere.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session

from outguard.audit.repository import AuditRepository
from outguard.errors import PermissionDeniedError
from outguard.security.decisions import Allow, Decision, Deny
from outguard.security.permissions import Permission, permissions_for
from outguard.types import Actor


class CheckpointRead(BaseModel):
    model_config = ConfigDict(frozen=True)

    tree_size: int
    root_hash: str
    created_at: datetime
    note: str


def can_read_checkpoints(actor: Actor) -> Decision:
    if actor.is_system:
        return Allow()
    if not actor.is_user:
        return Deny("not signed in")
    if Permission.AUDIT_READ not in permissions_for(actor.roles):
        return Deny("no role grants audit:read")
    if actor.scopes is not None and Permission.AUDIT_READ not in actor.scopes:
        return Deny("API token lacks scope audit:read")
    return Allow()


def list_checkpoints(
    session: Session, actor: Actor, *, limit: int = 100
) -> list[CheckpointRead]:
    decision = can_read_checkpoints(actor)
    if isinstance(decision, Deny):
        raise PermissionDeniedError(decision.reason)
    rows = AuditRepository(session).checkpoints()[-limit:]
    return [
        CheckpointRead(
            tree_size=c.tree_size,
            root_hash=c.root_hash.hex(),
            created_at=c.created_at,
            note=c.note,
        )
        for c in reversed(rows)
    ]
