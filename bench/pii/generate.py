"""Labelled corpora for detection accuracy: exports of five kinds and free text, seeded.

Built to look like what small businesses send out, not like what the detector expects:
messy and uninformative headers, mixed value formats in one column, blanks, invalid
look-alikes, dangerous non-personal columns (amounts, invoice and PO numbers, ZIP codes,
dates that are not birth dates) and notes typed by people with personal data inside. Gold
spans are recorded while the text is assembled, never searched for afterwards.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from faker import Faker

from outguard.pii.entities import Entity

E = Entity
TABLE_KINDS = (
    "accounts_payable",
    "accounts_receivable",
    "payroll",
    "tax_preparation",
    "bookkeeping",
)
Gen = Callable[["Ctx"], str]


@dataclass
class LabelledTable:
    name: str
    header: list[str]
    rows: list[list[str]]
    labels: list[Entity | None]
    free_text: list[bool]
    spans: dict[tuple[int, int], list[tuple[int, int, Entity]]] = field(
        default_factory=dict
    )


@dataclass
class LabelledText:
    kind: str
    text: str
    spans: list[tuple[int, int, Entity]]


class Ctx:
    """Random sources; a fixed pool of values so generation is fast and seeded."""

    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)
        self.f = Faker("en_US")
        self.f.seed_instance(seed)
        self.foreign = [
            Faker(loc) for loc in ("de_DE", "en_GB", "fr_FR", "nl_NL", "es_ES")
        ]
        for i, fk in enumerate(self.foreign):
            fk.seed_instance(seed + i)
        f = self.f
        self.first = [f.first_name() for _ in range(400)]
        self.last = [f.last_name() for _ in range(400)]
        self.streets = [f.street_address() for _ in range(400)]
        self.cities = [(f.city(), f.state_abbr(), f.zipcode()) for _ in range(300)]
        self.companies = [f.company() for _ in range(200)]
        self.ibans = [fk.iban() for fk in self.foreign for _ in range(40)]
        self.cards = [
            f.credit_card_number(card_type=t)
            for t in ("visa16", "visa16", "mastercard", "amex", "discover", "visa13")
            for _ in range(60)
        ]
        self.emails_domains = [f.free_email_domain() for _ in range(20)] + [
            f.domain_name() for _ in range(40)
        ]

    def pick(self, items):  # noqa: ANN001, ANN201
        return items[self.r.randrange(len(items))]


# ------------------------------------------------------------------ personal values
def _digits(c: Ctx, n: int) -> str:
    return "".join(str(c.r.randrange(10)) for _ in range(n))


def _sep(c: Ctx, parts: list[str], seps: tuple[str, ...] = ("-", " ", "")) -> str:
    return c.pick(list(seps)).join(parts)


def ssn(c: Ctx) -> str:
    area = c.r.choice([c.r.randint(1, 665), c.r.randint(667, 899)])
    parts = [f"{area:03d}", f"{c.r.randint(1, 99):02d}", f"{c.r.randint(1, 9999):04d}"]
    return _sep(c, parts, ("-", "-", "-", " ", ""))


def itin(c: Ctx) -> str:
    group = c.pick([*range(70, 89), 90, 91, 92, *range(94, 100)])
    return _sep(c, [f"9{_digits(c, 2)}", str(group), _digits(c, 4)], ("-", "-", " "))


_EIN_PREFIXES = [
    1, 2, 3, 4, 5, 6, 10, 11, 12, 13, 14, 15, 16, 20, 21, 22, 23, 24, 25, 26, 27, 30, 31, 32,
    33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 50, 51, 52, 53, 54, 55,
    56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67, 68, 71, 72, 73, 74, 75, 76, 77, 80, 81,
    82, 83, 84, 85, 86, 87, 88, 90, 91, 92, 93, 94, 95, 98, 99,
]  # fmt: skip


def ein(c: Ctx) -> str:
    prefix = f"{c.pick(_EIN_PREFIXES):02d}"
    return prefix + c.pick(["-", "-", "-", ""]) + _digits(c, 7)


def aba(c: Ctx) -> str:
    prefix = c.pick([*range(1, 13), *range(21, 33), *range(61, 73), 80])
    d = [int(x) for x in f"{prefix:02d}{_digits(c, 6)}"]
    total = 3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + (d[2] + d[5])
    return "".join(map(str, d)) + str((10 - total % 10) % 10)


def bank_account(c: Ctx) -> str:
    n = c.r.choice([8, 9, 10, 10, 12, 12, 13, 14, 17])
    lead = "000" if c.r.random() < 0.15 else ""
    return lead + str(c.r.randint(1, 9)) + _digits(c, n - 1 - len(lead))


def card(c: Ctx) -> str:
    raw = c.pick(c.cards)
    style = c.r.random()
    if style < 0.5:
        return raw
    groups = (
        [raw[:4], raw[4:10], raw[10:]]
        if len(raw) == 15
        else [raw[i : i + 4] for i in range(0, len(raw), 4)]
    )
    return (" " if style < 0.8 else "-").join(groups)


def iban(c: Ctx) -> str:
    raw = c.pick(c.ibans)
    if c.r.random() < 0.4:
        return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))
    return raw


def email(c: Ctx) -> str:
    first, last = c.pick(c.first).lower(), c.pick(c.last).lower()
    local = c.pick(
        [
            f"{first}.{last}",
            f"{first[0]}{last}",
            f"{first}{c.r.randint(1, 99)}",
            f"{last}.{first[0]}",
        ]
    )
    return f"{local}@{c.pick(c.emails_domains)}"


_AREAS = [201, 202, 212, 213, 214, 215, 216, 248, 267, 301, 303, 305, 310, 312, 314, 317,
          404, 407, 412, 415, 425, 469, 503, 512, 602, 612, 614, 617, 646, 702, 713, 718,
          773, 801, 818, 832, 858, 916, 917, 919, 949, 971]  # fmt: skip


def phone(c: Ctx) -> str:
    a, x, n = c.pick(_AREAS), c.r.randint(201, 989), _digits(c, 4)
    if x in {555, 911, 411, 611}:
        x = 634
    text = c.pick(
        [
            f"({a}) {x}-{n}",
            f"{a}-{x}-{n}",
            f"{a}.{x}.{n}",
            f"+1 {a} {x} {n}",
            f"1-{a}-{x}-{n}",
            f"{a}{x}{n}",
        ]
    )
    return text + (f" x{c.r.randint(10, 999)}" if c.r.random() < 0.05 else "")


def _date(c: Ctx, y: int, m: int, d: int) -> str:
    months = [
        "Jan",
        "Feb",
        "Mar",
        "Apr",
        "May",
        "Jun",
        "Jul",
        "Aug",
        "Sep",
        "Oct",
        "Nov",
        "Dec",
    ]
    return c.pick(
        [
            f"{y}-{m:02d}-{d:02d}",
            f"{m:02d}/{d:02d}/{y}",
            f"{m}/{d}/{y}",
            f"{d} {months[m - 1]} {y}",
            f"{months[m - 1]} {d}, {y}",
        ]
    )


def dob(c: Ctx) -> str:
    return _date(c, c.r.randint(1940, 2006), c.r.randint(1, 12), c.r.randint(1, 28))


def other_date(c: Ctx) -> str:
    return _date(c, c.r.randint(2023, 2026), c.r.randint(1, 12), c.r.randint(1, 28))


def ip(c: Ctx) -> str:
    return c.f.ipv4_public() if c.r.random() < 0.8 else c.f.ipv6()


def driver_license(c: Ctx) -> str:
    return c.pick(
        [
            f"{chr(65 + c.r.randrange(26))}{_digits(c, 7)}",  # CA
            _digits(c, 9),  # NY
            f"{chr(65 + c.r.randrange(26))}{_digits(c, 3)}-{_digits(c, 3)}-{_digits(c, 2)}-{_digits(c, 3)}-{_digits(c, 1)}",  # FL
            f"{chr(65 + c.r.randrange(26))}{_digits(c, 12)}",  # MI/MN
        ]
    )


def passport(c: Ctx) -> str:
    return (
        _digits(c, 9)
        if c.r.random() < 0.5
        else chr(65 + c.r.randrange(26)) + _digits(c, 8)
    )


def person(c: Ctx) -> str:
    first, last = c.pick(c.first), c.pick(c.last)
    style = c.r.random()
    if style < 0.45:
        return f"{first} {last}"
    if style < 0.8:
        return f"{last}, {first}"
    if style < 0.9:
        return f"{first} {chr(65 + c.r.randrange(26))}. {last}"
    return f"{last.upper()}, {first.upper()}"


def address(c: Ctx) -> str:
    city, state, z = c.pick(c.cities)
    return f"{c.pick(c.streets)}, {city}, {state} {z}"


# ------------------------------------------------------------------ non-personal values
def amount(c: Ctx) -> str:
    v = c.r.random() * c.pick([100, 1000, 10000, 250000])
    return c.pick([f"{v:,.2f}", f"{v:.2f}", f"-{v:.2f}", f"({v:,.2f})", f"{int(v)}"])


def invoice(c: Ctx) -> str:
    return c.pick(
        [
            f"INV-{c.r.randint(1, 999999):06d}",
            _digits(c, 9),
            f"{c.r.randint(10000, 99999)}",
            f"INV{c.r.randint(2023, 2026)}-{c.r.randint(1, 9999):04d}",
        ]
    )


def po(c: Ctx) -> str:
    return c.pick(
        [
            f"PO-{c.r.randint(1000, 99999)}",
            f"{c.r.randint(2023, 2026)}-{c.r.randint(1, 9999):04d}",
            _digits(c, 8),
        ]
    )


def check_no(c: Ctx) -> str:
    return str(c.r.randint(1000, 99999))


def zipcode(c: Ctx) -> str:
    return c.pick(c.cities)[2]


def gl(c: Ctx) -> str:
    return f"{c.r.randint(1000, 9999)}-{c.r.randint(0, 99):02d}"


def company(c: Ctx) -> str:
    return c.pick(c.companies)


def qty(c: Ctx) -> str:
    return str(c.r.randint(1, 500))


def status(c: Ctx) -> str:
    return c.pick(["Open", "Paid", "Void", "Pending", "Approved", "On Hold"])


def dept(c: Ctx) -> str:
    return c.pick(["Sales", "Ops", "Warehouse", "Admin", "Finance", "Field Service"])


def description(c: Ctx) -> str:
    return c.pick(
        [
            "Office supplies Q3",
            "Freight - inbound",
            "Monthly retainer",
            "Software subscription",
            "Repairs and maintenance",
            "Fuel",
            "Consulting hours",
            "Net 30 terms",
        ]
    )


def employee_id(c: Ctx) -> str:
    return c.pick([f"E{c.r.randint(1000, 99999)}", str(c.r.randint(100, 9999))])


# ------------------------------------------------------------------ free text with spans
_SLOTS: dict[str, tuple[Entity, Gen]] = {
    "PERSON": (E.PERSON, lambda c: f"{c.pick(c.first)} {c.pick(c.last)}"),
    "LASTFIRST": (E.PERSON, lambda c: f"{c.pick(c.last)}, {c.pick(c.first)}"),
    "ADDRESS": (E.ADDRESS, address),
    "SSN": (E.US_SSN, ssn),
    "ITIN": (E.US_ITIN, itin),
    "EIN": (E.US_EIN, ein),
    "CARD": (E.CREDIT_CARD, card),
    "ABA": (E.ABA_ROUTING, aba),
    "ACCT": (E.BANK_ACCOUNT, bank_account),
    "IBAN": (E.IBAN, iban),
    "EMAIL": (E.EMAIL, email),
    "PHONE": (E.PHONE, phone),
    "DOB": (E.DATE_OF_BIRTH, dob),
    "IP": (E.IP_ADDRESS, ip),
    "DL": (E.US_DRIVER_LICENSE, driver_license),
    "PASSPORT": (E.US_PASSPORT, passport),
}
# Unlabelled fillers: look-alikes that must not be reported.
_FILL: dict[str, Gen] = {
    "AMOUNT": amount,
    "INVOICE": invoice,
    "PO": po,
    "CHECK": check_no,
    "DATE": other_date,
    "ZIP": zipcode,
    "COMPANY": company,
    "BADCARD": lambda c: (
        c.pick(c.cards)[:-1] + str((int(c.pick(c.cards)[-1]) + 1) % 10)
    ),
}

NOTE_TEMPLATES = [
    "Called {PERSON} at {PHONE} re: late payment on invoice {INVOICE}.",
    "Wire to acct {ACCT} routing {ABA} per {PERSON}'s email.",
    "Employee SSN {SSN} updated per new W-4.",
    "DOB {DOB} verified against the I-9.",
    "Ship to {ADDRESS} - attn {PERSON}.",
    "Invoice {BADCARD} disputed by {COMPANY}; PO {PO}.",
    "Paid {AMOUNT} on {DATE} by check #{CHECK}.",
    "Vendor EIN {EIN} on file, W-9 received {DATE}.",
    "Refund to card {CARD} approved.",
    "Customer email changed to {EMAIL}.",
    "New direct deposit: routing number {ABA}, account number {ACCT}.",
    "Left voicemail for {LASTFIRST}, call back {PHONE}.",
    "Net 30, ZIP {ZIP} warehouse, qty adjusted.",
    "Monthly accrual reversed on {DATE}, amount {AMOUNT}.",
    "Contractor ITIN {ITIN}, 1099 to mail to {ADDRESS}.",
    "Wire from {IBAN} received {DATE} for {AMOUNT}.",
    "Vendor portal login from {IP} by {EMAIL}.",
    "Driver's license {DL} copied for the vehicle file of {PERSON}.",
    "Passport number {PASSPORT} needed for the travel advance of {PERSON}.",
    "ok",
    "Approved by controller",
    "Q3 true-up, see invoice {INVOICE}",
]
SENTENCE_TEMPLATES = [
    *NOTE_TEMPLATES[:19],
    "My social security number is {SSN} and my date of birth is {DOB}.",
    "{PERSON} was born on {DOB} and lives at {ADDRESS}.",
    "Please update the payee to {LASTFIRST}, tax ID {EIN}.",
    "{CARD} is the card on file for {PERSON}.",
    "You can reach {PERSON} on {PHONE} or {EMAIL}.",
    "The routing number {ABA} and account {ACCT} belong to {PERSON}.",
    "IBAN {IBAN} (beneficiary {PERSON}) for the EU supplier payment.",
    "Order {PO} shipped on {DATE}; invoice {INVOICE} for {AMOUNT} follows.",
    "Check #{CHECK} for {AMOUNT} cleared on {DATE}.",
    "Spouse {PERSON}, SSN {SSN}, DOB {DOB}.",
    "Dependent {PERSON} born {DOB}.",
    "The new hire {LASTFIRST} starts {DATE}; home phone {PHONE}.",
    "Remit to {ADDRESS}. Questions: {EMAIL}.",
    "Per {PERSON}, the old account {ACCT} at routing {ABA} is closed.",
    "Payroll card {CARD} was reissued to {LASTFIRST}.",
    "Meeting with {COMPANY} on {DATE} about invoice {INVOICE}.",
    "The ZIP code for the branch is {ZIP}; total {AMOUNT}.",
    "{LASTFIRST} asked us to stop using {EMAIL}.",
    "Client {PERSON} filed with ITIN {ITIN} last year.",
    "Security log: failed login from {IP} for {EMAIL}.",
    "Please send the 1099 for {PERSON} (SSN {SSN}) to {ADDRESS}.",
]


def fill(template: str, c: Ctx) -> tuple[str, list[tuple[int, int, Entity]]]:
    out: list[str] = []
    spans: list[tuple[int, int, Entity]] = []
    length = 0
    rest = template
    while "{" in rest:
        before, _, tail = rest.partition("{")
        slot, _, rest = tail.partition("}")
        out.append(before)
        length += len(before)
        if slot in _SLOTS:
            entity, gen = _SLOTS[slot]
            value = gen(c)
            spans.append((length, length + len(value), entity))
        else:
            value = _FILL[slot](c)
        out.append(value)
        length += len(value)
    out.append(rest)
    return "".join(out), spans


def _join(
    parts: list[tuple[str, list[tuple[int, int, Entity]]]], sep: str
) -> tuple[str, list[tuple[int, int, Entity]]]:
    text: list[str] = []
    spans: list[tuple[int, int, Entity]] = []
    at = 0
    for i, (t, s) in enumerate(parts):
        if i:
            text.append(sep)
            at += len(sep)
        spans.extend((a + at, b + at, e) for a, b, e in s)
        text.append(t)
        at += len(t)
    return "".join(text), spans


def _email(c: Ctx) -> tuple[str, list[tuple[int, int, Entity]]]:
    body = [fill(c.pick(SENTENCE_TEMPLATES), c) for _ in range(c.r.randint(2, 4))]
    parts = [
        fill("From: {PERSON} <{EMAIL}>", c),
        fill("To: {EMAIL}", c),
        (
            c.pick(
                [
                    "Subject: payment details",
                    "Subject: RE: invoice",
                    "Subject: W-9 and banking",
                ]
            ),
            [],
        ),
        ("", []),
        fill("Hi {PERSON},", c),
        *body,
        ("Thanks,", []),
        fill("{PERSON}", c),
        fill("{PHONE}", c),
    ]
    return _join(parts, "\n")


def _note(c: Ctx) -> tuple[str, list[tuple[int, int, Entity]]]:
    text, spans = fill(c.pick(NOTE_TEMPLATES), c)
    if c.r.random() < 0.4:  # typed fast: lower case, same offsets
        text = text.lower()
    return text, spans


def generate_texts(
    n: int, seed: int, kinds: tuple[str, ...] = ("sentence", "email", "note")
) -> list[LabelledText]:
    c = Ctx(seed)
    out = []
    for i in range(n):
        kind = kinds[i % len(kinds)]
        if kind == "email":
            text, spans = _email(c)
        elif kind == "note":
            text, spans = _note(c)
        else:
            text, spans = fill(c.pick(SENTENCE_TEMPLATES), c)
        out.append(LabelledText(kind, text, spans))
    return out


def generate_document(target_chars: int, seed: int) -> LabelledText:
    c = Ctx(seed)
    parts: list[tuple[str, list[tuple[int, int, Entity]]]] = []
    size = 0
    while size < target_chars:
        para = _join(
            [fill(c.pick(SENTENCE_TEMPLATES), c) for _ in range(c.r.randint(3, 7))], " "
        )
        parts.append(para)
        size += len(para[0]) + 2
    text, spans = _join(parts, "\n\n")
    return LabelledText("document", text, spans)


# ------------------------------------------------------------------ tables
@dataclass(frozen=True)
class Col:
    headers: tuple[str, ...]
    label: Entity | None
    gen: Gen
    blanks: float = 0.05
    free_text: bool = False


def _notes(c: Ctx) -> str:
    return fill(c.pick(NOTE_TEMPLATES), c)[0]


COLS = {
    "ssn": Col(
        ("SSN", "Soc Sec #", "Social Security No.", "EE SSN", "TaxID (SSN)", "Field7"),
        E.US_SSN,
        ssn,
    ),
    "itin": Col(("ITIN", "Taxpayer ITIN", "ID 2"), E.US_ITIN, itin),
    "ein": Col(("EIN", "Fed Tax ID", "FEIN", "Vendor Tax ID", "Tax ID"), E.US_EIN, ein),
    "aba": Col(
        ("Routing", "ABA", "Routing #", "RTN", "Bank Routing Number"),
        E.ABA_ROUTING,
        aba,
    ),
    "acct": Col(
        ("Acct No", "Account Number", "Bank Acct", "DDA #", "Account"),
        E.BANK_ACCOUNT,
        bank_account,
    ),
    "card": Col(("Card Number", "CC#", "Corporate Card", "Card"), E.CREDIT_CARD, card),
    "iban": Col(("IBAN", "Beneficiary IBAN", "Ref"), E.IBAN, iban),
    "email": Col(("Email", "E-mail Address", "Contact Email", "Col H"), E.EMAIL, email),
    "phone": Col(("Phone", "Tel", "Contact #", "Mobile"), E.PHONE, phone),
    "dob": Col(("DOB", "Date of Birth", "Birth Date", "BirthDt"), E.DATE_OF_BIRTH, dob),
    "ip": Col(("IP", "Last Login IP", "Client IP"), E.IP_ADDRESS, ip),
    "dl": Col(
        ("Driver License", "DL #", "DL Number"), E.US_DRIVER_LICENSE, driver_license
    ),
    "passport": Col(("Passport No", "Passport #"), E.US_PASSPORT, passport),
    "name": Col(
        ("Vendor Name", "Employee", "Customer", "Payee", "Full Name", "Name"),
        E.PERSON,
        person,
    ),
    "address": Col(
        ("Address", "Mailing Address", "Remit To Address", "Home Address"),
        E.ADDRESS,
        address,
    ),
    "street": Col(
        ("Street", "Address 1", "Addr Line 1"), E.ADDRESS, lambda c: c.pick(c.streets)
    ),
    "city": Col(("City",), None, lambda c: c.pick(c.cities)[0], 0.02),
    "state": Col(("State", "ST"), None, lambda c: c.pick(c.cities)[1], 0.02),
    "zip": Col(("ZIP", "Zip Code", "Postal Code"), None, zipcode, 0.02),
    "amount": Col(
        ("Amount", "Total", "Gross Pay", "Net Pay", "Balance", "Amt Due"),
        None,
        amount,
        0.0,
    ),
    "invoice": Col(
        ("Invoice #", "Invoice No", "Doc No", "Reference"), None, invoice, 0.0
    ),
    "po": Col(("PO", "PO Number", "Purchase Order"), None, po, 0.1),
    "check": Col(("Check #", "Check No"), None, check_no, 0.3),
    "date": Col(
        ("Invoice Date", "Due Date", "Pay Date", "Posted", "Txn Date"),
        None,
        other_date,
        0.0,
    ),
    "date2": Col(("Due Date", "Period End", "Hire Date"), None, other_date, 0.0),
    "gl": Col(("GL Account", "GL Code", "Account Code"), None, gl, 0.0),
    "company": Col(
        ("Company", "Vendor", "Customer Company", "Bill To"), None, company, 0.0
    ),
    "qty": Col(("Qty", "Hours", "Units"), None, qty, 0.0),
    "status": Col(("Status", "State Code"), None, status, 0.0),
    "dept": Col(("Department", "Dept", "Class"), None, dept, 0.0),
    "desc": Col(("Description", "Item"), None, description, 0.0),
    "empid": Col(("Employee ID", "EE #", "Emp No"), None, employee_id, 0.0),
    "notes": Col(
        ("Memo", "Notes", "Comments", "Note"), None, _notes, 0.1, free_text=True
    ),
}

LAYOUTS = {
    "accounts_payable": [
        "company",
        "name",
        "ein",
        "address",
        "email",
        "phone",
        "aba",
        "acct",
        "invoice",
        "date",
        "amount",
        "po",
        "check",
        "gl",
        "notes",
    ],
    "accounts_receivable": [
        "company",
        "name",
        "street",
        "city",
        "state",
        "zip",
        "email",
        "phone",
        "card",
        "invoice",
        "date",
        "date2",
        "amount",
        "status",
        "notes",
    ],
    "payroll": [
        "empid",
        "name",
        "ssn",
        "dob",
        "address",
        "phone",
        "aba",
        "acct",
        "dept",
        "date",
        "amount",
        "qty",
        "dl",
        "email",
        "notes",
    ],
    "tax_preparation": [
        "name",
        "ssn",
        "itin",
        "dob",
        "address",
        "email",
        "phone",
        "iban",
        "passport",
        "ein",
        "amount",
        "date",
        "status",
        "ip",
        "notes",
    ],
    "bookkeeping": [
        "date",
        "desc",
        "gl",
        "amount",
        "name",
        "company",
        "card",
        "check",
        "invoice",
        "email",
        "dept",
        "notes",
    ],
}

_LOOKALIKE = {
    E.US_SSN: lambda c: (
        f"{c.r.randint(0, 0):03d}-{c.r.randint(10, 99)}-{c.r.randint(1000, 9999)}"
    ),
    E.CREDIT_CARD: _FILL["BADCARD"],
    E.PHONE: lambda c: f"{c.r.randint(100, 199)}-555-{_digits(c, 4)}",
}


def generate_table(kind: str, rows: int, seed: int) -> LabelledTable:
    c = Ctx(seed)
    cols = [COLS[k] for k in LAYOUTS[kind]]
    header: list[str] = []
    for col in cols:
        name = c.pick(list(col.headers))
        while name in header:
            name = c.pick(list(col.headers)) + " 2"
        header.append(name)
    columns: list[list[str]] = []
    for col in cols:
        look = _LOOKALIKE.get(col.label) if col.label else None
        values = []
        for _ in range(rows):
            roll = c.r.random()
            if roll < col.blanks:
                values.append("")
            elif look is not None and roll < col.blanks + 0.01:
                values.append(look(c))
            else:
                values.append(col.gen(c))
        columns.append(values)
    table_rows = [list(r) for r in zip(*columns, strict=True)]
    return LabelledTable(
        kind,
        header,
        table_rows,
        [col.label for col in cols],
        [col.free_text for col in cols],
    )


def write_csv(table: LabelledTable, path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(table.header)
        w.writerows(table.rows)
