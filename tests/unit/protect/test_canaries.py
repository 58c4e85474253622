"""Canary records: per-recipient, realistic, checksum-valid, fictitious phones, bounded."""

from __future__ import annotations

import re

from stdnum import luhn
from stdnum.us import rtn, ssn

from outguard.pii.entities import Entity
from outguard.protect.canaries import (
    CanaryColumn,
    canary_count,
    canary_positions,
    make_canaries,
)

COLUMNS = [
    CanaryColumn("Employee", Entity.PERSON, ("Smith, John", "Doe, Jane")),
    CanaryColumn("SSN", Entity.US_SSN, ("123-45-6789",)),
    CanaryColumn("Card", Entity.CREDIT_CARD, ("4111 1111 1111 1111",)),
    CanaryColumn("Routing", Entity.ABA_ROUTING, ("011000015",)),
    CanaryColumn("Email", Entity.EMAIL, ("a@acme.example",)),
    CanaryColumn("Phone", Entity.PHONE, ("(617) 555-0142",)),
    CanaryColumn("DOB", Entity.DATE_OF_BIRTH, ("03/14/1985",)),
    CanaryColumn("Address", Entity.ADDRESS, ()),
    CanaryColumn("Invoice", None, ("INV-00123",)),
    CanaryColumn("Amount", None, ("1,234.56",)),
    CanaryColumn("Empty", None, ()),
    CanaryColumn("Acct", Entity.BANK_ACCOUNT, ("000123456789",)),
    CanaryColumn("IBAN", Entity.IBAN, ()),
    CanaryColumn("EIN", Entity.US_EIN, ("12-3456789",)),
    CanaryColumn("ITIN", Entity.US_ITIN, ()),
    CanaryColumn("IP", Entity.IP_ADDRESS, ()),
]


def test_counts_follow_the_density_rule():
    assert canary_count(0) == 1
    assert canary_count(100) == 1
    assert canary_count(1000) == 10
    assert canary_count(100_000) == 100
    assert canary_count(10_000_000) == 200
    assert canary_count(1000, 0.02) == 20


def test_positions_are_deterministic_distinct_and_in_range():
    pos = canary_positions(b"k" * 32, 100, 5)
    assert pos == canary_positions(b"k" * 32, 100, 5)
    assert pos != canary_positions(b"j" * 32, 100, 5)
    assert len(set(pos)) == 5
    assert all(0 <= p < 105 for p in pos)


def test_canaries_look_real_and_validate():
    rows = make_canaries(b"k" * 32, COLUMNS, 20)
    assert len(rows) == 20
    for row in rows:
        values = dict(zip([c.name for c in COLUMNS], row, strict=True))
        assert re.fullmatch(r"[A-Za-z' -]+, [A-Za-z' -]+", values["Employee"])
        assert ssn.is_valid(values["SSN"]), values["SSN"]
        assert re.fullmatch(r"\d{3}-\d{2}-\d{4}", values["SSN"])
        assert luhn.is_valid(values["Card"].replace(" ", ""))
        assert rtn.is_valid(values["Routing"])
        assert values["Email"].endswith("@acme.example")
        assert re.fullmatch(r"\(\d{3}\) 555-01\d{2}", values["Phone"])
        assert re.fullmatch(r"\d{2}/\d{2}/\d{4}", values["DOB"])
        assert re.fullmatch(r"[A-Z]{3}-\d{5}", values["Invoice"])
        assert re.fullmatch(r"\d,\d{3}\.\d{2}", values["Amount"])
        assert values["Empty"] == ""
        assert len(values["Acct"]) == 12
        assert values["ITIN"].startswith("9")
        assert re.search(r"\b[A-Z]{2} \d{5}$", values["Address"])


def test_canaries_differ_between_recipients_and_repeat_for_one():
    a = make_canaries(b"a" * 32, COLUMNS, 5)
    assert a == make_canaries(b"a" * 32, COLUMNS, 5)
    b = make_canaries(b"b" * 32, COLUMNS, 5)
    assert {r[4] for r in a}.isdisjoint(
        {r[4] for r in b}
    )  # e-mails unique per recipient


def _plausible(samples: tuple[str, ...], count: int = 40) -> list[str]:
    column = CanaryColumn("Col", None, samples[:20], observed=samples)
    return [row[0] for row in make_canaries(b"p" * 32, [column], count)]


def test_a_canary_amount_stays_in_the_columns_range_and_format():
    amounts = tuple(f"{100 + (i * 7) % 40}.{i % 100:02d}" for i in range(60))
    for value in _plausible(amounts):
        assert re.fullmatch(r"\d{3}\.\d{2}", value), value
        assert 100 <= float(value) <= 139.99, value
    grouped = ("1,204.50", "(2,310.00)", "-1,999.99", "$1,450.25", "1,100.00")
    for value in _plausible(grouped):
        assert re.fullmatch(r"[(-]?\$?\d,\d{3}\.\d{2}\)?", value), value
        assert 1100 <= float(re.sub(r"[^\d.]", "", value)) <= 2310, value
    for value in _plausible(tuple(str(h) for h in range(30, 80, 3))):
        assert value.isdigit() and 30 <= int(value) <= 78, value


def test_a_canary_category_dates_and_codes_come_from_the_column():
    departments = ("Sales", "Finance", "Sales", "Ops", "Finance", "Sales") * 3
    assert set(_plausible(departments)) <= set(departments)
    dates = ("2024-01-05", "2024-03-17", "2024-02-11", "2024-01-30")
    for value in _plausible(dates):
        assert re.fullmatch(r"2024-0[1-3]-\d{2}", value), value
        assert "2024-01-05" <= value <= "2024-03-17"
    spelled = ("17 Nov 2026", "3 Dec 2026", "25 Nov 2026")
    for value in _plausible(spelled):
        assert re.fullmatch(r"\d{2} (Nov|Dec) 2026", value), value
    codes = ("INV-00123", "INV-04567", "INV-00999", "E52044", "E81930")
    for value in _plausible(codes):
        assert re.fullmatch(r"INV-0\d{4}|E[1-9]\d{4}", value), value
    assert _plausible(("", "  ")) == [""] * 40
    mixed = (
        "12.50",
        "(3.5",
        "4.25",
        "abc-1",
    )  # an unbalanced parenthesis: not a number
    for value in _plausible(mixed):
        assert re.fullmatch(r"\d+\.\d+|\(\d\.\d|abc-\d", value), value
