"""The one vocabulary of personal-data entities, used by detection, policies and reports."""

from __future__ import annotations

from enum import StrEnum


class Entity(StrEnum):
    PERSON = "PERSON"
    ADDRESS = "ADDRESS"
    US_SSN = "US_SSN"
    US_ITIN = "US_ITIN"
    US_EIN = "US_EIN"
    CREDIT_CARD = "CREDIT_CARD"
    BANK_ACCOUNT = "BANK_ACCOUNT"
    ABA_ROUTING = "ABA_ROUTING"
    IBAN = "IBAN"
    EMAIL = "EMAIL"
    PHONE = "PHONE"
    DATE_OF_BIRTH = "DATE_OF_BIRTH"
    IP_ADDRESS = "IP_ADDRESS"
    US_DRIVER_LICENSE = "US_DRIVER_LICENSE"
    US_PASSPORT = "US_PASSPORT"


# Entities whose values carry a checksum or structural rule a validator can prove; a
# validated hit of one of these is never overridden by NER, and must be fully redacted.
CHECKSUM_BEARING: frozenset[Entity] = frozenset(
    {
        Entity.US_SSN,
        Entity.US_ITIN,
        Entity.US_EIN,
        Entity.CREDIT_CARD,
        Entity.ABA_ROUTING,
        Entity.IBAN,
    }
)
