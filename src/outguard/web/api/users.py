"""`/api/v1/users`: people visible to the caller; disable and enable accounts."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from outguard.accounts.schemas import UserRead
from outguard.accounts.service import users
from outguard.web.deps import ApiActor, DbSession, Deps

router = APIRouter(prefix="/users", tags=["users"])


@router.get("", response_model=list[UserRead])
def list_users(
    session: DbSession, actor: ApiActor, org_id: uuid.UUID | None = None
) -> list[UserRead]:
    return [
        UserRead.model_validate(entry.user)
        for entry in users.directory(session, actor, org_id=org_id)
    ]


@router.get("/{user_id}", response_model=UserRead)
def read_user(user_id: uuid.UUID, session: DbSession, actor: ApiActor) -> UserRead:
    return UserRead.model_validate(users.read_user(session, actor, user_id))


@router.post("/{user_id}/disable", response_model=UserRead)
def disable_user(
    user_id: uuid.UUID, session: DbSession, actor: ApiActor, deps: Deps
) -> UserRead:
    return UserRead.model_validate(
        users.disable_user(session, actor, user_id, deps=deps)
    )


@router.post("/{user_id}/enable", response_model=UserRead)
def enable_user(
    user_id: uuid.UUID, session: DbSession, actor: ApiActor, deps: Deps
) -> UserRead:
    return UserRead.model_validate(
        users.enable_user(session, actor, user_id, deps=deps)
    )
