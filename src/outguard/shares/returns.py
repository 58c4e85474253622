"""Worked files coming back, and the owner's re-identification of them.

The agent returns a file against a share; the owner turns the agent's tokens and
pseudonyms back into real values (re-authenticated, audited).

The returned file is checked like an upload (name, kind, first bytes, size), sealed as it
streams in, and scanned in memory: what the scan sees is shown to the owner. Tokens look
like real values to a scanner, so the owner learns what is *not* this agent's tokens only
at re-identification ("not this recipient's": values the agent brought in from elsewhere),
along with any canary record that came back.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from pathlib import PurePosixPath

from outguard.accounts.policy import has_permission
from outguard.accounts.service import AccountsDeps, users
from outguard.audit.service import record
from outguard.audit.tags import AuditTag
from outguard.datasets.intake import Counted, clean_filename, kind_of
from outguard.datasets.service import DatasetsDeps, report_counts
from outguard.db import Session
from outguard.engagements.service import gate
from outguard.errors import (
    ConflictError,
    NotFoundError,
    OutguardError,
    PermissionDeniedError,
)
from outguard.formats.sources import MemorySource, MemoryTarget
from outguard.keystore.sealed import put_sealed, read_sealed_bytes
from outguard.renditions.reidentify import reidentify_file
from outguard.scanning import scan
from outguard.security.decisions import Deny
from outguard.security.permissions import Permission
from outguard.shares.models import (
    ReturnState,
    ShareReturn,
)
from outguard.shares.repository import ShareRepository
from outguard.shares.service import client_share, recipient_name
from outguard.shares.workspace import Opened, my_live_copy
from outguard.types import Actor

_TABLE_OR_TEXT = frozenset({"csv", "tsv", "xlsx", "parquet", "jsonl", "txt"})


def submit_return(
    session: Session,
    actor: Actor,
    share_id: uuid.UUID,
    *,
    filename: str,
    chunks: Iterable[bytes],
    deps: DatasetsDeps,
) -> Opened | ShareReturn:
    """Store the agent's worked file sealed and scan it; a gate refusal is returned."""
    repo = ShareRepository(session)
    share, recipient = my_live_copy(session, actor, share_id, deps=deps)
    result = gate.enforce(session, actor, share.engagement_id, clock=deps.clock)
    if not result.allowed:
        return Opened(result, share, recipient)
    if not share.can_return:
        raise PermissionDeniedError("This share does not take worked files back.")
    clean = clean_filename(filename)
    kind = kind_of(clean)
    if kind not in _TABLE_OR_TEXT:
        raise PermissionDeniedError(
            "Return a table (CSV, TSV, XLSX, Parquet, JSON lines) or a text file."
        )
    return_id = uuid.uuid4()
    counted = Counted(chunks, kind=kind, limit=deps.max_upload_bytes, keep=True)
    key_id = f"rt-{return_id.hex}"
    blob_key = f"shares/{share.id.hex}/returns/{return_id.hex}.sealed"
    put_sealed(
        session,
        deps.keys,
        deps.blobs,
        tenant=str(share.client_org_id),
        key_id=key_id,
        purpose="return",
        blob_key=blob_key,
        chunks=counted,
        clock=deps.clock,
    )
    row = ShareReturn(
        id=return_id,
        share_id=share.id,
        user_id=recipient.user_id,
        filename=clean,
        kind=kind,
        size=counted.size,
        sha256=counted.sha.hexdigest(),
        blob_key=blob_key,
        key_id=key_id,
        state=ReturnState.RECEIVED,
        found={},
        received_at=deps.clock.now(),
    )
    try:
        row.found = report_counts(
            scan(
                MemorySource(f"returned{PurePosixPath(clean).suffix}", counted.data)
            ).to_json()
        )
    except OutguardError as exc:
        row.state = ReturnState.FAILED
        row.error = exc.message[:500]
    repo.add(row)
    record(
        session,
        actor,
        AuditTag.SHARE_RETURNED,
        clock=deps.clock,
        subject_type="share",
        subject_id=share.id,
        org_id=share.client_org_id,
        details={
            "return_id": str(row.id),
            "kind": kind,
            "size": row.size,
            "sha256": row.sha256,
            "entities": sorted(row.found),
            "state": row.state,
        },
    )
    return row


def returns_of(
    session: Session, actor: Actor, share_id: uuid.UUID
) -> list[ShareReturn]:
    """The owner sees every return; an agent sees their own."""
    repo = ShareRepository(session)
    share = repo.share(share_id)
    if share is None:
        raise NotFoundError("No such share.")
    if actor.org_id == share.client_org_id or actor.is_system:
        decision = has_permission(actor, Permission.DATASETS_READ)
        if isinstance(decision, Deny):
            raise PermissionDeniedError(decision.reason)
        return repo.returns_of(share.id)
    if actor.user_id is None or repo.recipient_for(share.id, actor.user_id) is None:
        raise NotFoundError("No such share.")
    return repo.returns_of(share.id, actor.user_id)


