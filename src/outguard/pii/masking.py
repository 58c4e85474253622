"""Masked examples for reports: enough to recognise the kind of value, never the value."""

from __future__ import annotations

from outguard.pii.entities import Entity

_LAST4 = frozenset(
    {
        Entity.US_SSN,
        Entity.US_ITIN,
        Entity.US_EIN,
        Entity.CREDIT_CARD,
        Entity.BANK_ACCOUNT,
        Entity.ABA_ROUTING,
        Entity.IBAN,
        Entity.PHONE,
        Entity.US_DRIVER_LICENSE,
        Entity.US_PASSPORT,
    }
)


def _mask_chars(value: str, keep_last: int) -> str:
    alnum = [i for i, c in enumerate(value) if c.isalnum()]
    keep = (
        set(alnum[-keep_last:]) if keep_last and len(alnum) > 2 * keep_last else set()
    )
    return "".join(
        c if (i in keep or not c.isalnum()) else ("*" if c.isalnum() else c)
        for i, c in enumerate(value)
    )


def mask_example(entity: Entity | None, value: str) -> str:
    """`***-**-1234`, `j***@e******.com`, `J*** S****`, `**/**/****`: never more than a hint."""
    text = value.strip()[:80]
    if entity in _LAST4:
        return _mask_chars(text, 4)
    if entity is Entity.EMAIL and "@" in text:
        local, _, domain = text.partition("@")
        host, _, tld = domain.rpartition(".")
        return f"{local[:1]}***@{host[:1]}{'*' * max(len(host) - 1, 1)}.{tld}"
    if entity is Entity.PERSON:
        return " ".join(w[:1] + "*" * max(len(w) - 1, 2) for w in text.split())
    return _mask_chars(text, 0)
