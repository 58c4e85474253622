"""Home-folder layout and the application secret.

<home>/
  outguard.db        SQLite database (unless OUTGUARD_DATABASE__URL points elsewhere)
  blobs/             encrypted blobs (local backend)
  keys/app.key       32 random bytes: HMAC key for session, invitation and API tokens
  keys/root.key      32 random bytes: root of the encryption key hierarchy (file provider)
  keys/audit.key     Ed25519 private key (32 bytes) that signs audit-log checkpoints
  outbox/            e-mails written by the development mail backend
  instance.json      marker: created_at, version
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from outguard import __version__
from outguard.db.migrate import upgrade
from outguard.errors import ConflictError, NotFoundError
from outguard.keystore.provider import root_key_path, write_new_root_key
from outguard.security.signing import SigningKey
from outguard.security.tokens import new_app_secret
from outguard.settings import Settings

APP_KEY_BYTES = 32


class HomeExistsError(ConflictError):
    code = "instance_exists"
    default_message = "An outguard instance already exists in that folder."


class InstanceNotInitialisedError(NotFoundError):
    code = "instance_missing"
    default_message = "No outguard instance here yet: run `outguard init` first."


@dataclass(frozen=True)
class InstancePaths:
    home: Path

    @property
    def marker(self) -> Path:
        return self.home / "instance.json"

    @property
    def app_key(self) -> Path:
        return self.home / "keys" / "app.key"

    @property
    def audit_key(self) -> Path:
        return self.home / "keys" / "audit.key"

    @property
    def exists(self) -> bool:
        return self.marker.exists()


def init_home(settings: Settings, *, now: datetime) -> InstancePaths:
    """Create the folder, the app key and the database (migrated to head).

    Refuses an existing instance: a second init must never overwrite keys.
    """
    paths = InstancePaths(settings.home)
    if paths.exists or paths.app_key.exists():
        raise HomeExistsError(
            f"An outguard instance already exists in {settings.home}. "
            "Use it as it is, or choose another OUTGUARD_HOME."
        )
    settings.home.mkdir(parents=True, exist_ok=True, mode=0o700)
    for sub in ("keys", "outbox"):
        (settings.home / sub).mkdir(exist_ok=True, mode=0o700)
    settings.blob_path.mkdir(parents=True, exist_ok=True, mode=0o700)
    if settings.secret_key is None:
        _write_secret(paths.app_key, new_app_secret())
    if settings.crypto.key_provider == "file":
        write_new_root_key(root_key_path(settings))
    _write_secret(paths.audit_key, SigningKey.generate().material)
    upgrade(settings.database_url)
    paths.marker.write_text(
        json.dumps({"created_at": now.isoformat(), "version": __version__}, indent=2)
        + "\n",
        encoding="utf-8",
    )
    return paths


def _write_secret(path: Path, secret: bytes) -> None:
    # O_EXCL: never clobber an existing key, even in a race with another init.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(secret)
        fh.flush()
        os.fsync(fh.fileno())


def load_app_secret(settings: Settings) -> bytes:
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value().encode()
    path = InstancePaths(settings.home).app_key
    if not path.exists():
        raise InstanceNotInitialisedError(
            f"No application key at {path}: run `outguard init` (OUTGUARD_HOME={settings.home})."
        )
    secret = path.read_bytes()
    if len(secret) < APP_KEY_BYTES:
        raise InstanceNotInitialisedError(f"The application key at {path} is damaged.")
    return secret


def load_audit_key(
    settings: Settings, *, create: bool = True
) -> tuple[SigningKey, bool]:
    """The instance's checkpoint-signing key, and whether it was created just now.

    Instances initialised before checkpoints existed get theirs on first need.
    """
    path = InstancePaths(settings.home).audit_key
    created = False
    if not path.exists():
        if not create or not InstancePaths(settings.home).exists:
            raise InstanceNotInitialisedError(
                f"No audit signing key at {path}: run `outguard init` first."
            )
        try:
            _write_secret(path, SigningKey.generate().material)
            created = True
        except FileExistsError:  # another process made it first: use theirs
            created = False
    return SigningKey(path.read_bytes()), created
