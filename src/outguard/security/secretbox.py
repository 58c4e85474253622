"""Small-secret sealing (TOTP seeds) with AES-256-GCM under a key derived from the app secret.

The full envelope scheme (per-tenant KEKs, rotation, streaming) is the `aead` module of the
encryption issue; this box only keeps second-factor seeds out of the database in clear.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from outguard.errors import TamperDetectedError

_VERSION = "sb1"


class SecretBox:
    def __init__(self, app_secret: bytes) -> None:
        key = hmac.new(app_secret, b"outguard/secretbox/v1", hashlib.sha256).digest()
        self._aead = AESGCM(key)

    def seal(self, plaintext: str, *, context: str) -> str:
        nonce = secrets.token_bytes(12)
        ct = self._aead.encrypt(nonce, plaintext.encode(), context.encode())
        return f"{_VERSION}.{base64.urlsafe_b64encode(nonce + ct).decode()}"

    def open(self, sealed: str, *, context: str) -> str:
        version, _, body = sealed.partition(".")
        if version != _VERSION:
            raise TamperDetectedError("Unknown sealed-secret version.")
        try:
            raw = base64.urlsafe_b64decode(body.encode())
            return self._aead.decrypt(raw[:12], raw[12:], context.encode()).decode()
        except (InvalidTag, ValueError) as exc:
            raise TamperDetectedError from exc

    def __repr__(self) -> str:
        return "SecretBox(key=<redacted>)"
