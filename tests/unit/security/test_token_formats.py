"""Token formats: exact round trips, valid-looking outputs, layouts kept, bad input refused."""

from __future__ import annotations

import ipaddress
import random
from datetime import date

import numpy as np
import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import iban as std_iban
from stdnum import luhn
from stdnum.us import rtn
from stdnum.us import ssn as std_ssn

from outguard.security.aead import KeyLengthError
from outguard.security.ff1 import DomainError
from outguard.security.tokenize import RadixCipher, card
from outguard.security.tokenize_text import DateShift
from outguard.security.tokenizers import KINDS, tokenizer_for

K1 = bytes(range(32))
K2 = bytes(range(1, 33))


def _round_trip(kind, values, **opts):
    tok = tokenizer_for(kind, K1, **opts)
    tokens = tok.tokenize(values)
    back = tok.detokenize(tokens)
    for value, token, again in zip(values, tokens, back, strict=True):
        if token is not None:
            assert again == value, (kind, value, token, again)
    assert tok.tokenize(values) == tokens  # deterministic
    return tokens


# ---------------------------------------------------------------- SSN
ssn_digits = st.tuples(
    st.integers(1, 899).filter(lambda a: a != 666),
    st.integers(1, 99),
    st.integers(1, 9999),
)


@given(st.lists(ssn_digits, min_size=1, max_size=30), st.sampled_from(["-", " ", ""]))
@settings(max_examples=40, deadline=None)
def test_ssn_round_trip_valid_and_layout_kept(parts, sep):
    values = [f"{a:03d}{sep}{g:02d}{sep}{s:04d}" for a, g, s in parts]
    tokens = _round_trip("ssn", values)
    for value, token in zip(values, tokens, strict=True):
        assert token is not None
        assert std_ssn.is_valid(token.replace(sep, "") if sep else token)
        assert [c for c in token if not c.isdigit()] == [
            c for c in value if not c.isdigit()
        ]


def test_ssn_refusals_and_mixed_layouts():
    values = [
        "000-12-3456",
        "666-12-3456",
        "900-12-3456",
        "123-00-4567",
        "123-45-0000",
        None,
        "",
        "١٢٣-٤٥-٦٧٨٩",
        "12-34",
        "078-05-1120",
        "123 45 6789",
        "1234567890",
    ]
    tokens = _round_trip("ssn", values)
    assert (
        tokens[:8] == [None] * 8
    )  # invalid, empty, None and non-ASCII digits: refused
    assert tokens[8] is None  # not 9 digits
    assert tokens[9] is not None and tokens[10] is not None
    assert tokens[11] is None


def test_ssn_leading_zeros_survive_and_keys_differ():
    values = [
        f"0{i % 99 + 1:02d}-{i // 9999 + 1:02d}-{i % 9999 + 1:04d}"
        for i in range(10_000)
    ]
    a = tokenizer_for("ssn", K1).tokenize(values)
    b = tokenizer_for("ssn", K2).tokenize(values)
    assert tokenizer_for("ssn", K1).detokenize(a) == values
    assert not set(a) & set(
        b
    )  # no equal tokens across two recipients' keys on 10k values
    assert len(set(a)) == len(set(values))


# ---------------------------------------------------------------- cards
def _card(rng, length, prefix="4"):
    body = prefix + "".join(
        str(rng.randint(0, 9)) for _ in range(length - len(prefix) - 1)
    )
    return body + luhn.calc_check_digit(body)


@given(st.integers(12, 19), st.integers(0, 2**32), st.sampled_from([0, 1, 6]))
@settings(max_examples=60, deadline=None)
def test_card_round_trip_luhn_last4_and_bin(length, seed, keep_first):
    rng = random.Random(seed)
    value = _card(rng, length)
    (token,) = _round_trip("card", [value], keep_first=keep_first)
    if length - keep_first - 4 < 6:
        assert token is None
        return
    assert token is not None
    assert luhn.is_valid(token)
    assert token[-4:] == value[-4:]
    assert token[:keep_first] == value[:keep_first]


def test_card_separators_invalid_and_config():
    tokens = _round_trip(
        "card", ["4111 1111 1111 1111", "4111-1111-1111-1112", "41111111"]
    )
    assert tokens[0] is not None and tokens[0].count(" ") == 3
    assert tokens[1:] == [None, None]
    with pytest.raises(DomainError, match="fewer than 6 digits"):
        card(K1, keep_first=10, keep_last=4)
    with pytest.raises(DomainError):
        card(K1, keep_first=-1)


# ---------------------------------------------------------------- bank, ABA, EIN, ITIN
def test_bank_accounts_any_length_leading_zeros():
    values = [
        "000123456789",
        "12345678901234567",
        "123456",
        "12345",
        "1234-5678-9012",
        "1" * 30,
    ]
    tokens = _round_trip("bank", values)
    assert tokens[0] is not None and len(tokens[0]) == 12
    assert tokens[3] is None  # 5 digits: below FF1's minimum domain
    assert tokens[4] is not None and tokens[4].count("-") == 2
    assert tokens[5] is not None  # beyond 19 digits: the exact path


