"""Column classification: headers of real exports, values that prove themselves, neighbours,
and the non-personal columns that must never be flagged."""

from __future__ import annotations

import pytest

from outguard.pii.entities import Entity
from outguard.pii.table.classify import classify_column, classify_table
from outguard.pii.table.headers import FREE_TEXT, NOT_PII, hint_for

E = Entity


@pytest.mark.parametrize(
    ("header", "kind"),
    [
        ("SSN", E.US_SSN),
        ("Soc Sec #", E.US_SSN),
        ("SS No", E.US_SSN),
        ("Tax ID", E.US_SSN),
        ("EIN", E.US_EIN),
        ("FEIN", E.US_EIN),
        ("Acct No", E.BANK_ACCOUNT),
        ("Account #", E.BANK_ACCOUNT),
        ("Routing", E.ABA_ROUTING),
        ("RTN", E.ABA_ROUTING),
        ("ABA", E.ABA_ROUTING),
        ("DOB", E.DATE_OF_BIRTH),
        ("Birth Date", E.DATE_OF_BIRTH),
        ("Vendor Name", E.PERSON),
        ("Payee", E.PERSON),
        ("Street", E.ADDRESS),
        ("Address 1", E.ADDRESS),
        ("City/State/ZIP", E.ADDRESS),
        ("Memo", FREE_TEXT),
        ("Amount", NOT_PII),
        ("Invoice #", NOT_PII),
        ("PO", NOT_PII),
        ("ZIP", NOT_PII),
        ("GL Acct", NOT_PII),
        ("Terms", NOT_PII),
        ("Check #", NOT_PII),
    ],
)
def test_header_lexicon(header, kind):
    assert hint_for(header).kind == kind


def test_values_that_prove_themselves_need_no_header():
    ssns = ["512-84-3307", "219-22-1234", "301-45-6789", "455-12-0987"]
    assert classify_column("Col7", 0, ssns).entity is E.US_SSN
    cards = [
        "4556737586899855",
        "5500005555555559",
        "378282246310005",
        "6011000990139424",
    ]
    assert classify_column("x", 0, cards).entity is E.CREDIT_CARD
    emails = ["a@example.com", "b.c@example.org", "d@x.io"]
    assert classify_column("contact_1", 0, emails).entity is E.EMAIL


@pytest.mark.parametrize(
    ("header", "values"),
    [
        ("Amount", ["1,234.56", "(50.00)", "9,999.99", "12.00"]),
        ("Invoice #", ["INV-0042", "INV-0043", "INV-1001", "INV-2002"]),
        ("Invoice No", ["4556737586899856", "4556737586899857", "1234567812345670"]),
        ("ZIP", ["02110", "62704", "10001", "94105"]),
        ("Posted", ["2024-01-15", "2024-02-01", "2024-02-15"]),
        ("Qty", ["1", "12", "3", "40"]),
        ("PO Number", ["123456789", "987654321", "555555555"]),
        ("Status", ["Paid", "Open", "Void"]),
    ],
)
def test_non_personal_columns_are_not_flagged(header, values):
    report = classify_column(header, 0, values)
    assert report.kind == "not_pii", report


def test_bare_nine_digits_without_a_header_are_not_called_ssns():
    assert (
        classify_column("Ref", 0, ["512843307", "219221234", "301456789"]).kind
        == "not_pii"
    )
    assert (
        classify_column("SSN", 0, ["512843307", "219221234", "301456789"]).entity
        is E.US_SSN
    )


def test_neighbours_account_beside_routing_and_address_parts():
    names = ["Routing", "Number", "Street", "City", "ZIP", "Total"]
    sample = [
        ["011000015", "021000021"],
        ["000493817265", "12345678"],
        ["42 Elm Street", "7 Oak Ave"],
        ["Springfield", "Boston"],
        ["62704", "02110"],
        ["10.00", "20.00"],
    ]
    reports = classify_table(names, sample)
    assert [r.entity for r in reports] == [
        E.ABA_ROUTING,
        E.BANK_ACCOUNT,
        E.ADDRESS,
        E.ADDRESS,
        E.ADDRESS,
        None,
    ]


def test_phone_header_with_phone_shaped_values_and_empty_columns():
    fake_phones = ["298.925.9791", "883-237-8876x232", "+1-912-490-4047x96669"]
    assert classify_column("Phone", 0, fake_phones).entity is E.PHONE
    assert classify_column("SSN", 0, [None, "", "  "]).entity is E.US_SSN
    assert classify_column("Whatever", 0, [None]).kind == "not_pii"
    assert classify_column("Notes", 0, ["call back tomorrow"]).kind == "free_text"


def test_bare_ssns_beside_written_ones_are_ssns_too():
    """An export mixing ddd-dd-dddd with bare 9-digit SSNs: the bare ones are SSNs too;
    9-digit references alone, with no SSN written among them, stay what they are."""
    written = ["463-02-6868", "536-22-8726", "219-09-9999", "078-05-1121"]
    bare = [
        f"{a:03d}{g:02d}{s:04d}"
        for a, g, s in zip(
            range(101, 161), range(10, 70), range(1001, 1061), strict=True
        )
    ]
    mixed = written + bare
    report = classify_column("Field7", 0, mixed)
    assert report.entity is Entity.US_SSN
    assert classify_column("Field7", 0, bare).kind == "not_pii"
    assert classify_column("Field7", 0, written[:1] + bare).kind == "not_pii"
