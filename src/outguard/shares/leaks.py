"""Leak response: a file found outside is traced to the agent whose copy it came from.

The owner or the security officer hands in the found file (any subset of rows, columns
dropped, edited, converted, or pasted as text). It is read in memory, never stored; the
trace tests every agent's keys, canaries and fingerprints (`renditions.tracing`), and the
result names the agent with the false-attribution probability, the copies they were given,
and the audit trail of those copies (who opened or downloaded them, when, from where).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath

from outguard.accounts.models import User
from outguard.accounts.policy import has_permission
from outguard.accounts.service import users
from outguard.audit.models import AuditEvent
from outguard.audit.service import subject_history
from outguard.audit.tags import AuditTag
from outguard.datasets.intake import Counted, clean_filename, kind_of
from outguard.datasets.service import DatasetsDeps
from outguard.db import Session
from outguard.errors import NotFoundError, PermissionDeniedError
from outguard.formats.sources import MemorySource
from outguard.renditions.tracing import trace_file
from outguard.security.decisions import Deny
from outguard.security.permissions import Permission
from outguard.shares.models import LeakTrace, Share, ShareRecipient
from outguard.shares.repository import ShareRepository
from outguard.types import Actor

_AGENT = "agent-"
_TRAIL_TAGS = (
    AuditTag.SHARE_RENDERED,
    AuditTag.RENDITION_VIEWED,
    AuditTag.RENDITION_DOWNLOADED,
    AuditTag.SHARE_RETURNED,
)


@dataclass(frozen=True)
class Copy:
    share: Share
    recipient: ShareRecipient
    trail: list[AuditEvent]


@dataclass(frozen=True)
class Suspect:
    recipient: str  # the keystore recipient ("agent-…", or a CLI name)
    user: User | None
    attributed: bool
    false_attribution: float
    evidence: dict[str, object]
    copies: list[Copy]


def _require(actor: Actor) -> None:
    decision = has_permission(actor, Permission.LEAKS_TRACE)
    if isinstance(decision, Deny):
        raise PermissionDeniedError(decision.reason)
    if actor.org_id is None:  # pragma: no cover - API and page actors belong to an org
        raise PermissionDeniedError("Only a client traces its own data.")


def trace_leak(
    session: Session,
    actor: Actor,
    *,
    filename: str,
    chunks: Iterable[bytes],
    deps: DatasetsDeps,
) -> LeakTrace:
    _require(actor)
    assert actor.org_id is not None  # noqa: S101 - checked by _require
    clean = clean_filename(filename)
    kind = kind_of(clean)
    counted = Counted(chunks, kind=kind, limit=deps.max_upload_bytes, keep=True)
    data = b"".join(counted)
    result = trace_file(
        session,
        deps.keys,
        actor,
        tenant=str(actor.org_id),
        source=MemorySource(f"found{PurePosixPath(clean).suffix.lower()}", data),
        clock=deps.clock,
    ).to_json()
    row = LeakTrace(
        client_org_id=actor.org_id,
        filename=clean,
        kind=kind,
        size=counted.size,
        sha256=counted.sha.hexdigest(),
        verdict=str(result["verdict"])[:500],
        result=result,
        created_by_id=actor.user_id,
        created_at=deps.clock.now(),
    )
    ShareRepository(session).add(row)
    return row


def get_leak(
    session: Session, actor: Actor, trace_id: uuid.UUID
) -> tuple[LeakTrace, list[Suspect]]:
    _require(actor)
    repo = ShareRepository(session)
    row = repo.leak(trace_id)
    if row is None or row.client_org_id != actor.org_id:
        raise NotFoundError("No such leak trace.")
    suspects = []
    for a in row.result.get("attributions", []):
        name = str(a["recipient"])
        user = None
        copies: list[Copy] = []
        if name.startswith(_AGENT):
            try:
                user_id = uuid.UUID(hex=name.removeprefix(_AGENT))
            except ValueError:
                user_id = None
            if user_id is not None:
                user = users.user_unscoped(session, user_id)
                copies = [
                    Copy(share, recipient, _trail(session, recipient))
                    for share, recipient in repo.recipients_with_user(
                        row.client_org_id, user_id
                    )
                ]
        suspects.append(
            Suspect(
                recipient=name,
                user=user,
                attributed=bool(a["attributed"]),
                false_attribution=float(a["false_attribution"]),
                evidence={
                    k: a[k]
                    for k in (
                        "tokens_tested",
                        "token_hits",
                        "canaries_found",
                        "pseudonyms_matched",
                    )
                },
                copies=copies,
            )
        )
    suspects.sort(key=lambda s: (not s.attributed, s.false_attribution))
    return row, suspects


def _trail(session: Session, recipient: ShareRecipient) -> list[AuditEvent]:
    events: list[AuditEvent] = []
    if recipient.rendition_id:
        events += subject_history(
            session, "rendition", recipient.rendition_id, tags=_TRAIL_TAGS, limit=200
        )
    return sorted(events, key=lambda e: e.seq)


def list_leaks(session: Session, actor: Actor) -> list[LeakTrace]:
    _require(actor)
    assert actor.org_id is not None  # noqa: S101 - checked by _require
    return ShareRepository(session).leaks_of(actor.org_id)