def test_aba_checksum_and_prefix_kept():
    values = ["011000015", "021000021", "122105155", "123456789", "991000015"]
    tokens = _round_trip("aba", values)
    for value, token in zip(values[:3], tokens[:3], strict=True):
        assert rtn.is_valid(token)
        assert token[:2] == value[:2]
    assert tokens[3:] == [None, None]  # bad checksum; implausible prefix


def test_ein_and_itin():
    (ein,) = _round_trip("ein", ["12-3456789"])
    assert ein.startswith("12-") and len(ein) == 10
    itins = _round_trip("itin", ["912-70-1234", "900-70-1234", "123-45-6789", "9127"])
    assert itins[0].startswith("9") and itins[0][4:6] == "70"
    assert itins[2:] == [None, None]


# ---------------------------------------------------------------- text formats
def test_phone_stays_valid_for_its_region():
    values = [
        "(617) 555-0142",
        "+44 20 7946 0958",
        "617.555.0142",
        "12",
        "+1 000",
        "٦١٧٥٥٥٠١٤٢",
    ]
    tokens = _round_trip("phone", values)
    for value, token in zip(values[:3], tokens[:3], strict=True):
        parsed = phonenumbers.parse(token, "US")
        assert phonenumbers.is_valid_number(parsed)
        original = phonenumbers.parse(value, "US")
        assert parsed.country_code == original.country_code
        assert str(parsed.national_number)[:3] == str(original.national_number)[:3]
    assert tokens[3:] == [None, None, None]


def test_email_local_part_and_domain():
    tokens = _round_trip(
        "email", ["jane.roe@example.com", "ab@x.com", "no-at-sign", "a@b@c"]
    )
    assert tokens[0].endswith("@example.com") and tokens[0] != "jane.roe@example.com"
    assert tokens[1:] == [None, None, None]
    tok = tokenizer_for("email", K1, keep_domain=False)
    (token,) = tok.tokenize(["jane.roe@example.com"])
    assert not token.endswith("example.com") and token.endswith(".com")
    assert tok.detokenize([token]) == ["jane.roe@example.com"]
    assert tok.tokenize(["jane.roe@x.io", "jane.roe@localhost"]) == [None, None]
    # e-mail addresses are case-insensitive: the round trip is exact up to case
    (upper,) = tokenizer_for("email", K1).tokenize(["Jane.Roe@Example.com"])
    assert tokenizer_for("email", K1).detokenize([upper]) == ["jane.roe@example.com"]


def test_alnum_codes_keep_classes_and_case():
    tokens = _round_trip(
        "dl", ["D1234567", "X12", "AB-123456", "ABCDEFG", "abc", "ü123456"]
    )
    assert tokens[0][0] == "D" and tokens[0][1:].isdigit()
    assert tokens[1] is None and tokens[4] is None and tokens[5] is None
    assert tokens[2].startswith("AB-")
    assert tokens[3].isalpha() and tokens[3].isupper()
    assert _round_trip("passport", ["123456789"])[0].isdigit()
    assert _round_trip("alnum", ["ZZ99-12345678"])[0] is not None


def test_iban_stays_a_valid_iban_of_its_country():
    values = [
        "DE89 3704 0044 0532 0130 00",
        "GB82WEST12345698765432",
        "DE00370400440532013000",
        "DE89",
        "1234567890123456",
    ]
    tokens = _round_trip("iban", values)
    assert (
        std_iban.is_valid(tokens[0]) and tokens[0].startswith("DE") and " " in tokens[0]
    )
    assert std_iban.is_valid(tokens[1]) and tokens[1][4:8] == "WEST"
    assert tokens[2:] == [None, None, None]


def test_iban_with_non_ascii_digits_is_refused():
    # int() reads '٣' as 3, so the check digits match; an ASCII token would then detokenize
    # to the ASCII IBAN, not to this value: refused both ways instead.
    value = "DE89 ٣704 0044 0532 0130 00"
    tok = tokenizer_for("iban", K1)
    assert std_iban.is_valid("DE89 3704 0044 0532 0130 00")
    assert tok.tokenize([value]) == [None]
    assert tok.detokenize([value]) == [None]


def test_ip_addresses():
    tokens = _round_trip("ip", ["192.168.1.10", "2001:db8::1", "not-an-ip"])
    assert ipaddress.ip_address(tokens[0]).version == 4
    assert ipaddress.ip_address(tokens[1]).version == 6
    assert tokens[2] is None


@given(
    st.dates(date(1100, 1, 1), date(9800, 1, 1)),
    st.sampled_from(["%Y-%m-%d", "%m/%d/%Y", "%d.%m.%Y", "%Y%m%d"]),
)
@settings(max_examples=60, deadline=None)
def test_dates_shift_within_the_window_and_reverse(day, fmt):
    from datetime import datetime

    (token,) = _round_trip("date", [day.strftime(fmt)], window_days=90)
    moved = datetime.strptime(token, fmt).date()  # noqa: DTZ007 - a calendar date
    assert abs((moved - day).days) < 90


