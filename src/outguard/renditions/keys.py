"""The recipient's keyed transforms: FF1 tokens and vault pseudonyms, and their reversal.

Implements `protect.engine.RecipientTransforms` over the key store. Every token key version
and option used is recorded in `used`, so a rendition can store exactly what reverses it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from outguard.db import Session
from outguard.keystore.tokens import TokenKey, recipient_key
from outguard.keystore.vault import MAX_VALUE_CHARS, pseudonymize, reidentify
from outguard.pii.entities import Entity
from outguard.protect.policy import Rule
from outguard.protect.pseudonyms import address_candidates, person_candidates
from outguard.security.aead import KeyProvider
from outguard.security.tokenizers import Tokenizer, tokenizer_for
from outguard.types import Actor, Clock

TOKEN_KINDS: dict[Entity, str] = {
    Entity.US_SSN: "ssn",
    Entity.US_ITIN: "itin",
    Entity.US_EIN: "ein",
    Entity.CREDIT_CARD: "card",
    Entity.BANK_ACCOUNT: "bank",
    Entity.ABA_ROUTING: "aba",
    Entity.IBAN: "iban",
    Entity.EMAIL: "email",
    Entity.PHONE: "phone",
    Entity.DATE_OF_BIRTH: "date",
    Entity.IP_ADDRESS: "ip",
    Entity.US_DRIVER_LICENSE: "dl",
    Entity.US_PASSPORT: "passport",
}
VAULT_KINDS: dict[Entity, str] = {Entity.PERSON: "person", Entity.ADDRESS: "address"}
_CANDIDATES = {"person": person_candidates, "address": address_candidates}
_CACHE_LIMIT = 1_000_000  # pseudonyms remembered per kind within one run


@dataclass(frozen=True)
class TokenUse:
    """What reverses one kind's tokens: the key version and the format options."""

    kind: str
    version: int
    keep_first: int = 0
    keep_last: int = 4
    keep_domain: bool = True
    window_days: int = 180

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> TokenUse:
        return cls(
            kind=str(data["kind"]),
            version=int(data["version"]),  # type: ignore[call-overload]
            keep_first=int(data.get("keep_first", 0)),  # type: ignore[call-overload]
            keep_last=int(data.get("keep_last", 4)),  # type: ignore[call-overload]
            keep_domain=bool(data.get("keep_domain", True)),
            window_days=int(data.get("window_days", 180)),  # type: ignore[call-overload]
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "version": self.version,
            "keep_first": self.keep_first,
            "keep_last": self.keep_last,
            "keep_domain": self.keep_domain,
            "window_days": self.window_days,
        }


@dataclass
class KeyedTransforms:
    """One recipient's transforms inside one transaction."""

    session: Session
    provider: KeyProvider
    actor: Actor
    tenant: str
    recipient: str
    clock: Clock
    used: dict[str, TokenUse] = field(default_factory=dict)  # kind -> the latest use
    uses: set[TokenUse] = field(
        default_factory=set
    )  # every (kind, version, options) used
    _pseudonyms: dict[str, dict[str, str]] = field(
        default_factory=dict, repr=False
    )  # kind -> original -> pseudonym, for this run

    def _key(
        self, kind: str, *, version: int | None = None, create: bool = True
    ) -> TokenKey:
        return recipient_key(
            self.session,
            self.provider,
            self.actor,
            tenant=self.tenant,
            recipient=self.recipient,
            kind=kind,
            clock=self.clock,
            version=version,
            create=create,
        )

    def canary_key(self) -> bytes:
        """The recipient's canary key: its canary rows differ from every other recipient's."""
        return self._key("canary").material

    def _tokenizer(self, use: TokenUse, key: TokenKey) -> Tokenizer:
        return tokenizer_for(
            use.kind,
            key.material,
            keep_first=use.keep_first,
            keep_last=use.keep_last,
            keep_domain=use.keep_domain,
            window_days=use.window_days,
        )

    def tokenize(
        self, entity: Entity, values: Sequence[str], rule: Rule
    ) -> list[str | None]:
        kind = TOKEN_KINDS.get(entity)
        if kind is None:
            return [None] * len(values)
        key = self._key(kind)
        use = TokenUse(
            kind,
            key.version,
            keep_first=rule.keep_first,
            keep_last=rule.keep_last,
            keep_domain=rule.keep_domain,
            window_days=rule.shift_days,
        )
        self.used[kind] = use
        self.uses.add(use)
        return self._tokenizer(use, key).tokenize(values)

    def pseudonymize(self, entity: Entity, values: Sequence[str]) -> list[str | None]:
        kind = VAULT_KINDS.get(entity)
        if kind is None:
            return [None] * len(values)
        fits = [
            i for i, v in enumerate(values) if v.strip() and len(v) <= MAX_VALUE_CHARS
        ]
        if len(fits) < len(values):  # an overlong "name" is redacted, not vaulted
            inner = self.pseudonymize(entity, [values[i] for i in fits]) if fits else []
            placed: list[str | None] = [None] * len(values)
            for i, r in zip(fits, inner, strict=True):
                placed[i] = r
            return placed
        # The vault is deterministic per recipient: a value seen in an earlier batch of
        # this run needs no second look-up (a payroll file repeats its employees).
        cache = self._pseudonyms.setdefault(kind, {})
        missing = list(dict.fromkeys(v for v in values if v not in cache))
        fresh: dict[str, str] = {}
        if missing:
            out = pseudonymize(
                self.session,
                self.provider,
                self.actor,
                tenant=self.tenant,
                recipient=self.recipient,
                kind=kind,
                values=missing,
                candidates=_CANDIDATES[kind],
                clock=self.clock,
            )
            fresh = dict(zip(missing, out, strict=True))
        result: list[str | None] = [
            fresh[v] if v in fresh else cache[v] for v in values
        ]
        if len(cache) + len(fresh) > _CACHE_LIMIT:
            cache.clear()
        cache.update(fresh)
        return result

    # ------------------------------------------------------------ the owner's way back
    def detokenize(
        self, use: TokenUse, tokens: Sequence[str | None]
    ) -> list[str | None]:
        return self.reverser(use).detokenize(tokens)

    def reverser(self, use: TokenUse) -> Tokenizer:
        """The tokenizer that reverses one use (a caller may keep it for a whole file)."""
        key = self._key(use.kind, version=use.version, create=False)
        return self._tokenizer(use, key)

    def reidentify(
        self, entity: Entity, pseudonyms: Sequence[str | None]
    ) -> list[str | None]:
        return reidentify(
            self.session,
            self.provider,
            self.actor,
            tenant=self.tenant,
            recipient=self.recipient,
            kind=VAULT_KINDS[entity],
            pseudonyms=pseudonyms,
            clock=self.clock,
        )
