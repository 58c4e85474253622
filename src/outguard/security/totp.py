"""TOTP (RFC 6238) second factor with replay protection, and recovery codes."""

from __future__ import annotations

import secrets
from datetime import datetime

import pyotp

TOTP_PERIOD = 30
TOTP_DIGITS = 6
# Accept the previous and next step to tolerate clock drift.
TOTP_WINDOW = 1
RECOVERY_CODE_COUNT = 10
RECOVERY_CODE_LENGTH = 12


def new_totp_secret() -> str:
    return pyotp.random_base32(length=32)


def provisioning_uri(secret: str, *, account: str, issuer: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=issuer)


def current_code(secret: str, at: datetime) -> str:
    """The code an authenticator shows at `at` (demo mode and tests)."""
    return pyotp.TOTP(secret).at(at)


def verify_code(
    secret: str, code: str, *, at: datetime, last_used_counter: int | None
) -> int | None:
    """Return the time-step counter the code matched, or None.

    A code whose counter is not newer than `last_used_counter` is refused: each code
    works once (replay protection).
    """
    normalised = "".join(code.split())
    if len(normalised) != TOTP_DIGITS or not normalised.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    now_counter = int(at.timestamp()) // TOTP_PERIOD
    for offset in range(-TOTP_WINDOW, TOTP_WINDOW + 1):
        counter = now_counter + offset
        if last_used_counter is not None and counter <= last_used_counter:
            continue
        expected = totp.generate_otp(counter)
        if secrets.compare_digest(expected, normalised):
            return counter
    return None


def new_recovery_codes(count: int = RECOVERY_CODE_COUNT) -> list[str]:
    """Ten single-use codes like `k7qm-2xhp-9tdn` (60 bits each)."""
    alphabet = "23456789abcdefghjkmnpqrstuvwxyz"
    codes = []
    for _ in range(count):
        raw = "".join(secrets.choice(alphabet) for _ in range(RECOVERY_CODE_LENGTH))
        codes.append(f"{raw[:4]}-{raw[4:8]}-{raw[8:]}")
    return codes


def normalise_recovery_code(code: str) -> str:
    cleaned = "".join(ch for ch in code.lower() if ch.isalnum())
    if len(cleaned) != RECOVERY_CODE_LENGTH:
        return cleaned
    return f"{cleaned[:4]}-{cleaned[4:8]}-{cleaned[8:]}"
