"""Access decisions. Every policy returns `Allow()` or `Deny(reason)`; deny by default."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Allow:
    def __bool__(self) -> bool:
        return True


@dataclass(frozen=True)
class Deny:
    """A refusal. `reason` goes to the audit log and debug logs, never to an anonymous client."""

    reason: str

    def __bool__(self) -> bool:
        return False


Decision = Allow | Deny


def first_deny(*decisions: Decision) -> Decision:
    """All must allow; the first refusal wins."""
    for decision in decisions:
        if isinstance(decision, Deny):
            return decision
    return Allow()
