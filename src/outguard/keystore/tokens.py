"""Per-recipient token keys: random, wrapped, versioned, and shreddable one recipient at a time.

A token key belongs to (tenant, recipient, field kind, version). It is a random data key in
the key store (never derived from a master secret), so destroying one recipient's keys leaves
every other recipient's tokens reversible, and a KEK rotation rewraps token keys like any
other data key. Key ids carry a hash of (tenant, recipient) rather than the recipient's name.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from outguard.audit.service import record
from outguard.audit.tags import AuditTag
from outguard.db import Session
from outguard.errors import DomainValidationError, NotFoundError
from outguard.keystore.repository import KeyRepository
from outguard.keystore.service import (
    DestructionRecord,
    KeyDestroyedError,
    create_data_key,
    destroy_data_key,
    load_data_key,
)
from outguard.security.aead import KeyProvider
from outguard.types import Actor, Clock

TOKEN_PURPOSE = "token"  # noqa: S105 - a key purpose label, not a secret
VAULT_PURPOSE = "vault"

_RECIPIENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,199}")
_KIND = re.compile(r"[a-z][a-z0-9_]{0,23}")


def _check(recipient: str, kind: str) -> None:
    if not _RECIPIENT.fullmatch(recipient):
        raise DomainValidationError(
            "A recipient id is 1-200 letters, digits or . _ @ + - and starts with a letter or digit."
        )
    if not _KIND.fullmatch(kind):
        raise DomainValidationError(
            "A field kind is 1-24 lowercase letters, digits or _ and starts with a letter."
        )


def check_recipient(recipient: str) -> None:
    """Refuse a recipient id that could not name a key (raises DomainValidationError)."""
    _check(recipient, "any")


def recipient_scope(tenant: str, recipient: str) -> str:
    """A stable, non-reversible id for (tenant, recipient): used in key ids and audit subjects."""
    digest = hashlib.sha256(f"{tenant}\x00{recipient}".encode()).hexdigest()
    return digest[:32]


@dataclass(frozen=True)
class TokenKey:
    """The plaintext key of one (recipient, kind, version); never prints its material."""

    kind: str
    version: int
    material: bytes = field(repr=False)


def _prefix(purpose: str, tenant: str, recipient: str) -> str:
    return f"{'tok' if purpose == TOKEN_PURPOSE else 'vlt'}/{recipient_scope(tenant, recipient)}/"


def key_id_for(
    purpose: str, tenant: str, recipient: str, kind: str, version: int
) -> str:
    return f"{_prefix(purpose, tenant, recipient)}{kind}/v{version}"


def _versions(
    session: Session, purpose: str, tenant: str, recipient: str, kind: str
) -> dict[int, bool]:
    """Version -> still usable (not destroyed), for one (recipient, kind)."""
    prefix = f"{_prefix(purpose, tenant, recipient)}{kind}/v"
    return {
        int(k.key_id[len(prefix) :]): k.wrapped is not None
        for k in KeyRepository(session).data_keys_with_prefix(prefix)
        if k.tenant == tenant
    }


def _create(
    session: Session,
    provider: KeyProvider,
    actor: Actor,
    *,
    purpose: str,
    tenant: str,
    recipient: str,
    kind: str,
    version: int,
    clock: Clock,
) -> TokenKey:
    material = create_data_key(
        session,
        provider,
        tenant=tenant,
        key_id=key_id_for(purpose, tenant, recipient, kind, version),
        purpose=purpose,
        clock=clock,
    )
    record(
        session,
        actor,
        AuditTag.RECIPIENT_KEYED if version == 1 else AuditTag.TOKEN_KEY_ROTATED,
        clock=clock,
        subject_type="recipient",
        subject_id=recipient_scope(tenant, recipient),
        details={"kind": kind, "purpose": purpose, "version": version},
    )
    return TokenKey(kind, version, material)


def recipient_key(
    session: Session,
    provider: KeyProvider,
    actor: Actor,
    *,
    tenant: str,
    recipient: str,
    kind: str,
    clock: Clock,
    purpose: str = TOKEN_PURPOSE,
    version: int | None = None,
    create: bool = True,
) -> TokenKey:
    """The recipient's key for a field kind: a given version, or the newest (made on first use).

    Reversing a token needs the version it was made with (a rendition records it); a destroyed
    version raises `KeyDestroyedError`, an unknown one `NotFoundError`.
    """
    _check(recipient, kind)
    versions = _versions(session, purpose, tenant, recipient, kind)
    if version is None:
        if not versions:
            if not create:
                raise NotFoundError("That recipient has no key for this kind of field.")
            return _create(
                session,
                provider,
                actor,
                purpose=purpose,
                tenant=tenant,
                recipient=recipient,
                kind=kind,
                version=1,
                clock=clock,
            )
        version = max(versions)
        if not versions[version]:
            raise KeyDestroyedError("That recipient's keys were destroyed.")
    elif version not in versions:
        raise NotFoundError("No such key version for that recipient.")
    material = load_data_key(
        session,
        provider,
        tenant=tenant,
        key_id=key_id_for(purpose, tenant, recipient, kind, version),
    )
    return TokenKey(kind, version, material)


def rotate_token_key(
    session: Session,
    provider: KeyProvider,
    actor: Actor,
    *,
    tenant: str,
    recipient: str,
    kind: str,
    clock: Clock,
) -> TokenKey:
    """A new version for new renditions; older versions stay for reversing older tokens."""
    _check(recipient, kind)
    versions = _versions(session, TOKEN_PURPOSE, tenant, recipient, kind)
    if versions and not any(versions.values()):
        raise KeyDestroyedError("That recipient's keys were destroyed.")
    return _create(
        session,
        provider,
        actor,
        purpose=TOKEN_PURPOSE,
        tenant=tenant,
        recipient=recipient,
        kind=kind,
        version=max(versions, default=0) + 1,
        clock=clock,
    )


def shred_recipient(
    session: Session,
    provider: KeyProvider,  # noqa: ARG001 - kept for symmetry; shredding needs no unwrap
    actor: Actor,
    *,
    tenant: str,
    recipient: str,
    clock: Clock,
) -> list[DestructionRecord]:
    """Destroy every token and vault key of one recipient; nobody can reverse its data again."""
    _check(recipient, "any")
    repo = KeyRepository(session)
    live = [
        key.key_id
        for purpose in (TOKEN_PURPOSE, VAULT_PURPOSE)
        for key in repo.data_keys_with_prefix(_prefix(purpose, tenant, recipient))
        if key.tenant == tenant and key.wrapped is not None
    ]
    destroyed = [
        destroy_data_key(session, actor, tenant=tenant, key_id=key_id, clock=clock)
        for key_id in live
    ]
    if not destroyed:
        raise NotFoundError("That recipient has no live keys.")
    # The sealed rows are already unreadable; erasing them leaves nothing to analyse.
    repo.delete_vault(recipient_scope(tenant, recipient))
    record(
        session,
        actor,
        AuditTag.RECIPIENT_SHREDDED,
        clock=clock,
        subject_type="recipient",
        subject_id=recipient_scope(tenant, recipient),
        details={
            "keys_destroyed": len(destroyed),
            "fingerprints": [d.fingerprint for d in destroyed],
        },
    )
    return destroyed
