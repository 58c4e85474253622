"""Turning a policy `Decision` into the error a use case raises."""

from __future__ import annotations

from outguard.accounts.policy import has_permission
from outguard.errors import PermissionDeniedError
from outguard.security.decisions import Decision, Deny
from outguard.security.permissions import Permission
from outguard.types import Actor


def require(decision: Decision) -> None:
    """Raise `PermissionDeniedError` on a `Deny` (the reason is safe for a signed-in actor)."""
    if isinstance(decision, Deny):
        raise PermissionDeniedError(decision.reason)


def require_permission(actor: Actor, permission: Permission) -> None:
    """Role-level gate, checked *before* any lookup so a refusal reveals nothing about ids."""
    require(has_permission(actor, permission))
