"""`/api/v1/shares`: share a dataset version with agents, see who has it, revoke.

And the agent's download of their own copy, through the engagement's gate.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from outguard.shares.ending import certificate_file, certificates
from outguard.shares.models import Share, ShareRecipient, ShareReturn
from outguard.shares.returns import (
    reidentified_file,
    reidentify_return,
    returns_of,
    submit_return,
)
from outguard.shares.revoking import revoke
from outguard.shares.service import (
    ShareCreate,
    ShareView,
    create_share,
    get_share,
    list_shares,
)
from outguard.shares.workspace import Opened, open_rendition, record_access
from outguard.web.deps import ApiActor, DataDeps, DbSession, Deps
from outguard.web.downloads import attachment, file_response, with_body

router = APIRouter(prefix="/shares", tags=["shares"])


class RecipientRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    user_id: uuid.UUID
    state: str
    view_only: bool
    waiting_for: list[str]
    rows: int | None
    canaries: int | None
    output_sha256: str | None
    error: str | None
    ready_at: datetime | None
    revoked_at: datetime | None


class ShareRead(BaseModel):
    id: uuid.UUID
    engagement_id: uuid.UUID
    dataset_id: uuid.UUID
    version_id: uuid.UUID
    policy: str
    policy_changes: list[str]
    purpose: str
    can_download: bool
    can_return: bool
    whole_team: bool
    expires_at: datetime
    state: str
    created_at: datetime
    recipients: list[RecipientRead] | None = None


class RevokeRequest(BaseModel):
    reason: str = Field(min_length=3, max_length=500)
    user_id: uuid.UUID | None = Field(
        default=None, description="One agent only; empty: the whole share."
    )


def _recipient(r: ShareRecipient) -> RecipientRead:
    return RecipientRead.model_validate(r)


def _share(s: Share, recipients: list[ShareRecipient] | None = None) -> ShareRead:
    return ShareRead(
        id=s.id,
        engagement_id=s.engagement_id,
        dataset_id=s.dataset_id,
        version_id=s.version_id,
        policy=s.policy_name,
        policy_changes=list(s.policy_changes),
        purpose=s.purpose,
        can_download=s.can_download,
        can_return=s.can_return,
        whole_team=s.whole_team,
        expires_at=s.expires_at,
        state=s.state,
        created_at=s.created_at,
        recipients=None if recipients is None else [_recipient(r) for r in recipients],
    )


def _denied(opened: Opened) -> JSONResponse:
    # Returned, not raised: the `access:denied` event must commit with the refusal.
    return JSONResponse(
        {
            "error": "access_denied",
            "detail": "The engagement's rules are not all met.",
            "reasons": opened.result.reasons(),
        },
        status_code=403,
    )


def _view(view: ShareView) -> ShareRead:
    return _share(view.share, view.recipients)


@router.get("", response_model=list[ShareRead])
def list_(session: DbSession, actor: ApiActor) -> list[ShareRead]:
    return [_share(s) for s in list_shares(session, actor)]


@router.post("", response_model=ShareRead, status_code=status.HTTP_201_CREATED)
def create(
    data: ShareCreate, session: DbSession, actor: ApiActor, deps: DataDeps
) -> ShareRead:
    """Share a scanned dataset version. Agents not yet eligible wait, with the reasons."""
    return _view(create_share(session, actor, data, deps=deps))


@router.get("/{share_id}", response_model=ShareRead)
def read(
    share_id: uuid.UUID, session: DbSession, actor: ApiActor, deps: DataDeps
) -> ShareRead:
    return _view(get_share(session, actor, share_id, deps=deps))


@router.post("/{share_id}/revoke", response_model=ShareRead)
def revoke_(
    share_id: uuid.UUID,
    data: RevokeRequest,
    session: DbSession,
    actor: ApiActor,
    deps: DataDeps,
) -> ShareRead:
    """Revoke the share or one agent: their copies' keys are destroyed at once."""
    revoke(
        session, actor, share_id, reason=data.reason, deps=deps, user_id=data.user_id
    )
    return _view(get_share(session, actor, share_id, deps=deps))


