"""The agent's side of a share: what was shared with me, and opening my copy.

Every opening goes through the engagement's gate (`gate.enforce`, which records a denial);
a refusal is returned, not raised, so the denial event commits with the refused request.
The rendition is decrypted in memory for this one response and never sent whole to the
browser for viewing: the viewer renders a page of rows server-side.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from outguard.audit.service import recent_count, record
from outguard.audit.tags import AuditTag
from outguard.datasets.service import DatasetsDeps
from outguard.db import Session
from outguard.engagements.gate import GateResult
from outguard.engagements.service import gate
from outguard.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
)
from outguard.formats.readers import open_table
from outguard.formats.sources import MemorySource
from outguard.keystore.sealed import read_sealed_bytes
from outguard.scanning import decode_text
from outguard.shares.models import RecipientState, Share, ShareRecipient, ShareState
from outguard.shares.repository import ShareRepository
from outguard.shares.service import admit_waiting, join_team
from outguard.types import Actor

PAGE_ROWS = 50
MAX_PAGE = 100_000


@dataclass(frozen=True)
class Opened:
    """A gate decision, and when allowed, the rendition's clear bytes for this response."""

    result: GateResult
    share: Share
    recipient: ShareRecipient
    data: bytes | None = None


@dataclass(frozen=True)
class Page:
    columns: list[str]
    rows: list[list[str]]
    number: int
    has_next: bool
    text: str | None = None  # for a text rendition: the page's lines


def my_shares(
    session: Session, actor: Actor, engagement_id: uuid.UUID, *, deps: DatasetsDeps
) -> list[tuple[Share, ShareRecipient]]:
    """The live shares naming me on this engagement (call after the gate allowed the visit)."""
    if actor.user_id is None:
        return []
    repo = ShareRepository(session)
    for team_share in repo.team_shares(engagement_id):  # enrolled since it was made?
        join_team(session, team_share, [actor.user_id], deps=deps)
    out = []
    for share, recipient in repo.shares_for_user(actor.user_id, engagement_id):
        if (
            share.share_state is not ShareState.ACTIVE
            or deps.clock.now() > share.expires_at
        ):
            continue
        if recipient.recipient_state is RecipientState.WAITING:
            admit_waiting(session, share, deps=deps)
        if recipient.recipient_state is not RecipientState.REVOKED:
            out.append((share, recipient))
    return out


def my_live_copy(
    session: Session, actor: Actor, share_id: uuid.UUID, *, deps: DatasetsDeps
) -> tuple[Share, ShareRecipient]:
    """The share and the caller's place in it, while it is live (else refused)."""
    repo = ShareRepository(session)
    share = repo.share(share_id)
    recipient = (
        repo.recipient_for(share_id, actor.user_id)
        if share is not None and actor.user_id is not None
        else None
    )
    if share is None or recipient is None:
        raise NotFoundError("No such share.")
    if (
        share.share_state is not ShareState.ACTIVE
        or recipient.recipient_state is RecipientState.REVOKED
    ):
        raise PermissionDeniedError(
            "This share was revoked: your copy no longer exists."
        )
    if deps.clock.now() > share.expires_at:
        raise PermissionDeniedError("This share has expired.")
    return share, recipient


def open_rendition(
    session: Session,
    actor: Actor,
    share_id: uuid.UUID,
    *,
    deps: DatasetsDeps,
    purpose: Literal["view", "download"],
) -> Opened:
    share, recipient = my_live_copy(session, actor, share_id, deps=deps)
    result = gate.enforce(session, actor, share.engagement_id, clock=deps.clock)
    if not result.allowed:
        return Opened(result, share, recipient)
    if purpose == "download" and not recipient.may_download(share):
        raise PermissionDeniedError(
            "This share is view-only for you: the client did not allow downloads."
        )
    _limit(session, actor, purpose, deps)
    if recipient.recipient_state is not RecipientState.READY:
        raise ConflictError(
            "Your copy is not ready yet."
            if recipient.recipient_state is not RecipientState.FAILED
            else "Your copy could not be made; the client has been told."
        )
    assert recipient.key_id is not None  # noqa: S101 - ready means sealed
    assert recipient.blob_key is not None  # noqa: S101
    data = read_sealed_bytes(
        session,
        deps.keys,
        deps.blobs,
        tenant=str(share.client_org_id),
        key_id=recipient.key_id,
        blob_key=recipient.blob_key,
    )
    return Opened(result, share, recipient, data)


def _limit(session: Session, actor: Actor, purpose: str, deps: DatasetsDeps) -> None:
    """Per agent: so many pages a minute, so many downloads an hour (scraping, hoarding)."""
    assert actor.user_id is not None  # noqa: S101 - recipients are people
    now = deps.clock.now()
    if purpose == "download":
        tags, window, most = (
            (AuditTag.RENDITION_DOWNLOADED,),
            timedelta(hours=1),
            deps.downloads_per_hour,
        )
    else:
        tags, window, most = (
            (AuditTag.RENDITION_VIEWED,),
            timedelta(minutes=1),
            deps.pages_per_minute,
        )
    if recent_count(session, actor.user_id, tags, now - window) >= most:
        raise RateLimitedError(
            f"Too many {'downloads' if purpose == 'download' else 'pages'} in a short "
            "time: wait a little, then try again.",
            retry_after_seconds=int(window.total_seconds()),
        )


def page_of(opened: Opened, number: int, *, query: str = "") -> Page:
    """One page of the rendition for the viewer (search: rows containing `query`)."""
    assert opened.data is not None  # noqa: S101 - only for an allowed opening
    number = max(1, min(number, MAX_PAGE))
    name = opened.recipient.output_name or "rendition.csv"
    needle = query.casefold().strip()
    if opened.recipient.output_kind == "txt":
        lines = decode_text(opened.data).splitlines()
        if needle:
            lines = [line for line in lines if needle in line.casefold()]
        start = (number - 1) * PAGE_ROWS
        chunk = lines[start : start + PAGE_ROWS]
        return Page([], [], number, len(lines) > start + PAGE_ROWS, "\n".join(chunk))
    stream = open_table(MemorySource(name, opened.data), batch_rows=1000)
    start = (number - 1) * PAGE_ROWS
    rows: list[list[str]] = []
    seen = 0
    has_next = False
    for batch in stream.batches:
        for i in range(len(batch[0]) if batch else 0):
            row = ["" if col[i] is None else str(col[i]) for col in batch]
            if needle and not any(needle in cell.casefold() for cell in row):
                continue
            if seen >= start + PAGE_ROWS:
                has_next = True
                break
            if seen >= start:
                rows.append(row)
            seen += 1
        if has_next:
            break
    return Page(list(stream.names), rows, number, has_next)


def record_access(
    session: Session,
    actor: Actor,
    opened: Opened,
    *,
    deps: DatasetsDeps,
    download: bool,
    page: int | None = None,
    rows: int | None = None,
) -> None:
    share, recipient = opened.share, opened.recipient
    details: dict[str, object] = {"share_id": str(share.id)}
    if download:
        details |= {
            "rendition_id": recipient.rendition_id,
            "bytes": len(opened.data or b""),
            "output_sha256": recipient.output_sha256,
        }
    else:
        details |= {"page": page, "rows": rows}
    record(
        session,
        actor,
        AuditTag.RENDITION_DOWNLOADED if download else AuditTag.RENDITION_VIEWED,
        clock=deps.clock,
        subject_type="rendition",
        subject_id=recipient.rendition_id,
        org_id=share.client_org_id,
        details=details,
    )
