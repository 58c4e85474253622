"""The pseudonym vault: realistic fake names and addresses, reversible by the owner only.

A name cannot be format-preserving-encrypted into another plausible name, so names and
addresses get a keyed pseudonym drawn from a list, and the pair is kept here: the original and
the pseudonym sealed (AES-256-GCM bound to tenant, recipient scope, kind and lookup) under the
recipient's vault key, found by HMAC lookups. Deterministic per recipient: the same original
always gets the same pseudonym, so joins across files keep working for the vendor. Destroying
the recipient's vault key (`shred_recipient`) makes every entry unrecoverable.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from outguard.db import Session
from outguard.errors import ConflictError, DomainValidationError, NotFoundError
from outguard.keystore.repository import KeyRepository
from outguard.keystore.tokens import (
    VAULT_PURPOSE,
    TokenKey,
    key_id_for,
    recipient_key,
    recipient_scope,
)
from outguard.security.aead import (
    KeyContext,
    KeyProvider,
    Sealer,
    keyed_digest,
)
from outguard.types import Actor, Clock

# (vault key material, original) -> candidate pseudonyms, deterministic, most preferred first.
CandidateSource = Callable[[bytes, str], Iterable[str]]

MAX_VALUE_CHARS = 500
_MAX_CANDIDATES = 64  # a list exhausted this far means the name space is too small


def normalise(value: str) -> str:
    """The form an original is stored and looked up under: NFC, single spaces, trimmed."""
    return " ".join(unicodedata.normalize("NFC", value).split())


@dataclass(frozen=True)
class _Scope:
    tenant: str
    scope: str
    kind: str
    key: TokenKey
    sealer: Sealer

    def context(self, lookup: bytes, what: str) -> KeyContext:
        return KeyContext(
            tenant=self.tenant,
            object_id=f"{self.scope}/{self.kind}/{lookup.hex()}/{what}",
            purpose=VAULT_PURPOSE,
            key_version=self.key.version,
        )

    def lookup(self, value: str) -> bytes:
        return keyed_digest(self.key.material, "vault-original", value)

    def pseudonym_lookup(self, pseudonym: str) -> bytes:
        return keyed_digest(self.key.material, "vault-pseudonym", pseudonym)


def _open_scope(
    session: Session,
    provider: KeyProvider,
    actor: Actor,
    *,
    tenant: str,
    recipient: str,
    kind: str,
    clock: Clock,
    create: bool,
) -> _Scope:
    key = recipient_key(
        session,
        provider,
        actor,
        tenant=tenant,
        recipient=recipient,
        kind=kind,
        clock=clock,
        purpose=VAULT_PURPOSE,
        create=create,
    )
    return _Scope(
        tenant, recipient_scope(tenant, recipient), kind, key, Sealer(key.material)
    )


def _check_values(values: Sequence[str | None]) -> list[str]:
    out = []
    for i, value in enumerate(values):
        if value is None or not value.strip():
            raise DomainValidationError(
                f"Value {i} is empty: there is nothing to pseudonymize."
            )
        if len(value) > MAX_VALUE_CHARS:
            raise DomainValidationError(
                f"Value {i} is longer than {MAX_VALUE_CHARS} characters."
            )
        out.append(normalise(value))
    return out


def pseudonymize(
    session: Session,
    provider: KeyProvider,
    actor: Actor,
    *,
    tenant: str,
    recipient: str,
    kind: str,
    values: Sequence[str | None],
    candidates: CandidateSource,
    clock: Clock,
) -> list[str]:
    """One pseudonym per value (same order); new originals get the first free candidate."""
    originals = _check_values(values)
    sc = _open_scope(
        session,
        provider,
        actor,
        tenant=tenant,
        recipient=recipient,
        kind=kind,
        clock=clock,
        create=True,
    )
    repo = KeyRepository(session)
    # Writers of one vault take turns, so two renders cannot give one pseudonym to two people.
    repo.lock_data_key(
        key_id_for(VAULT_PURPOSE, tenant, recipient, kind, sc.key.version)
    )
    distinct = list(dict.fromkeys(originals))
    lookups = {v: sc.lookup(v) for v in distinct}
    known = repo.vault_pseudonyms_by_lookup(sc.scope, kind, list(lookups.values()))
    result: dict[str, str] = {}
    for value in distinct:
        sealed = known.get(lookups[value])
        if sealed is not None:
            result[value] = sc.sealer.open(
                sealed, sc.context(lookups[value], "p")
            ).decode()
    fresh = [v for v in distinct if v not in result]
    new_entries = _assign(sc, repo, fresh, lookups, candidates, clock, result)
    repo.add_vault_entries(new_entries)
    return [result[v] for v in originals]


def _assign(
    sc: _Scope,
    repo: KeyRepository,
    fresh: list[str],
    lookups: dict[str, bytes],
    candidates: CandidateSource,
    clock: Clock,
    result: dict[str, str],
) -> list[dict[str, Any]]:
    """New vault rows for `fresh` (VaultEntry's columns); `result` gets their pseudonyms."""
    # Candidate lists per value, then taken-checks in bulk, round by round.
    pending = {v: iter(candidates(sc.key.material, v)) for v in fresh}
    claimed: set[bytes] = set()
    entries: list[dict[str, Any]] = []
    now = clock.now()  # one time for the entries of one call
    for _ in range(_MAX_CANDIDATES):
        if not pending:
            break
        proposals: dict[str, tuple[str, bytes]] = {}
        for value, it in pending.items():
            candidate = next(it, None)
            if candidate is None:
                raise ConflictError(
                    "The pseudonym list ran out of candidates for this recipient."
                )
            proposals[value] = (candidate, sc.pseudonym_lookup(candidate))
        taken = repo.taken_pseudonyms(
            sc.scope, sc.kind, [p for _, p in proposals.values()]
        )
        for value, (candidate, plookup) in proposals.items():
            # A candidate equal to the original would leak it; one already used is taken.
            if plookup in taken or plookup in claimed or candidate == value:
                continue
            claimed.add(plookup)
            lookup = lookups[value]
            entries.append(
                {
                    "scope": sc.scope,
                    "kind": sc.kind,
                    "lookup": lookup,
                    "tenant": sc.tenant,
                    "pseudonym_lookup": plookup,
                    "sealed_original": sc.sealer.seal(
                        value.encode(), sc.context(lookup, "o")
                    ),
                    "sealed_pseudonym": sc.sealer.seal(
                        candidate.encode(), sc.context(lookup, "p")
                    ),
                    "created_at": now,
                }
            )
            result[value] = candidate
            del pending[value]
    if pending:
        raise ConflictError(
            "The pseudonym list ran out of candidates for this recipient."
        )
    return entries


def reidentify(
    session: Session,
    provider: KeyProvider,
    actor: Actor,
    *,
    tenant: str,
    recipient: str,
    kind: str,
    pseudonyms: Sequence[str | None],
    clock: Clock,
) -> list[str | None]:
    """The original behind each pseudonym, or None where this vault never issued it."""
    sc = _open_scope(
        session,
        provider,
        actor,
        tenant=tenant,
        recipient=recipient,
        kind=kind,
        clock=clock,
        create=False,
    )
    wanted = [normalise(p) if p is not None else "" for p in pseudonyms]
    plookups = {p: sc.pseudonym_lookup(p) for p in dict.fromkeys(wanted)}
    found = KeyRepository(session).vault_by_pseudonym(
        sc.scope, kind, list(plookups.values())
    )
    out: list[str | None] = []
    for p in wanted:
        entry = found.get(plookups[p])
        out.append(
            None
            if entry is None
            else sc.sealer.open(
                entry.sealed_original, sc.context(entry.lookup, "o")
            ).decode()
        )
    return out


def pseudonym_map(
    session: Session,
    provider: KeyProvider,
    actor: Actor,
    *,
    tenant: str,
    recipient: str,
    kind: str,
    clock: Clock,
) -> dict[str, str]:
    """Every pseudonym this vault issued -> its original: for finding them in free text.

    The owner's way back only; empty when the recipient never had a vault of this kind.
    """
    try:
        sc = _open_scope(
            session,
            provider,
            actor,
            tenant=tenant,
            recipient=recipient,
            kind=kind,
            clock=clock,
            create=False,
        )
    except NotFoundError:
        return {}
    out = {}
    for lookup, sealed_original, sealed_pseudonym in KeyRepository(
        session
    ).vault_entries(sc.scope, kind):
        pseudonym = sc.sealer.open(sealed_pseudonym, sc.context(lookup, "p")).decode()
        out[pseudonym] = sc.sealer.open(
            sealed_original, sc.context(lookup, "o")
        ).decode()
    return out
