"""The outguard error tree.

Domain code raises these; the delivery adapters map a *category* to an HTTP status
(`web/errors.py`) or an exit code (`cli/output.py`) in one table each. Messages are
safe to show to the person who caused them: no secrets, no personal data, no
existence oracle.

    OutguardError
    ├── AuthenticationError      not signed in / bad credentials (uniform message)
    ├── PermissionDeniedError    visible resource, action not allowed
    ├── NotFoundError            absent OR not visible to the actor
    ├── ConflictError            state conflicts
    │   └── AlreadyExistsError
    ├── DomainValidationError    business-rule violation (payload shape stays pydantic)
    ├── RateLimitedError         too many attempts; retry later
    ├── TamperDetectedError      failed AEAD tag, broken audit chain; never retried
    └── ExternalServiceError     storage / KMS / e-mail; `.retriable`
"""

from __future__ import annotations

from typing import Any, ClassVar


class OutguardError(Exception):
    """Base of every error outguard raises on purpose."""

    code: ClassVar[str] = "error"
    default_message: ClassVar[str] = "Something went wrong."

    def __init__(
        self, message: str | None = None, *, details: dict[str, Any] | None = None
    ) -> None:
        self.message = message or self.default_message
        self.details: dict[str, Any] = details or {}
        super().__init__(self.message)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


class AuthenticationError(OutguardError):
    code = "authentication_failed"
    default_message = "The sign-in details are not correct."


class PermissionDeniedError(OutguardError):
    code = "permission_denied"
    default_message = "You are not allowed to do that."


class NotFoundError(OutguardError):
    code = "not_found"
    default_message = "Not found."


class ConflictError(OutguardError):
    code = "conflict"
    default_message = "That conflicts with the current state."


class AlreadyExistsError(ConflictError):
    code = "already_exists"
    default_message = "That already exists."


class DomainValidationError(OutguardError):
    code = "invalid"
    default_message = "That is not valid."


class RateLimitedError(OutguardError):
    code = "rate_limited"
    default_message = "Too many attempts. Wait a few minutes and try again."

    def __init__(
        self,
        message: str | None = None,
        *,
        retry_after_seconds: int = 60,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message, details=details)
        self.retry_after_seconds = retry_after_seconds


class TamperDetectedError(OutguardError):
    code = "tamper_detected"
    default_message = (
        "Integrity check failed: the data was altered or the key is wrong."
    )


class ExternalServiceError(OutguardError):
    code = "external_service"
    default_message = "An external service did not answer as expected."

    def __init__(
        self,
        message: str | None = None,
        *,
        retriable: bool = True,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message, details=details)
        self.retriable = retriable
