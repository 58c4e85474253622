"""Building the root-key provider from settings (composition roots call this)."""

from __future__ import annotations

import base64
import binascii
import os
from pathlib import Path

from outguard.errors import NotFoundError
from outguard.security.aead import (
    KEY_BYTES,
    KeyProvider,
    LocalKeyProvider,
    StaticKeyProvider,
    new_key,
)
from outguard.settings import Settings


class RootKeyMissingError(NotFoundError):
    code = "root_key_missing"
    default_message = (
        "The root key is missing: run `outguard init` or configure the key provider."
    )


def root_key_path(settings: Settings) -> Path:
    return settings.keys_path / "root.key"


def write_new_root_key(path: Path) -> None:
    """Create the root key file once (O_EXCL: never overwrite a key)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(new_key())
        fh.flush()
        os.fsync(fh.fileno())


def make_key_provider(settings: Settings) -> KeyProvider:
    crypto = settings.crypto
    if crypto.key_provider == "static-test":
        return StaticKeyProvider()
    if crypto.key_provider == "env":
        if crypto.root_key is None:
            raise RootKeyMissingError("OUTGUARD_CRYPTO__ROOT_KEY is not set.")
        try:
            key = base64.b64decode(crypto.root_key.get_secret_value(), validate=True)
        except (binascii.Error, ValueError):
            raise RootKeyMissingError(
                "OUTGUARD_CRYPTO__ROOT_KEY is not valid base64."
            ) from None
        if len(key) != KEY_BYTES:
            raise RootKeyMissingError(
                "OUTGUARD_CRYPTO__ROOT_KEY must decode to 32 bytes."
            )
        return LocalKeyProvider(key)
    path = root_key_path(settings)
    if not path.exists():
        raise RootKeyMissingError(f"No root key at {path}: run `outguard init`.")
    key = path.read_bytes()
    if len(key) != KEY_BYTES:
        raise RootKeyMissingError(f"The root key at {path} is damaged (not 32 bytes).")
    return LocalKeyProvider(key)
