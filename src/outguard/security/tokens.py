"""Random bearer secrets (sessions, API tokens, invitations), stored only as an HMAC."""

from __future__ import annotations

import hashlib
import hmac
import secrets

API_TOKEN_PREFIX = "og_"  # noqa: S105 - a prefix, not a secret
INVITE_PREFIX = "ogi_"
SESSION_PREFIX = "ogs_"


class TokenHasher:
    """HMAC-SHA256 under the application secret: a database dump alone cannot use a token."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) < 32:  # noqa: PLR2004
            msg = "the application secret must be at least 32 bytes"
            raise ValueError(msg)
        self._secret = secret

    def digest(self, token: str, *, purpose: str) -> str:
        message = purpose.encode() + b"\x00" + token.encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def matches(self, token: str, stored_digest: str, *, purpose: str) -> bool:
        return hmac.compare_digest(self.digest(token, purpose=purpose), stored_digest)

    def __repr__(self) -> str:
        return "TokenHasher(secret=<redacted>)"


def new_token(prefix: str) -> str:
    """256 bits from `secrets`, with a recognisable prefix for secret scanners."""
    return prefix + secrets.token_urlsafe(32)


def new_app_secret() -> bytes:
    return secrets.token_bytes(32)


def token_hint(token: str) -> str:
    """What may be shown of a token after creation: its prefix and last four characters."""
    return f"{token[:3]}…{token[-4:]}"


def keyed_digest(key: bytes, message: bytes) -> str:
    """HMAC-SHA256 of `message` under `key`, hex (e.g. a result signed by a check script)."""
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def digests_match(a: str, b: str) -> bool:
    """Constant-time comparison of two hex digests."""
    return hmac.compare_digest(a.encode(), b.encode())
