"""Every detector, table-driven: what it must find, and the look-alikes it must not.

Each case is a sentence as people type it in memos, e-mails and payroll notes; `expected` is
the exact substring the finding must cover, or None when nothing of that entity may be found.
"""

from __future__ import annotations

import itertools

import pytest

from outguard.pii.entities import Entity
from outguard.pii.text import scan_text

E = Entity

CASES: list[tuple[Entity, str, str | None]] = [
    # ---- US_SSN
    (E.US_SSN, "Employee SSN: 512-84-3307 on file", "512-84-3307"),
    (E.US_SSN, "soc sec # 512 84 3307", "512 84 3307"),
    (E.US_SSN, "SSN 512843307 (no dashes)", "512843307"),
    (E.US_SSN, "His number is 512-84-3307.", "512-84-3307"),
    (E.US_SSN, "SSN 000-12-3456 is not valid", None),
    (E.US_SSN, "SSN 666-12-3456 never issued", None),
    (E.US_SSN, "SSN 512-00-3307 group zero", None),
    (E.US_SSN, "sample 078-05-1120 from a wallet ad", None),
    (E.US_SSN, "form example 123-45-6789", None),
    (E.US_SSN, "order number 512843307 shipped", None),
    (E.US_SSN, "call 512-843-3070 today", None),
    (E.US_SSN, "mixed separators 512-84 3307", None),
    # ---- US_ITIN
    (E.US_ITIN, "ITIN 912-70-1234 for the contractor", "912-70-1234"),
    (E.US_ITIN, "ITIN 912-40-1234 (bad group)", None),
    # ---- US_EIN
    (E.US_EIN, "Vendor EIN 12-3456789", "12-3456789"),
    (E.US_EIN, "FEIN: 123456789", "123456789"),
    (E.US_EIN, "prefix 07-3456789 was never assigned", None),
    (E.US_EIN, "part 123456789 in stock", None),
    # ---- CREDIT_CARD
    (E.CREDIT_CARD, "Visa 4556 7375 8689 9855 exp 04/27", "4556 7375 8689 9855"),
    (E.CREDIT_CARD, "card: 5500-0055-5555-5559", "5500-0055-5555-5559"),
    (E.CREDIT_CARD, "Mastercard 2223003122003222 charged", "2223003122003222"),
    (E.CREDIT_CARD, "Amex 378282246310005", "378282246310005"),
    (E.CREDIT_CARD, "invoice 4556737586899856 fails Luhn", None),
    (E.CREDIT_CARD, "test card 4111 1111 1111 1111", "4111 1111 1111 1111"),
    (E.CREDIT_CARD, "order 4111 1111 1111 1112 shipped", None),
    (E.CREDIT_CARD, "tracking 1234567890123456", None),
    # ---- ABA_ROUTING
    (E.ABA_ROUTING, "routing 011000015, account below", "011000015"),
    (E.ABA_ROUTING, "ABA# 021000021", "021000021"),
    (E.ABA_ROUTING, "PO 011000015 for widgets", None),  # checksum-valid, but no context
    (E.ABA_ROUTING, "routing 123456789", None),  # checksum fails
    # ---- BANK_ACCOUNT
    (E.BANK_ACCOUNT, "Deposit to acct 000493817265, thanks", "000493817265"),
    (E.BANK_ACCOUNT, "Account number: 9876-5432-10", "9876-5432-10"),
    (E.BANK_ACCOUNT, "account balance 1,234.56", None),
    (E.BANK_ACCOUNT, "invoice 000493817265 paid", None),
    (E.BANK_ACCOUNT, "late fee on account 88213", None),
    # ---- IBAN
    (
        E.IBAN,
        "wire to DE89 3704 0044 0532 0130 00 today",
        "DE89 3704 0044 0532 0130 00",
    ),
    (E.IBAN, "IBAN GB82WEST12345698765432", "GB82WEST12345698765432"),
    (E.IBAN, "IBAN DE00 3704 0044 0532 0130 00 (bad check)", None),
    # ---- EMAIL
    (E.EMAIL, "write to jane.roe+ap@example.co.uk please", "jane.roe+ap@example.co.uk"),
    (E.EMAIL, "twitter handle @janeroe", None),
    # ---- PHONE
    (E.PHONE, "call (617) 555-0142 after 5", "(617) 555-0142"),
    (E.PHONE, "Tel: 617-555-0142 x204", "617-555-0142 x204"),
    (E.PHONE, "London +44 20 7946 0958", "+44 20 7946 0958"),
    (E.PHONE, "cell 6175550142", "6175550142"),
    (E.PHONE, "amount 1,234.56 due", None),
    (E.PHONE, "due 2024-01-15 net 30", None),
    (E.PHONE, "invoice 6175550142", None),
    # ---- DATE_OF_BIRTH
    (E.DATE_OF_BIRTH, "DOB 03/14/1985 per the I-9", "03/14/1985"),
    (E.DATE_OF_BIRTH, "born March 14, 1985 in Ohio", "March 14, 1985"),
    (E.DATE_OF_BIRTH, "date of birth: 1985-03-14.", "1985-03-14"),
    (E.DATE_OF_BIRTH, "invoice dated 03/14/1985", None),
    (E.DATE_OF_BIRTH, "hired 2019-06-01", None),
    (E.DATE_OF_BIRTH, "birthday lunch on 09/12/2025", None),
    (E.DATE_OF_BIRTH, "Dependent: Lily, DOB 7 Jun 2015", "7 Jun 2015"),
    # ---- IP_ADDRESS
    (E.IP_ADDRESS, "login from 203.0.113.7 at 9:02", "203.0.113.7"),
    (E.IP_ADDRESS, "IPv6 2001:db8::1 blocked", "2001:db8::1"),
    (E.IP_ADDRESS, "version 1.2.3.4 released", None),
    (E.IP_ADDRESS, "bad 999.1.1.1", None),
    # ---- US_DRIVER_LICENSE
    (E.US_DRIVER_LICENSE, "driver's license D1234567 (MA)", "D1234567"),
    (E.US_DRIVER_LICENSE, "model D1234567 in stock", None),
    (E.US_DRIVER_LICENSE, "CDL D1234567 (CA)", "D1234567"),
    # ---- US_PASSPORT
    (E.US_PASSPORT, "passport no 912345678", "912345678"),
    (E.US_PASSPORT, "shipment 912345678", None),
    # ---- ADDRESS
    (
        E.ADDRESS,
        "Ship to 1600 Pennsylvania Ave NW, Washington, DC 20500.",
        "1600 Pennsylvania Ave NW, Washington, DC 20500",
    ),
    (
        E.ADDRESS,
        "Remit to: 42 Elm Street, Suite 300\nSpringfield, IL 62704",
        "42 Elm Street, Suite 300\nSpringfield, IL 62704",
    ),
    (E.ADDRESS, "PO Box 1234, Austin, TX 78701", "PO Box 1234, Austin, TX 78701"),
    (E.ADDRESS, "ZIP 62704 only", None),
    (E.ADDRESS, "We sold 12 units", None),
    # ---- PERSON (patterns; the NER path has its own test)
    (E.PERSON, "Employee: Roe, Jane A. started Monday", "Roe, Jane A."),
    (E.PERSON, "Attn: Mr. John Smith", "John Smith"),
    (E.PERSON, "Please pay Maria Garcia by Friday", "Maria Garcia"),
    (E.PERSON, "Van Dyke, Peter signed", "Van Dyke, Peter"),
    (E.PERSON, "May Street is closed", None),
    (E.PERSON, "Total Amount, Net", None),
    (E.PERSON, "Customer O'Brien, Patrick disputes the fee", "O'Brien, Patrick"),
    (E.PERSON, "paid McDonald, Ellen in full", "McDonald, Ellen"),
    (E.PERSON, "From: Beatriz Santos <bsantos@santoscpa.com>", "Beatriz Santos"),
    (E.PERSON, "Employee name: Feldman, Ruth\nSocial Security #", "Feldman, Ruth"),
    (E.PERSON, "called mr. terrence wu re inv 10442", "terrence wu"),
]