@pytest.mark.parametrize("window", [2, 90, 180, 3650])
def test_dates_at_the_edges_of_the_domain_reverse(window):
    # A token may leave 1100..9800 by up to a window; the owner must still reverse it.
    edges = ["1100-01-01", "1100-01-02", "9800-12-31", "9800-12-30"]
    tokens = _round_trip("date", edges, window_days=window)
    assert all(token is not None for token in tokens)


def test_dates_refusals_and_window():
    assert (
        _round_trip("date", ["junk", "03/14/85", "1000-01-03", "9999-12-01"])
        == [None] * 4
    )
    with pytest.raises(ValueError, match=r"2\.\.3650"):
        DateShift(K1, window=1)


# Halves that fit 64 bits go through the batched integer rounds, wider ones row by row.
@pytest.mark.parametrize(("radix", "width"), [(10, 9), (256, 16)])
def test_radix_cipher_takes_an_empty_batch(radix, width):
    cipher = RadixCipher(K1, "account", radix)
    rows = np.arange(1, width + 1, dtype=np.uint8).reshape(1, width)
    token = cipher.apply(rows, decrypt=False)
    assert token.tolist() != rows.tolist()
    assert cipher.apply(token, decrypt=True).tolist() == rows.tolist()
    for decrypt in (False, True):
        empty = cipher.apply(rows[:0], decrypt=decrypt)
        assert empty.shape == (0, width)
        assert empty.dtype == np.uint8


# ---------------------------------------------------------------- the registry
def test_every_kind_is_available_and_keys_are_checked():
    for kind in KINDS:
        tok = tokenizer_for(kind, K1)
        assert tok.tokenize([None, ""]) == [None, None]
    with pytest.raises(ValueError, match="no tokenizer for 'zip'"):
        tokenizer_for("zip", K1)
    with pytest.raises(KeyLengthError):
        tokenizer_for("ssn", b"short")
    for kind in KINDS:
        assert "00010203" not in repr(tokenizer_for(kind, K1))


def test_one_length_with_several_layouts_and_an_all_invalid_group():
    values = ["1234-567-89", "123-45-6789", "123 45 6789", "000-00-0000", "000 00 0000"]
    tokens = _round_trip("ssn", values)
    assert tokens[1][3] == "-" and tokens[2][3] == " "
    assert tokens[0][4] == "-" and tokens[0][8] == "-"  # its own layout, kept
    only_invalid = _round_trip("ssn", ["000-12-3456", "666-12-3456"])
    assert only_invalid == [None, None]


def test_phone_cycle_walks_and_refuses_short_national_numbers():
    values = [f"(617) {200 + i * 7:03d}-{1000 + i * 131:04d}" for i in range(60)]
    tokens = _round_trip("phone", values)
    assert all(t is not None for t in tokens)
    assert _round_trip("phone", ["+47 22 22 22 22"]) == [
        None
    ]  # too few digits after the area
    assert _round_trip("itin", ["９１２-70-1234"]) == [None]


def test_phone_refuses_bare_digits_that_are_no_nanp_number_as_the_slow_path_does():
    phone = tokenizer_for("phone", K1)
    slow = phone._one  # type: ignore[attr-defined]
    rng = random.Random(5)
    values = [
        "".join(str(rng.randint(0, 9)) for _ in range(n))
        for n in range(1, 21)
        for _ in range(25)
    ] + ["16175550142", "6175550142", "011442071838750", "26175550142"]
    for decrypt, many in ((False, phone.tokenize), (True, phone.detokenize)):
        for value, fast in zip(values, many(values), strict=True):
            try:
                expected = slow(value, decrypt=decrypt)
            except (DomainError, ValueError, phonenumbers.NumberParseException):
                expected = None
            assert fast == expected, value


def test_phone_numbers_with_an_extension_batch_exactly_as_one_by_one():
    phone = tokenizer_for("phone", K1)
    slow = phone._one  # type: ignore[attr-defined]
    rng = random.Random(11)
    layouts = [
        "({a}) {x}-{n}",
        "{a}-{x}-{n}",
        "{a}.{x}.{n}",
        "+1 {a} {x} {n}",
        "1-{a}-{x}-{n}",
        "{a}{x}{n}",
    ]
    values = []
    for _ in range(1500):
        a = rng.choice(["212", "617", "713", "206", "303", "911", "555", "123"])
        x = f"{rng.randint(0, 999):03d}"
        n = f"{rng.randint(0, 9999):04d}"
        ext = "".join(str(rng.randint(0, 9)) for _ in range(rng.randint(1, 5)))
        values.append(rng.choice(layouts).format(a=a, x=x, n=n) + " x" + ext)
    for decrypt, many in ((False, phone.tokenize), (True, phone.detokenize)):
        got = many(values)
        for value, fast in zip(values, got, strict=True):
            try:
                expected = slow(value, decrypt=decrypt)
            except (DomainError, ValueError, phonenumbers.NumberParseException):
                expected = None
            assert fast == expected, value
        assert sum(t is not None for t in got) > 500
    tokens = phone.tokenize(values)
    back = phone.detokenize(tokens)
    assert all(b == v for v, t, b in zip(values, tokens, back, strict=True) if t)
