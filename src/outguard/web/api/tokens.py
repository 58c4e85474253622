"""`/api/v1/tokens`: the caller's personal API tokens (browser session only, by policy)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from outguard.accounts.schemas import ApiTokenCreate, ApiTokenCreated, ApiTokenRead
from outguard.accounts.service import tokens
from outguard.web.deps import ApiActor, DbSession, Deps

router = APIRouter(prefix="/tokens", tags=["api tokens"])


@router.get("", response_model=list[ApiTokenRead])
def list_tokens(session: DbSession, actor: ApiActor) -> list[ApiTokenRead]:
    return [ApiTokenRead.model_validate(t) for t in tokens.list_tokens(session, actor)]


@router.post("", response_model=ApiTokenCreated, status_code=status.HTTP_201_CREATED)
def create_token(
    data: ApiTokenCreate, session: DbSession, actor: ApiActor, deps: Deps
) -> ApiTokenCreated:
    """The token is in this response only; store it now."""
    token, raw = tokens.create_token(session, actor, data, deps=deps)
    return ApiTokenCreated(token=raw, info=ApiTokenRead.model_validate(token))


@router.post("/{token_id}/revoke", response_model=ApiTokenRead)
def revoke_token(
    token_id: uuid.UUID, session: DbSession, actor: ApiActor, deps: Deps
) -> ApiTokenRead:
    return ApiTokenRead.model_validate(
        tokens.revoke_token(session, actor, token_id, deps=deps)
    )
