"""Personal API tokens: `og_…`, scoped, expiring; only an HMAC is stored."""

from __future__ import annotations

import uuid
from datetime import timedelta

from outguard.accounts.errors import ApiTokenInvalidError
from outguard.accounts.models import ApiToken
from outguard.accounts.policy import can_manage_tokens
from outguard.accounts.repository import (
    ApiTokenRepository,
    OrganizationRepository,
    UserRepository,
)
from outguard.accounts.schemas import ApiTokenCreate
from outguard.accounts.service.actors import actor_for
from outguard.accounts.service.deps import AccountsDeps
from outguard.audit.service import record
from outguard.audit.tags import AuditTag
from outguard.db import Session
from outguard.errors import DomainValidationError, NotFoundError, PermissionDeniedError
from outguard.security.decisions import Deny
from outguard.security.permissions import Permission, permissions_for
from outguard.security.tokens import API_TOKEN_PREFIX, new_token, token_hint
from outguard.types import Actor, RequestContext

_PURPOSE = "api-token"


def _require(actor: Actor) -> uuid.UUID:
    decision = can_manage_tokens(actor)
    if isinstance(decision, Deny) or actor.user_id is None:
        raise PermissionDeniedError(
            decision.reason if isinstance(decision, Deny) else None
        )
    return actor.user_id


def create_token(
    session: Session, actor: Actor, data: ApiTokenCreate, *, deps: AccountsDeps
) -> tuple[ApiToken, str]:
    user_id = _require(actor)
    allowed = permissions_for(actor.roles)
    extra = set(data.scopes) - allowed
    if extra:
        raise DomainValidationError(
            "A token cannot have scopes your roles do not grant: "
            + ", ".join(sorted(str(s) for s in extra))
        )
    if data.expires_in_days > deps.auth.api_token_max_days:
        raise DomainValidationError(
            f"A token can live at most {deps.auth.api_token_max_days} days."
        )
    now = deps.clock.now()
    raw = new_token(API_TOKEN_PREFIX)
    token = ApiTokenRepository(session).add(
        ApiToken(
            user_id=user_id,
            name=data.name,
            token_hash=deps.hasher.digest(raw, purpose=_PURPOSE),
            hint=token_hint(raw),
            scopes=sorted(str(s) for s in data.scopes),
            created_at=now,
            expires_at=now + timedelta(days=data.expires_in_days),
        )
    )
    record(
        session,
        actor,
        AuditTag.API_TOKEN_CREATED,
        clock=deps.clock,
        subject_type="api_token",
        subject_id=token.id,
        details={"scopes": token.scopes, "days": data.expires_in_days},
    )
    return token, raw


def grantable_scopes(actor: Actor) -> list[Permission]:
    """Scopes worth offering for a new token (tokens never manage tokens, by policy)."""
    return sorted(
        p for p in permissions_for(actor.roles) if p is not Permission.TOKENS_MANAGE
    )


def list_tokens(session: Session, actor: Actor) -> list[ApiToken]:
    return ApiTokenRepository(session).list_owned(_require(actor))


def revoke_token(
    session: Session, actor: Actor, token_id: uuid.UUID, *, deps: AccountsDeps
) -> ApiToken:
    token = ApiTokenRepository(session).get_owned(_require(actor), token_id)
    if token is None:
        raise NotFoundError("API token not found.")
    if token.revoked_at is None:
        token.revoked_at = deps.clock.now()
        record(
            session,
            actor,
            AuditTag.API_TOKEN_REVOKED,
            clock=deps.clock,
            subject_type="api_token",
            subject_id=token.id,
        )
    return token


def authenticate_token(
    session: Session, raw: str, *, context: RequestContext, deps: AccountsDeps
) -> Actor:
    if not raw.startswith(API_TOKEN_PREFIX):
        raise ApiTokenInvalidError
    now = deps.clock.now()
    token = ApiTokenRepository(session).get_by_hash(
        deps.hasher.digest(raw, purpose=_PURPOSE)
    )
    if token is None or token.revoked_at is not None or token.expires_at <= now:
        raise ApiTokenInvalidError
    user = UserRepository(session).get_unscoped(token.user_id)
    if user is None or not user.is_active:
        raise ApiTokenInvalidError
    org = OrganizationRepository(session).get_unscoped(user.org_id)
    if org is None or org.disabled_at is not None:
        raise ApiTokenInvalidError
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        token.last_used_at = now
    return actor_for(user, org, context, scopes=frozenset(token.scopes))