def reidentify_return(
    session: Session,
    actor: Actor,
    share_id: uuid.UUID,
    return_id: uuid.UUID,
    *,
    password: str,
    deps: DatasetsDeps,
    accounts: AccountsDeps,
) -> ShareReturn:
    """Turn the agent's tokens back into real values for the owner (password asked again)."""
    share = client_share(session, actor, share_id)
    decision = has_permission(actor, Permission.DATA_REIDENTIFY)
    if isinstance(decision, Deny):
        raise PermissionDeniedError(decision.reason)
    users.reauthenticate(session, actor, password, deps=accounts)
    repo = ShareRepository(session)
    row = repo.return_(return_id, for_update=True)
    if row is None or row.share_id != share.id:
        raise NotFoundError("No such returned file.")
    if row.return_state is ReturnState.REIDENTIFIED:
        return row  # a double click: done already
    if row.return_state is ReturnState.FAILED:
        raise ConflictError(f"This file could not be read: {row.error}")
    data = read_sealed_bytes(
        session,
        deps.keys,
        deps.blobs,
        tenant=str(share.client_org_id),
        key_id=row.key_id,
        blob_key=row.blob_key,
    )
    suffix = PurePosixPath(row.filename).suffix.lower()
    out = MemoryTarget(f"reidentified{'.txt' if row.kind == 'txt' else suffix}")
    try:
        with session.begin_nested():
            report = reidentify_file(
                session,
                deps.keys,
                actor,
                tenant=str(share.client_org_id),
                recipient=recipient_name(row.user_id),
                source=MemorySource(f"returned{suffix}", data),
                out=out,
                clock=deps.clock,
            )
    except OutguardError as exc:
        raise ConflictError(
            f"The file could not be re-identified: {exc.message}"
        ) from exc
    assert out.data is not None  # noqa: S101 - a finished write holds its bytes
    row.result_key_id = f"ri-{row.id.hex}"
    row.result_blob_key = f"shares/{share.id.hex}/returns/{row.id.hex}.result.sealed"
    put_sealed(
        session,
        deps.keys,
        deps.blobs,
        tenant=str(share.client_org_id),
        key_id=row.result_key_id,
        purpose="reidentified",
        blob_key=row.result_blob_key,
        chunks=[out.data],
        clock=deps.clock,
    )
    summary = report.to_json()
    row.result = {
        "rows": summary["rows"],
        "reidentified": summary["reidentified"],
        "not_this_recipient": sum(c["not_this_recipient"] for c in summary["columns"]),
        "canary_rows": summary["canary_rows"],
        "columns": summary["columns"],
        "notes": summary["notes"],
    }
    row.result_name = f"{PurePosixPath(row.filename).stem[:80]}-reidentified{PurePosixPath(out.name).suffix}"
    row.state = ReturnState.REIDENTIFIED
    row.reidentified_by_id = actor.user_id
    row.reidentified_at = deps.clock.now()
    record(
        session,
        actor,
        AuditTag.SHARE_RETURN_REIDENTIFIED,
        clock=deps.clock,
        subject_type="share",
        subject_id=share.id,
        org_id=share.client_org_id,
        details={
            "return_id": str(row.id),
            "reidentified": row.result["reidentified"],
            "not_this_recipient": row.result["not_this_recipient"],
            "canary_rows": len(row.result["canary_rows"]),
        },
    )
    return row


def reidentified_file(
    session: Session,
    actor: Actor,
    share_id: uuid.UUID,
    return_id: uuid.UUID,
    *,
    deps: DatasetsDeps,
) -> tuple[ShareReturn, bytes]:
    """The re-identified result, for the owner's roles only; every download is recorded."""
    share = client_share(session, actor, share_id)
    decision = has_permission(actor, Permission.DATA_REIDENTIFY)
    if isinstance(decision, Deny):
        raise PermissionDeniedError(decision.reason)
    row = ShareRepository(session).return_(return_id)
    if row is None or row.share_id != share.id:
        raise NotFoundError("No such returned file.")
    if row.result_key_id is None or row.result_blob_key is None:
        raise ConflictError("Re-identify the file first.")
    data = read_sealed_bytes(
        session,
        deps.keys,
        deps.blobs,
        tenant=str(share.client_org_id),
        key_id=row.result_key_id,
        blob_key=row.result_blob_key,
    )
    record(
        session,
        actor,
        AuditTag.SHARE_RETURN_DOWNLOADED,
        clock=deps.clock,
        subject_type="share",
        subject_id=share.id,
        org_id=share.client_org_id,
        details={"return_id": str(row.id), "bytes": len(data)},
    )
    return row, data
