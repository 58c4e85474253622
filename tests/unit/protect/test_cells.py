"""Keyless transforms: masking keeps layout, generalisation is coarse, formulas are defused."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from outguard.pii.entities import Entity
from outguard.protect import cells


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1", "'\r=1"),
        ("-2+3", "'-2+3"),
        ("+1 (555) 010-0100", "'+1 (555) 010-0100"),
        ("-12.50", "-12.50"),
        ("+3", "+3"),
        ("1,234.00", "1,234.00"),
        ("Jane", "Jane"),
        ("", ""),
    ],
)
def test_formula_payloads_are_neutralised_numbers_are_not(value, expected):
    assert cells.neutralise_formula(value) == expected


def test_neutralise_column_keeps_empty_cells():
    assert cells.neutralise_column(["=1", None, "a"]) == ["'=1", None, "a"]


@pytest.mark.parametrize(
    ("value", "first", "last", "expected"),
    [
        ("123-45-6789", 0, 4, "***-**-6789"),
        ("4111 1111 1111 1111", 0, 4, "**** **** **** 1111"),
        ("4111111111111111", 6, 4, "411111******1111"),
        ("12", 0, 4, "*2"),  # at least 3/8 always hidden
        ("1234", 0, 4, "**34"),
        ("", 0, 4, ""),
        ("AB-12", 0, 0, "**-**"),
    ],
)
def test_mask_keeps_layout_and_never_reveals_too_much(value, first, last, expected):
    assert cells.mask_value(value, keep_first=first, keep_last=last) == expected


@given(st.text(max_size=40), st.integers(0, 8), st.integers(0, 8))
def test_mask_property_mostly_hidden_and_same_length(value, first, last):
    out = cells.mask_value(value, keep_first=first, keep_last=last)
    assert len(out) == len(value)
    alnum = sum(c.isalnum() for c in value)
    shown = sum(1 for a, b in zip(value, out, strict=True) if a.isalnum() and a == b)
    assert shown <= alnum - -(-3 * alnum // 8)


def test_redact_and_mask_columns():
    assert cells.redact(["123-45-6789", None, " "], Entity.US_SSN) == [
        "[US_SSN]",
        None,
        " ",
    ]
    assert cells.redact(["x"], None) == ["[REDACTED]"]
    assert cells.mask(["123456789", None]) == ["*****6789", None]


def test_dates_generalise_in_many_formats():
    values = [
        "1985-03-14",
        "03/14/1985",
        "14 Mar 1985",
        "March 14, 1985",
        "junk",
        None,
        "",
    ]
    assert cells.generalize_dates(values, "year", as_of=date(2026, 1, 1)) == [
        "1985",
        "1985",
        "1985",
        "1985",
        "[DATE_OF_BIRTH]",
        None,
        "",
    ]
    assert cells.generalize_dates(["1985-03-14"], "decade", as_of=date(2026, 1, 1)) == [
        "1980s"
    ]
    assert cells.generalize_dates(["1985-03-14"], "month", as_of=date(2026, 1, 1)) == [
        "1985-03"
    ]


@pytest.mark.parametrize(
    ("born", "band"),
    [
        (date(2010, 1, 1), "under 18"),
        (date(2007, 11, 24), "18-24"),  # 19th birthday... the day of
        (date(1990, 6, 1), "35-44"),
        (date(1950, 1, 1), "65+"),
    ],
)
def test_age_bands(born, band):
    assert cells.age_band(born, date(2026, 11, 24)) == band


def test_addresses_generalise_to_city_state_state_or_zip3():
    address = "1600 Pennsylvania Ave NW, Washington, DC 20500"
    assert cells.generalize_address(address, "city_state") == "Washington, DC"
    assert cells.generalize_address(address, "state") == "DC"
    assert cells.generalize_address(address, "zip3") == "205**"
    assert cells.generalize_address("no zip here", "zip3") == "[ADDRESS]"
    assert cells.generalize_address("somewhere", "state") == "[ADDRESS]"
    assert cells.generalize_addresses([None, address], "state") == [None, "DC"]
    assert cells.generalize_zip3(["62704-1234", None]) == ["627**", None]


def test_usual_address_shape_reads_as_usaddress_reads_it():
    """The regex path for '<street>, <City>, <ST> <ZIP>' agrees with usaddress's model."""
    import random

    import usaddress
    from faker import Faker

    fake = Faker("en_US")
    fake.seed_instance(8)
    rng = random.Random(8)
    checked = 0
    for _ in range(400):
        city = fake.city().split()[-1]  # one word: usaddress never splits it
        state, zip_code = (
            fake.state_abbr(),
            rng.choice([fake.zipcode(), fake.zipcode_plus4()]),
        )
        address = f"{fake.street_address()}, {city}, {state} {zip_code}"
        parts, _ = usaddress.tag(address)
        expected = (
            f"{parts['PlaceName'].strip(' ,')}, {parts['StateName'].strip(' ,.')}"
        )
        assert cells.generalize_address(address, "city_state") == expected
        assert cells.generalize_address(address, "state") == expected.split(", ")[1]
        checked += 1
    assert checked == 400
    # A two-word city stays whole (usaddress sometimes took "Port" for the street).
    assert (
        cells.generalize_address(
            "2540 Wallace River, Port Alexaburgh, MH 14834", "city_state"
        )
        == "Port Alexaburgh, MH"
    )
    # Other shapes still go to usaddress: more commas, no ZIP, an unknown state code.
    assert (
        cells.generalize_address("12 Main St, Apt 4, Springfield, IL 62704", "state")
        == "IL"
    )
    assert cells._city_state("12 Main St, Springfield, ZZ 62704") is None


