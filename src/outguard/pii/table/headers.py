"""What a column header says it holds: the lexicon of real-world export headers.

Headers are normalised (lower case, punctuation to spaces, "#" to "number", common
abbreviations expanded) and matched as whole words, most specific rule first. A header hint
is evidence, not proof: the values must agree (see `classify`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from outguard.pii.entities import Entity

FREE_TEXT = "free_text"
NOT_PII = "not_pii"


@dataclass(frozen=True)
class HeaderHint:
    kind: Entity | str  # an Entity, FREE_TEXT or NOT_PII
    strength: float  # how much the header alone says (0..1)


_ABBREVIATIONS = {
    "#": " number ",
    "no.": " number ",
    "num": "number",
    "acct": "account",
    "acc": "account",
    "a/c": "account",
    "addr": "address",
    "dob": "date of birth",
    "d.o.b": "date of birth",
    "ph": "phone",
    "tel": "phone",
    "soc": "social",
    "sec": "security",
    "fein": "ein",
    "rtn": "routing",
    "aba": "routing",
    "e-mail": "email",
    "zipcode": "zip",
}

# (pattern over the normalised header, kind, strength): first match wins.
_RULES: tuple[tuple[str, Entity | str, float], ...] = (
    (r"\b(ssn|social security|social|ss number|ssn tin|ss)\b", Entity.US_SSN, 0.9),
    (r"\bitin\b", Entity.US_ITIN, 0.9),
    (
        r"\b(ein|employer id|employer identification|federal id|fed id)\b",
        Entity.US_EIN,
        0.9,
    ),
    (
        r"\b(tin|tax id|taxpayer id|tax identification|ssn tin|tin ssn|ssn ein)\b",
        Entity.US_SSN,
        0.6,
    ),
    (r"\brouting\b|\btransit\b", Entity.ABA_ROUTING, 0.9),
    (r"\biban\b", Entity.IBAN, 0.9),
    (
        r"\b(gl|general ledger|account (code|type|name|class|category)|expense account)\b",
        NOT_PII,
        0.8,
    ),
    (r"\b(card|credit card|cc number|pan|card number)\b", Entity.CREDIT_CARD, 0.85),
    (
        r"\b(bank account|account number|checking|savings|dda|deposit account|account)\b",
        Entity.BANK_ACCOUNT,
        0.7,
    ),
    (r"\b(email|email address|mail)\b", Entity.EMAIL, 0.9),
    (r"\b(phone|mobile|cell|fax|telephone|contact number)\b", Entity.PHONE, 0.9),
    (
        r"\b(date of birth|birth date|birthdate|birthday|born)\b",
        Entity.DATE_OF_BIRTH,
        0.95,
    ),
    (r"\b(ip|ip address|client ip|remote addr)\b", Entity.IP_ADDRESS, 0.85),
    (
        r"\b(driver|drivers license|dl number|license number|dl)\b",
        Entity.US_DRIVER_LICENSE,
        0.8,
    ),
    (r"\bpassport\b", Entity.US_PASSPORT, 0.9),
    (
        r"\b(memo|notes?|description|comments?|remarks?|details|narrative|message|reason)\b",
        FREE_TEXT,
        0.9,
    ),
    (
        r"\b(address|street|address 1|address 2|address line|mailing|residence|city state zip)\b",
        Entity.ADDRESS,
        0.85,
    ),
    (
        r"\b(amount|total|balance|debit|credit|price|qty|quantity|rate|hours|gross|net|tax|fee|cost|paid|due)\b",
        NOT_PII,
        0.8,
    ),
    (
        r"\b(invoice|inv|po|purchase order|order|ref|reference|check number|gl|account code|class|terms|sku|item)\b",
        NOT_PII,
        0.8,
    ),
    (r"\b(zip|postal|postcode|state|city|country|county)\b", NOT_PII, 0.7),
    (
        r"\b(date|posted|period|due date|invoice date|hire date|start date|created|updated)\b",
        NOT_PII,
        0.6,
    ),
    (  # "Employee ID", "Customer #", "Vendor Code": a business's own key, not a person
        (
            r"\b(employee|ee|emp|customer|cust|vendor|client|payee|member|contact|account)"
            r" (id|number|code|key|ref|reference)\b"
        ),
        NOT_PII,
        0.7,
    ),
    (
        r"\b(name|full name|employee|payee|vendor|customer|client|contact|first name|last name|surname|given name|bill to|ship to|recipient|beneficiary|owner|tenant|spouse|dependent)\b",
        Entity.PERSON,
        0.75,
    ),
)
_COMPILED = tuple((re.compile(p), k, s) for p, k, s in _RULES)


def normalise_header(header: str) -> str:
    text = header.strip().lower()
    for short, long in _ABBREVIATIONS.items():
        text = re.sub(rf"(?<![a-z]){re.escape(short)}(?![a-z])", f" {long} ", text)
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return " ".join(text.split())


def hint_for(header: str) -> HeaderHint | None:
    text = normalise_header(header)
    for regex, kind, strength in _COMPILED:
        if regex.search(text):
            return HeaderHint(kind, strength)
    return None