@router.get(
    "/{share_id}/rendition",
    responses={403: {"description": "Denied by the gate, with every reason"}},
)
def download(
    share_id: uuid.UUID, session: DbSession, actor: ApiActor, deps: DataDeps
) -> Response:
    """The agent's own copy (where the share allows downloads). Every download is recorded."""
    opened = open_rendition(session, actor, share_id, deps=deps, purpose="download")
    if not opened.result.allowed:
        return _denied(opened)
    record_access(session, actor, opened, deps=deps, download=True)
    return attachment(opened)


class ReturnRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    share_id: uuid.UUID
    user_id: uuid.UUID
    filename: str
    kind: str
    size: int
    sha256: str
    state: str
    found: dict[str, int]
    error: str | None
    received_at: datetime
    result: dict[str, Any] | None
    reidentified_at: datetime | None


class ReidentifyRequest(BaseModel):
    password: str = Field(min_length=1, max_length=1024)


def _return(r: ShareReturn) -> ReturnRead:
    return ReturnRead.model_validate(r)


@router.post(
    "/{share_id}/returns",
    response_model=ReturnRead,
    status_code=status.HTTP_201_CREATED,
    responses={403: {"description": "Denied by the gate, with every reason"}},
)
async def return_file(
    share_id: uuid.UUID,
    request: Request,
    session: DbSession,
    actor: ApiActor,
    deps: DataDeps,
    filename: str = Query(..., max_length=1000),
) -> Response:
    """An agent returns a worked file (the body is the file); it is sealed and scanned."""
    outcome = await with_body(
        request,
        lambda chunks: submit_return(
            session, actor, share_id, filename=filename, chunks=chunks, deps=deps
        ),
    )
    if isinstance(outcome, Opened):
        return _denied(outcome)
    return JSONResponse(
        _return(outcome).model_dump(mode="json"), status_code=status.HTTP_201_CREATED
    )


@router.get("/{share_id}/returns", response_model=list[ReturnRead])
def list_returns(
    share_id: uuid.UUID, session: DbSession, actor: ApiActor
) -> list[ReturnRead]:
    return [_return(r) for r in returns_of(session, actor, share_id)]


@router.post("/{share_id}/returns/{return_id}/reidentify", response_model=ReturnRead)
def reidentify(
    share_id: uuid.UUID,
    return_id: uuid.UUID,
    data: ReidentifyRequest,
    session: DbSession,
    actor: ApiActor,
    deps: DataDeps,
    accounts: Deps,
) -> ReturnRead:
    """The owner's roles only, with the password again: tokens back to real values."""
    return _return(
        reidentify_return(
            session,
            actor,
            share_id,
            return_id,
            password=data.password,
            deps=deps,
            accounts=accounts,
        )
    )


@router.get("/{share_id}/returns/{return_id}/result")
def reidentified(
    share_id: uuid.UUID,
    return_id: uuid.UUID,
    session: DbSession,
    actor: ApiActor,
    deps: DataDeps,
) -> Response:
    row, data = reidentified_file(session, actor, share_id, return_id, deps=deps)
    return file_response(data, row.result_name or "reidentified.csv")


class CertificateRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    share_id: uuid.UUID
    reason: str
    sha256: str
    audit_seq: int | None
    created_at: datetime
    document: dict[str, Any]
    signed_note: str | None


@router.get("/{share_id}/certificates", response_model=list[CertificateRead])
def list_certificates(
    share_id: uuid.UUID, session: DbSession, actor: ApiActor
) -> list[CertificateRead]:
    """Destruction certificates: each document's SHA-256 is in the audit log."""
    _, found = certificates(session, actor, share_id)
    return [CertificateRead.model_validate(c) for c in found]


@router.get("/{share_id}/certificates/{certificate_id}/file")
def certificate_download(
    share_id: uuid.UUID,
    certificate_id: uuid.UUID,
    session: DbSession,
    actor: ApiActor,
    deps: DataDeps,
) -> Response:
    """The certificate as a JSON file that verifies offline: `outguard certificate verify`."""
    _, cert, data = certificate_file(
        session, actor, share_id, certificate_id, deps=deps
    )
    return file_response(data, f"certificate-{cert.id.hex[:8]}.json")
