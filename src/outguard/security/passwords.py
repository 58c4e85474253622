"""argon2id password hashing with rehash-on-verify and a dummy-hash path."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    new_hash: str | None = None  # set when the stored hash used outdated parameters


class PasswordPolicyError(ValueError):
    """The chosen password does not meet the policy (message is safe to show)."""


class Passwords:
    """One configured argon2id hasher. Costs come from settings so tests stay cheap."""

    def __init__(self, *, time_cost: int, memory_kib: int, parallelism: int) -> None:
        self._hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism
        )
        # Verifying against this when the user does not exist keeps timing uniform.
        self._dummy_hash = self._hasher.hash("outguard-dummy-password")

    def hash(self, password: str) -> str:
        check_password_policy(password)
        return self._hasher.hash(password)

    def verify(self, stored_hash: str | None, password: str) -> VerifyResult:
        if stored_hash is None:
            self._verify_dummy(password)
            return VerifyResult(ok=False)
        try:
            self._hasher.verify(stored_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return VerifyResult(ok=False)
        if self._hasher.check_needs_rehash(stored_hash):
            return VerifyResult(ok=True, new_hash=self._hasher.hash(password))
        return VerifyResult(ok=True)

    def _verify_dummy(self, password: str) -> None:
        with contextlib.suppress(VerificationError):
            self._hasher.verify(self._dummy_hash, password[:MAX_PASSWORD_LENGTH])


def check_password_policy(password: str) -> None:
    """NIST 800-63B style: length matters, composition rules do not."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordPolicyError(
            f"Choose a password of at least {MIN_PASSWORD_LENGTH} characters."
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise PasswordPolicyError(
            f"Choose a password of at most {MAX_PASSWORD_LENGTH} characters."
        )
    if len(set(password)) < 4:  # noqa: PLR2004 - "aaaaaaaaaaaa" and friends
        raise PasswordPolicyError("Choose a password with more variety.")
