"""One entry point: the tokenizer for a field kind, keyed by a recipient's token key."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from outguard.security.aead import require_key
from outguard.security.tokenize import Column, Tokens, aba, card, digits, ein, ssn
from outguard.security.tokenize_text import (
    Alnum,
    DateShift,
    Email,
    Iban,
    IpAddress,
    Itin,
    Phone,
)


class Tokenizer(Protocol):
    def tokenize(self, values: Column) -> Tokens: ...

    def detokenize(self, tokens: Column) -> Tokens: ...


KINDS = (
    "ssn",
    "itin",
    "ein",
    "card",
    "bank",
    "aba",
    "iban",
    "phone",
    "email",
    "date",
    "ip",
    "dl",
    "passport",
    "digits",
    "alnum",
)


def tokenizer_for(
    kind: str,
    key: bytes,
    *,
    keep_first: int = 1,
    keep_last: int = 4,
    keep_domain: bool = True,
    window_days: int = 180,
    region: str = "US",
) -> Tokenizer:
    """The format-preserving tokenizer of a field kind (see docs/security/tokenization.md)."""
    require_key(key, "token key")
    makers: dict[str, Callable[[], Tokenizer]] = {
        "ssn": lambda: ssn(key),
        "itin": lambda: Itin(key),
        "ein": lambda: ein(key),
        "card": lambda: card(key, keep_first=keep_first, keep_last=keep_last),
        "bank": lambda: digits(key, "bank"),
        "aba": lambda: aba(key),
        "iban": lambda: Iban(key),
        "phone": lambda: Phone(key, region=region),
        "email": lambda: Email(key, keep_domain=keep_domain),
        "date": lambda: DateShift(key, window=window_days),
        "ip": lambda: IpAddress(key),
        "dl": lambda: Alnum(key, "dl"),
        "passport": lambda: Alnum(key, "passport"),
        "digits": lambda: digits(key),
        "alnum": lambda: Alnum(key),
    }
    if kind not in makers:
        msg = f"no tokenizer for {kind!r}; kinds: {', '.join(KINDS)}"
        raise ValueError(msg)
    return makers[kind]()