def test_amount_bands():
    bands = [0, 100, 1000, 10000]
    values = ["$1,234.50", "(50.00)", "99.99", "10000", "abc", None, "12,000"]
    assert cells.generalize_amounts(values, bands) == [
        "1,000–10,000",
        "< 0",
        "0–100",
        "≥ 10,000",
        "[REDACTED]",
        None,
        "≥ 10,000",
    ]
    assert cells.parse_amount("NaN") is None
    assert cells.band_of(cells.parse_amount("0.5"), [0, 0.5, 1.5]) == "0.5–1.5"


def test_ips_generalise_to_their_network():
    assert cells.generalize_ips(["192.168.4.77", "2001:db8:1:2::1", "x", None]) == [
        "192.168.4.0/24",
        "2001:db8:1::/48",
        "[IP_ADDRESS]",
        None,
    ]


def test_numeric_dates_read_as_strptime_reads_them():
    """The regex path for all-numeric formats gives what datetime.strptime gives."""
    import random
    from datetime import datetime

    def strptime_only(value):
        for fmt in cells._DATE_FORMATS:
            try:
                return datetime.strptime(value.strip(), fmt).date()  # noqa: DTZ007
            except ValueError:
                continue
        return None

    rng = random.Random(9)

    def part(k):
        return "".join(rng.choice("0123456789") for _ in range(k))

    values = []
    for _ in range(6000):
        a, b, c = (
            part(rng.randint(1, 4)),
            part(rng.randint(1, 3)),
            part(rng.randint(1, 4)),
        )
        sep = rng.choice(["-", "/", ".", "", " ", "-/"[rng.randint(0, 1)]])
        values.append(rng.choice(["", " ", "  "]) + f"{a}{sep}{b}{sep[:1]}{c}")
    layouts = ["{y}-{m:02d}-{d:02d}", "{m}/{d}/{y}", "{m}/{d}/{yy:02d}", "{d}.{m}.{y}"]
    layouts += ["{y}{m:02d}{d:02d}", "{m}-{d}-{y}", "{y}/{m}/{d}"]
    for _ in range(3000):  # real dates in every layout, some past the month's end
        y, m, d = rng.randint(1900, 2030), rng.randint(1, 12), rng.randint(1, 31)
        values.append(rng.choice(layouts).format(y=y, m=m, d=d, yy=y % 100))
    values += [
        "2024-02-30",
        "02/29/2023",
        "02/29/2024",
        "1/ 5/2024",
        "0000-01-01",
        "٢٠٢٤-٠٣-٢٤",
    ]
    values += [
        "Mar 14, 1985",
        "14 March 1985",
        "2024-03-24T10:11:12",
        "2024031",
        "2024111",
    ]
    assert [cells.parse_date(v) for v in values] == [strptime_only(v) for v in values]
    assert sum(cells.parse_date(v) is not None for v in values) > 1000