@pytest.mark.parametrize(
    ("entity", "text", "expected"),
    CASES,
    ids=[f"{e.value}:{t[:28]}" for e, t, _ in CASES],
)
def test_detector_table(entity, text, expected):
    found = [text[f.start : f.end] for f in scan_text(text) if f.entity is entity]
    if expected is None:
        assert found == [], found
    else:
        assert expected in found, found


def test_findings_never_quote_the_value():
    text = "SSN 512-84-3307, card 4556 7375 8689 9855"
    for f in scan_text(text):
        assert text[f.start : f.end] not in f.explanation


def test_overlaps_are_resolved_deterministically():
    text = "Routing 011000015 and SSN 512-84-3307"
    first = scan_text(text)
    assert first == scan_text(text)
    spans = [(f.start, f.end) for f in first]
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))


def test_look_alike_digits_and_invisible_characters_are_caught_with_original_offsets():
    text = "SSN ５１２-８４-３３０７ and 512\u200b-84-3307 and ٥١٢-٨٤-٣٣٠٧"
    found = [(text[f.start : f.end], f.entity) for f in scan_text(text)]
    assert ("５１２-８４-３３０７", E.US_SSN) in found
    assert ("512\u200b-84-3307", E.US_SSN) in found
    assert ("٥١٢-٨٤-٣٣٠٧", E.US_SSN) in found


def test_entity_filter_and_dictionary():
    from outguard.pii.dictionary import Dictionary

    text = "Paid Quintessa Marchbanks, SSN 512-84-3307"
    only_ssn = scan_text(text, entities={E.US_SSN})
    assert [f.entity for f in only_ssn] == [E.US_SSN]
    d = Dictionary.from_values(
        [("Marchbanks, Quintessa", E.PERSON), ("", E.PERSON), ("Li", E.PERSON)]
    )
    found = scan_text(text, dictionary=d)
    assert ("Quintessa Marchbanks", E.PERSON) in [
        (text[f.start : f.end], f.entity) for f in found
    ]
    assert len(d) == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Rosa Alvarez\nAR Manager", "Rosa Alvarez"),
        ("Jamal Wright's", "Jamal Wright"),
        ("Lakeside Janitorial LLC", None),
        ("due 06/03/2025", None),
        ("Driver", None),
        ("Smith", "Smith"),
    ],
)
def test_ner_spans_are_trimmed_or_refused(text, expected):
    from outguard.pii.detectors.person import trim_ner_name

    start = text.index(expected.split()[0]) if expected else 0
    span = trim_ner_name(text, start, len(text))
    assert (text[span[0] : span[1]] if span else None) == expected
