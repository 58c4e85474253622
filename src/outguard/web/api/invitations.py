"""`/api/v1/invitations`: invite people by e-mail; list and withdraw invitations."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from outguard.accounts.schemas import InvitationCreate, InvitationRead
from outguard.accounts.service import invitations
from outguard.web.deps import ApiActor, DbSession, Deps

router = APIRouter(prefix="/invitations", tags=["invitations"])


@router.get("", response_model=list[InvitationRead])
def list_invitations(session: DbSession, actor: ApiActor) -> list[InvitationRead]:
    return [
        InvitationRead.model_validate(i)
        for i in invitations.list_invitations(session, actor)
    ]


@router.post("", response_model=InvitationRead, status_code=status.HTTP_201_CREATED)
def create_invitation(
    data: InvitationCreate, session: DbSession, actor: ApiActor, deps: Deps
) -> InvitationRead:
    """The link goes to the invitee by e-mail only; it is never returned here."""
    invitation, _link = invitations.invite_user(session, actor, data, deps=deps)
    return InvitationRead.model_validate(invitation)


@router.post("/{invitation_id}/revoke", response_model=InvitationRead)
def revoke_invitation(
    invitation_id: uuid.UUID, session: DbSession, actor: ApiActor, deps: Deps
) -> InvitationRead:
    return InvitationRead.model_validate(
        invitations.revoke_invitation(session, actor, invitation_id, deps=deps)
    )
