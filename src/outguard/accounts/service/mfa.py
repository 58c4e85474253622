"""Second-factor enrolment, recovery codes, and demo-mode codes."""

from __future__ import annotations

from dataclasses import dataclass, field

from outguard.accounts.errors import MfaCodeInvalidError, MfaNotPendingError
from outguard.accounts.models import User
from outguard.accounts.repository import (
    OrganizationRepository,
    RecoveryCodeRepository,
    UserRepository,
)
from outguard.accounts.service.deps import AccountsDeps
from outguard.accounts.service.signin import (
    AuthenticatedSession,
    complete_session_after_enrolment,
    recovery_code_hash,
)
from outguard.audit.service import record
from outguard.audit.tags import AuditTag
from outguard.db import Session
from outguard.errors import ConflictError, NotFoundError, PermissionDeniedError
from outguard.security import totp
from outguard.types import RequestContext


@dataclass(frozen=True)
class EnrolmentStart:
    secret: str = field(repr=False)
    provisioning_uri: str = field(repr=False)


@dataclass(frozen=True)
class EnrolmentDone:
    session_token: str = field(repr=False)
    recovery_codes: list[str] = field(repr=False)


def _ctx(user: User) -> str:
    return f"totp:{user.id}"


def begin_enrolment(
    auth: AuthenticatedSession, *, deps: AccountsDeps
) -> EnrolmentStart:
    """Create (or re-show) the pending secret, so reloading the page keeps the same QR code."""
    user = auth.user
    if user.has_mfa:
        raise ConflictError("A second factor is already set up for this account.")
    if user.mfa_secret_sealed is None:
        secret = totp.new_totp_secret()
        user.mfa_secret_sealed = deps.box.seal(secret, context=_ctx(user))
    else:
        secret = deps.box.open(user.mfa_secret_sealed, context=_ctx(user))
    uri = totp.provisioning_uri(secret, account=user.email, issuer=deps.auth.mfa_issuer)
    return EnrolmentStart(secret=secret, provisioning_uri=uri)


def confirm_enrolment(
    session: Session,
    auth: AuthenticatedSession,
    *,
    code: str,
    context: RequestContext,
    deps: AccountsDeps,
) -> EnrolmentDone:
    user = auth.user
    if user.has_mfa or user.mfa_secret_sealed is None:
        raise MfaNotPendingError
    secret = deps.box.open(user.mfa_secret_sealed, context=_ctx(user))
    counter = totp.verify_code(
        secret, code, at=deps.clock.now(), last_used_counter=None
    )
    if counter is None:
        raise MfaCodeInvalidError(
            "That code does not match. Check the time on your phone and try the next code."
        )
    user.mfa_enrolled_at = deps.clock.now()
    user.totp_last_counter = counter
    codes = _new_recovery_codes(session, user, deps=deps)
    token = complete_session_after_enrolment(auth.web_session, deps=deps)
    record(
        session,
        auth.actor(context),
        AuditTag.MFA_ENROLLED,
        clock=deps.clock,
        subject_type="user",
        subject_id=user.id,
        details={"method": "totp"},
    )
    return EnrolmentDone(session_token=token, recovery_codes=codes)


def regenerate_recovery_codes(
    session: Session,
    auth: AuthenticatedSession,
    *,
    context: RequestContext,
    deps: AccountsDeps,
) -> list[str]:
    if not auth.user.has_mfa:
        raise MfaNotPendingError("Set up a second factor first.")
    codes = _new_recovery_codes(session, auth.user, deps=deps)
    record(
        session,
        auth.actor(context),
        AuditTag.RECOVERY_CODES_REGENERATED,
        clock=deps.clock,
        subject_type="user",
        subject_id=auth.user.id,
    )
    return codes


def _new_recovery_codes(
    session: Session, user: User, *, deps: AccountsDeps
) -> list[str]:
    codes = totp.new_recovery_codes()
    RecoveryCodeRepository(session).replace_all(
        user.id, [recovery_code_hash(deps, user, c) for c in codes], deps.clock.now()
    )
    return codes


def unused_recovery_codes(session: Session, user: User) -> int:
    return RecoveryCodeRepository(session).count_unused(user.id)


def demo_code(session: Session, email: str, *, deps: AccountsDeps) -> str:
    """The current TOTP code of a *demo* user. Refused unless the instance runs in demo mode."""
    if not deps.allow_demo_codes:
        raise PermissionDeniedError(
            "Demo codes are available only when OUTGUARD_DEMO=true."
        )
    user = UserRepository(session).get_by_email_unscoped(email)
    org = OrganizationRepository(session).get_unscoped(user.org_id) if user else None
    if user is None or org is None or not org.is_demo:
        raise NotFoundError("No demo user with that e-mail address.")
    if user.mfa_secret_sealed is None or not user.has_mfa:
        raise ConflictError("That demo user has no second factor set up.")
    secret = deps.box.open(user.mfa_secret_sealed, context=_ctx(user))
    return totp.current_code(secret, deps.clock.now())


def enrol_for_demo(user: User, secret: str, *, deps: AccountsDeps) -> None:
    """Demo seeding: give a demo user a known second factor (no QR step)."""
    user.mfa_secret_sealed = deps.box.seal(secret, context=_ctx(user))
    user.mfa_enrolled_at = deps.clock.now()
