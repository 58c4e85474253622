"""`record(...)`: the one way features write to the audit log."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from outguard.audit.models import AuditEvent
from outguard.audit.repository import AuditRepository
from outguard.audit.tags import AuditTag
from outguard.types import Actor, Clock

_DETAIL_KEY = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_Scalar = str | int | float | bool | None


def _check_details(details: dict[str, Any]) -> dict[str, Any]:
    """Details are flat facts (field names, counts, ids, reasons), never free-form blobs."""
    for key, value in details.items():
        if not _DETAIL_KEY.match(key):
            msg = f"audit detail key {key!r} is not a snake_case identifier"
            raise ValueError(msg)
        values = value if isinstance(value, list) else [value]
        for item in values:
            if not isinstance(item, _Scalar):
                msg = f"audit detail {key!r} must be a scalar or a list of scalars"
                raise TypeError(msg)
    return details


def record(
    session: Session,
    actor: Actor,
    tag: AuditTag,
    *,
    clock: Clock,
    subject_type: str | None = None,
    subject_id: uuid.UUID | str | None = None,
    org_id: uuid.UUID | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event in the caller's transaction. No raw personal data in `details`."""
    ctx = actor.context
    return AuditRepository(session).append(
        at=clock.now(),
        actor_kind=actor.kind.value,
        actor_id=actor.user_id,
        actor_display=actor.display,
        org_id=org_id if org_id is not None else actor.org_id,
        request_id=ctx.request_id,
        ip=ctx.ip,
        user_agent=(ctx.user_agent or "")[:300] or None,
        tag=tag.value,
        subject_type=subject_type,
        subject_id=str(subject_id) if subject_id is not None else None,
        details=_check_details(dict(details or {})),
    )


def subject_history(
    session: Session,
    subject_type: str,
    subject_id: uuid.UUID | str,
    *,
    tags: Sequence[AuditTag] | None = None,
    limit: int = 200,
) -> list[AuditEvent]:
    """Newest first. The calling feature service decides who may read it."""
    return AuditRepository(session).for_subject(
        subject_type,
        str(subject_id),
        tags=None if tags is None else [t.value for t in tags],
        limit=limit,
    )


def recent_count(
    session: Session, actor_id: uuid.UUID, tags: Sequence[AuditTag], since: datetime
) -> int:
    return AuditRepository(session).count_by_actor(
        actor_id, [t.value for t in tags], since
    )
