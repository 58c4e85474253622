"""Errors of the accounts feature. Messages are safe to show; none confirms an account exists."""

from __future__ import annotations

from outguard.errors import (
    AuthenticationError,
    ConflictError,
    DomainValidationError,
    NotFoundError,
    RateLimitedError,
)


class SignInFailedError(AuthenticationError):
    code = "sign_in_failed"
    default_message = "The e-mail address or password is not correct."


class MfaCodeInvalidError(AuthenticationError):
    code = "mfa_code_invalid"
    default_message = "That code is not valid. Codes work once; wait for the next one."


class SessionExpiredError(AuthenticationError):
    code = "session_expired"
    default_message = "Your session has ended. Sign in again."


class ApiTokenInvalidError(AuthenticationError):
    code = "api_token_invalid"
    default_message = "The API token is not valid, has expired or was revoked."


class AccountLockedError(RateLimitedError):
    code = "account_locked"
    default_message = (
        "Too many failed attempts: sign-in is paused for this account. Try again later."
    )


class InvitationInvalidError(NotFoundError):
    code = "invitation_invalid"
    default_message = (
        "This invitation link is not valid: it has expired, was already used or was "
        "withdrawn. Ask your administrator for a new one."
    )


class EmailTakenError(ConflictError):
    code = "email_taken"
    default_message = "An account or open invitation already uses that e-mail address."


class RoleNotAllowedError(DomainValidationError):
    code = "role_not_allowed"
    default_message = "That role does not exist in this kind of organisation."


class WeakPasswordError(DomainValidationError):
    code = "weak_password"
    default_message = "Choose a stronger password."


class MfaNotPendingError(ConflictError):
    code = "mfa_not_pending"
    default_message = "There is no second-factor enrolment in progress."
