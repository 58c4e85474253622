"""Sign-in: password, then second factor; server-side sessions; throttling and lockout.

Failures are *returned*, not raised, so that the delivery layer commits the failure
record (throttling, lockout, audit) before it shows the error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum

from outguard.accounts.errors import (
    AccountLockedError,
    MfaCodeInvalidError,
    SessionExpiredError,
    SignInFailedError,
)
from outguard.accounts.models import Organization, User, WebSession
from outguard.accounts.repository import (
    LoginFailureRepository,
    OrganizationRepository,
    RecoveryCodeRepository,
    UserRepository,
    WebSessionRepository,
)
from outguard.accounts.service.actors import actor_for
from outguard.accounts.service.deps import AccountsDeps
from outguard.audit.service import record
from outguard.audit.tags import AuditTag
from outguard.db import Session
from outguard.errors import OutguardError, RateLimitedError
from outguard.security import totp
from outguard.security.permissions import mfa_required
from outguard.security.tokens import SESSION_PREFIX, new_token
from outguard.types import Actor, RequestContext

PENDING_SESSION_MINUTES = 10
# Writing last_seen_at on every request would make every page view a write.
TOUCH_INTERVAL = timedelta(seconds=60)
_SESSION_PURPOSE = "session"


class SignInStep(StrEnum):
    MFA = "mfa"  # enter a code from the authenticator (or a recovery code)
    ENROL = "enrol"  # this role requires a second factor that is not set up yet
    DONE = "done"


@dataclass(frozen=True)
class SignInOutcome:
    step: SignInStep | None = None
    session_token: str | None = field(default=None, repr=False)
    error: OutguardError | None = None


@dataclass(frozen=True)
class AuthenticatedSession:
    user: User
    org: Organization
    web_session: WebSession

    def actor(self, context: RequestContext) -> Actor:
        return actor_for(self.user, self.org, context)


def _key(deps: AccountsDeps, kind: str, value: str) -> str:
    return deps.hasher.digest(
        f"{kind}:{value.strip().lower()}", purpose="login-throttle"
    )


def _who(context: RequestContext) -> Actor:
    return Actor.anonymous(context)


def sign_in(
    session: Session,
    *,
    email: str,
    password: str,
    context: RequestContext,
    deps: AccountsDeps,
) -> SignInOutcome:
    now = deps.clock.now()
    window = now - timedelta(minutes=deps.auth.login_window_minutes)
    failures = LoginFailureRepository(session)
    account_key = _key(deps, "account", email)
    ip_key = _key(deps, "ip", context.ip or "unknown")
    if failures.count_since(ip_key, window) >= deps.auth.login_max_failures_per_ip:
        return SignInOutcome(
            error=RateLimitedError(
                retry_after_seconds=deps.auth.login_window_minutes * 60
            )
        )

    user = UserRepository(session).get_by_email_unscoped(email)
    locked = (
        failures.count_since(account_key, window)
        >= deps.auth.login_max_failures_per_account
    )
    if user is not None and user.locked_until is not None and user.locked_until > now:
        locked = True
    if locked:
        deps.passwords.verify(None, password)  # same work whatever the reason
        return SignInOutcome(
            error=AccountLockedError(retry_after_seconds=deps.auth.lockout_minutes * 60)
        )

    result = deps.passwords.verify(user.password_hash if user else None, password)
    if user is None or not result.ok or not user.is_active:
        reason = (
            "unknown_account"
            if user is None
            else ("bad_password" if not result.ok else "disabled")
        )
        _record_failure(
            session,
            user,
            account_key,
            ip_key,
            reason=reason,
            context=context,
            deps=deps,
        )
        return SignInOutcome(error=SignInFailedError())

    if result.new_hash is not None:
        user.password_hash = result.new_hash
    user.failed_login_count = 0
    user.locked_until = None
    org = OrganizationRepository(session).get_unscoped(user.org_id)
    assert org is not None  # noqa: S101 - foreign key
    if user.has_mfa:
        step = SignInStep.MFA
    elif mfa_required(user.role_set):
        step = SignInStep.ENROL
    else:
        step = SignInStep.DONE
    token = _open_session(
        session, user, complete=step is SignInStep.DONE, context=context, deps=deps
    )
    if step is SignInStep.DONE:
        _signed_in(session, user, org, context, deps, factor="password")
    return SignInOutcome(step=step, session_token=token)


def _record_failure(
    session: Session,
    user: User | None,
    account_key: str,
    ip_key: str,
    *,
    reason: str,
    context: RequestContext,
    deps: AccountsDeps,
) -> None:
    now = deps.clock.now()
    failures = LoginFailureRepository(session)
    failures.add(account_key, now)
    failures.add(ip_key, now)
    record(
        session,
        _who(context),
        AuditTag.LOGIN_FAILED,
        clock=deps.clock,
        subject_type="user" if user else None,
        subject_id=user.id if user else None,
        org_id=user.org_id if user else None,
        details={"reason": reason},
    )
    if user is None:
        return
    user.failed_login_count += 1
    window = now - timedelta(minutes=deps.auth.login_window_minutes)
    if (
        failures.count_since(account_key, window)
        >= deps.auth.login_max_failures_per_account
    ):
        user.locked_until = now + timedelta(minutes=deps.auth.lockout_minutes)
        record(
            session,
            _who(context),
            AuditTag.ACCOUNT_LOCKED,
            clock=deps.clock,
            subject_type="user",
            subject_id=user.id,
            org_id=user.org_id,
            details={"minutes": deps.auth.lockout_minutes},
        )


def _open_session(
    session: Session,
    user: User,
    *,
    complete: bool,
    context: RequestContext,
    deps: AccountsDeps,
) -> str:
    now = deps.clock.now()
    token = new_token(SESSION_PREFIX)
    lifetime = (
        timedelta(hours=deps.auth.session_absolute_hours)
        if complete
        else timedelta(minutes=PENDING_SESSION_MINUTES)
    )
    WebSessionRepository(session).add(
        WebSession(
            token_hash=deps.hasher.digest(token, purpose=_SESSION_PURPOSE),
            user_id=user.id,
            is_mfa_complete=complete,
            created_at=now,
            last_seen_at=now,
            expires_at=now + lifetime,
            ip=context.ip,
            user_agent=(context.user_agent or "")[:300] or None,
        )
    )
    return token


def _signed_in(
    session: Session,
    user: User,
    org: Organization,
    context: RequestContext,
    deps: AccountsDeps,
    *,
    factor: str,
) -> None:
    user.last_login_at = deps.clock.now()
    record(
        session,
        actor_for(user, org, context),
        AuditTag.LOGIN_SUCCEEDED,
        clock=deps.clock,
        subject_type="user",
        subject_id=user.id,
        details={"second_factor": factor},
    )


def authenticate_session(
    session: Session,
    token: str | None,
    *,
    deps: AccountsDeps,
    require_complete: bool = True,
) -> AuthenticatedSession:
    """Resolve a session cookie, enforcing revocation, idle and absolute timeouts."""
    if not token or not token.startswith(SESSION_PREFIX):
        raise SessionExpiredError
    now = deps.clock.now()
    web_session = WebSessionRepository(session).get_by_hash(
        deps.hasher.digest(token, purpose=_SESSION_PURPOSE)
    )
    if (
        web_session is None
        or web_session.revoked_at is not None
        or web_session.expires_at <= now
    ):
        raise SessionExpiredError
    if (
        web_session.last_seen_at + timedelta(minutes=deps.auth.session_idle_minutes)
        <= now
    ):
        raise SessionExpiredError
    if require_complete and not web_session.is_mfa_complete:
        raise SessionExpiredError
    user = UserRepository(session).get_unscoped(web_session.user_id)
    if user is None or not user.is_active:
        raise SessionExpiredError
    if (
        user.sessions_valid_after is not None
        and web_session.created_at < user.sessions_valid_after
    ):
        raise SessionExpiredError
    org = OrganizationRepository(session).get_unscoped(user.org_id)
    if org is None or org.disabled_at is not None:
        raise SessionExpiredError
    if now - web_session.last_seen_at >= TOUCH_INTERVAL:
        web_session.last_seen_at = now
    return AuthenticatedSession(user=user, org=org, web_session=web_session)


def verify_second_factor(
    session: Session,
    *,
    session_token: str,
    code: str,
    context: RequestContext,
    deps: AccountsDeps,
) -> SignInOutcome:
    """Complete a pending sign-in with a TOTP code or a recovery code; rotates the session."""
    pending = authenticate_session(
        session, session_token, deps=deps, require_complete=False
    )
    user, org = pending.user, pending.org
    if pending.web_session.is_mfa_complete:
        return SignInOutcome(step=SignInStep.DONE, session_token=session_token)
    if not user.has_mfa or user.mfa_secret_sealed is None:
        return SignInOutcome(step=SignInStep.ENROL, session_token=session_token)
    now = deps.clock.now()
    window = now - timedelta(minutes=deps.auth.login_window_minutes)
    account_key = _key(deps, "account", user.email)
    failures = LoginFailureRepository(session)
    if (
        failures.count_since(account_key, window)
        >= deps.auth.login_max_failures_per_account
    ):
        return SignInOutcome(
            error=AccountLockedError(retry_after_seconds=deps.auth.lockout_minutes * 60)
        )

    factor = _check_code(session, user, code, deps=deps)
    if factor is None:
        _record_failure(
            session,
            user,
            account_key,
            _key(deps, "ip", context.ip or "unknown"),
            reason="bad_second_factor",
            context=context,
            deps=deps,
        )
        record(
            session,
            actor_for(user, org, context),
            AuditTag.MFA_FAILED,
            clock=deps.clock,
            subject_type="user",
            subject_id=user.id,
        )
        return SignInOutcome(error=MfaCodeInvalidError())
    new = _complete_session(pending.web_session, deps=deps)
    _signed_in(session, user, org, context, deps, factor=factor)
    return SignInOutcome(step=SignInStep.DONE, session_token=new)


def _check_code(
    session: Session, user: User, code: str, *, deps: AccountsDeps
) -> str | None:
    assert user.mfa_secret_sealed is not None  # noqa: S101 - caller checked
    cleaned = "".join(code.split())
    if cleaned.isdigit():
        secret = deps.box.open(user.mfa_secret_sealed, context=f"totp:{user.id}")
        counter = totp.verify_code(
            secret,
            cleaned,
            at=deps.clock.now(),
            last_used_counter=user.totp_last_counter,
        )
        if counter is None:
            return None
        user.totp_last_counter = counter
        return "totp"
    recovery = RecoveryCodeRepository(session).find_unused(
        user.id, recovery_code_hash(deps, user, code)
    )
    if recovery is None:
        return None
    recovery.used_at = deps.clock.now()
    record(
        session,
        Actor.system("sign-in"),
        AuditTag.RECOVERY_CODE_USED,
        clock=deps.clock,
        subject_type="user",
        subject_id=user.id,
        org_id=user.org_id,
    )
    return "recovery_code"


def recovery_code_hash(deps: AccountsDeps, user: User, code: str) -> str:
    return deps.hasher.digest(
        totp.normalise_recovery_code(code), purpose=f"recovery:{user.id}"
    )


def _complete_session(web_session: WebSession, *, deps: AccountsDeps) -> str:
    """Mark the session complete under a NEW token (no session fixation across the step)."""
    now = deps.clock.now()
    token = new_token(SESSION_PREFIX)
    web_session.token_hash = deps.hasher.digest(token, purpose=_SESSION_PURPOSE)
    web_session.is_mfa_complete = True
    web_session.last_seen_at = now
    web_session.expires_at = web_session.created_at + timedelta(
        hours=deps.auth.session_absolute_hours
    )
    return token


def complete_session_after_enrolment(
    web_session: WebSession, *, deps: AccountsDeps
) -> str:
    return _complete_session(web_session, deps=deps)


def sign_out(
    session: Session, token: str | None, *, context: RequestContext, deps: AccountsDeps
) -> None:
    if not token:
        return
    web_session = WebSessionRepository(session).get_by_hash(
        deps.hasher.digest(token, purpose=_SESSION_PURPOSE)
    )
    if web_session is None or web_session.revoked_at is not None:
        return
    web_session.revoked_at = deps.clock.now()
    record(
        session,
        Actor.anonymous(context),
        AuditTag.SESSION_ENDED,
        clock=deps.clock,
        subject_type="user",
        subject_id=web_session.user_id,
    )


def sign_out_everywhere(session: Session, actor: Actor, *, deps: AccountsDeps) -> int:
    if actor.user_id is None:
        return 0
    user = UserRepository(session).get_unscoped(actor.user_id)
    if user is None:
        return 0
    now = deps.clock.now()
    user.sessions_valid_after = now
    count = WebSessionRepository(session).revoke_all_for_user(user.id, now)
    record(
        session,
        actor,
        AuditTag.SESSIONS_REVOKED,
        clock=deps.clock,
        subject_type="user",
        subject_id=user.id,
        details={"sessions": count},
    )
    return count


def list_sessions(
    session: Session, actor: Actor, *, deps: AccountsDeps
) -> list[WebSession]:
    if actor.user_id is None:
        return []
    return WebSessionRepository(session).list_active_for_user(
        actor.user_id, deps.clock.now()
    )
