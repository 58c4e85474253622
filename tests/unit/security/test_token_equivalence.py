"""The batch tokenizers give, value for value, what the per-value algorithms gave.

Tokens already issued must still detokenize, and a new rendition must not change a recipient's
tokens: each batch path is compared with a frozen copy of the per-value algorithm it replaced,
on random values of every layout (valid, invalid and odd ones).
"""

from __future__ import annotations

import random
import string

import numpy as np
import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from outguard.security import nanp
from outguard.security.ff1 import FF1, MAX_LEN, DomainError, min_length
from outguard.security.tokenize import tweak_for
from outguard.security.tokenizers import tokenizer_for

KEY = bytes(range(32))
KEY2 = bytes(range(7, 39))


# ---------------------------------------------------------------- the frozen per-value copies
class _OldClassCipher:
    def __init__(self, key, kind, alphabet):
        self._ff1 = FF1(key, len(alphabet))
        self._alphabet = alphabet
        self._index = {c: i for i, c in enumerate(alphabet)}
        self._tweak = tweak_for(kind)
        self.minlen = min_length(len(alphabet))

    def positions(self, text):
        return [i for i, c in enumerate(text) if c in self._index]

    def apply(self, text, positions, *, decrypt):
        numerals = [self._index[text[i]] for i in positions]
        fn = self._ff1.decrypt_numerals if decrypt else self._ff1.encrypt_numerals
        result = fn(numerals, self._tweak)
        chars = list(text)
        for i, x in zip(positions, result, strict=True):
            chars[i] = self._alphabet[x]
        return "".join(chars)


def _old_column(values, fn):
    out = []
    for v in values:
        if v is None or not v.strip():
            out.append(None)
            continue
        try:
            out.append(fn(v))
        except (DomainError, ValueError, phonenumbers.NumberParseException):
            out.append(None)
    return out


class OldPhone:
    def __init__(self, key, region="US", keep=3):
        self._cipher = _OldClassCipher(key, "phone", string.digits)
        self._region = region
        self._keep = keep

    def _one(self, value, *, decrypt):
        if not value.isascii():
            raise DomainError("non-ASCII digits")
        parsed = phonenumbers.parse(value, self._region)
        if not phonenumbers.is_valid_number(parsed):
            raise DomainError("not a valid phone number")
        national = str(parsed.national_number)
        digit_pos = self._cipher.positions(value)
        tail = digit_pos[len(digit_pos) - len(national) :]
        secret = tail[self._keep :]
        if len(secret) < self._cipher.minlen:
            raise DomainError("too few digits to encrypt")
        text = value
        for _ in range(200):
            text = self._cipher.apply(text, secret, decrypt=decrypt)
            candidate = phonenumbers.parse(text, self._region)
            if phonenumbers.is_valid_number(candidate):
                return text
        raise DomainError("cycle-walking did not reach a valid number")

    def tokenize(self, values):
        return _old_column(values, lambda v: self._one(v, decrypt=False))

    def detokenize(self, values):
        return _old_column(values, lambda v: self._one(v, decrypt=True))


class OldEmail:
    def __init__(self, key, keep_domain=True):
        alnum = string.digits + string.ascii_lowercase
        self._local = _OldClassCipher(key, "email-local", alnum)
        self._domain = _OldClassCipher(key, "email-domain", alnum)
        self._keep_domain = keep_domain

    def _one(self, value, *, decrypt):
        text = value.strip()
        if text.count("@") != 1 or not text.isascii():
            raise DomainError("not an e-mail address")
        local, domain = text.lower().split("@")
        pos = self._local.positions(local)
        if len(pos) < self._local.minlen or "." not in domain:
            raise DomainError("local part too short to tokenize")
        local = self._local.apply(local, pos, decrypt=decrypt)
        if not self._keep_domain:
            body, tld = domain.rsplit(".", 1)
            dpos = self._domain.positions(body)
            if len(dpos) < self._domain.minlen:
                raise DomainError("domain too short to tokenize")
            domain = self._domain.apply(body, dpos, decrypt=decrypt) + "." + tld
        return f"{local}@{domain}"

    def tokenize(self, values):
        return _old_column(values, lambda v: self._one(v, decrypt=False))

    def detokenize(self, values):
        return _old_column(values, lambda v: self._one(v, decrypt=True))


def _same(old, new, values, canonical=lambda v: v):
    tokens = old.tokenize(values)
    assert new.tokenize(values) == tokens
    back = new.detokenize(tokens)
    assert back == old.detokenize(tokens)
    assert new.detokenize(values) == old.detokenize(values)  # untokenized input too
    for v, t, b in zip(values, tokens, back, strict=True):
        if t is not None:
            assert b == canonical(v)


# ---------------------------------------------------------------- phone numbers
_CARIBBEAN = [242, 246, 264, 268, 284, 340, 345, 441, 473, 649, 658, 664, 670, 671, 684,
              721, 758, 767, 784, 787, 809, 829, 849, 868, 869, 876, 939]  # fmt: skip
_LAYOUTS = [
    "({a}) {x}-{n}", "{a}-{x}-{n}", "{a}.{x}.{n}", "{a} {x} {n}", "{a}{x}{n}",
    "+1 {a} {x} {n}", "+1-{a}-{x}-{n}", "+1{a}{x}{n}", "+1 ({a}) {x}-{n}",
    "1-{a}-{x}-{n}", "1 {a} {x} {n}", "1{a}{x}{n}", "1 ({a}) {x}-{n}", "({a}){x}-{n}",
    "({a}) {x}{n}", "{a}-{x}{n}", "1.{a}.{x}.{n}",
    # the per-value path: extensions, other prefixes, spaces around, odd punctuation
    "+1 {a} {x} {n} x{e}", "{a}-{x}-{n} ext. {e}", "001-{a}-{x}-{n}", " {a}-{x}-{n} ",
    "+44 20 {x} {n}", "{a}/{x}/{n}", "({a} {x}-{n}", "{a}--{x}-{n}", "+1 {a} {x}",
]  # fmt: skip


def _phones(rng: random.Random, count: int) -> list[str | None]:
    out: list[str | None] = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.5:
            a = rng.randint(200, 999)
        elif roll < 0.8:
            a = rng.choice(_CARIBBEAN)
        else:
            a = rng.randint(0, 999)
        layout = rng.choice(_LAYOUTS)
        out.append(
            layout.format(
                a=f"{a:03d}",
                x=f"{rng.randint(0, 999):03d}",
                n=f"{rng.randint(0, 9999):04d}",
                e=rng.randint(1, 9999),
            )
        )
    out += [None, "", "  ", "٢١٢-٥٥٥-١٢٣٤", "(212) ５55-1234", "not a phone", "911"]
    for _ in range(count // 3):  # what a note's token-shaped pieces look like
        digits = f"{rng.randint(0, 10**12):d}"[: rng.randint(1, 12)]
        out.append(
            rng.choice(
                [
                    "{d}",
                    "{d}.{e}",
                    "({d})",
                    "{d}-{e}",
                    "0{d}",
                    "1{d}",
                    "x{d}",
                    "INV{d}",
                    "ab{d}",
                    "1-800-{d}ABC",
                ]
            ).format(d=digits, e=rng.randint(0, 99))
        )
    out += ["310-1234", "3101234", "1-310-1234", "011 44 20 7946 0958", "0114420794609"]
    return out


@pytest.mark.parametrize("seed", [1, 2])
def test_phone_batch_equals_per_value(seed):
    values = _phones(random.Random(seed), 1500)
    key = KEY if seed == 1 else KEY2
    _same(OldPhone(key), tokenizer_for("phone", key), values)


def test_phone_of_other_kinds_values_equals_per_value():
    """SSNs, EINs, account numbers and amounts in a phone key's way: refused as per value."""
    rng = random.Random(8)
    values: list[str | None] = []
    for _ in range(600):
        d = f"{rng.randint(0, 10**13):013d}"[: rng.randint(5, 13)]
        values.append(
            rng.choice(["{a}-{b}-{c}", "{a} {b} {c}", "{a}.{b}", "({a}) {b}{c}", "{d}"])
            .format(a=d[:3], b=d[3:5], c=d[5:], d=d)
            .strip(" .-()")
        )
    _same(OldPhone(KEY), tokenizer_for("phone", KEY), values)


@settings(max_examples=4000, deadline=None)
@given(
    st.text(alphabet="0123456789 ()./-", min_size=1, max_size=20)
    | st.from_regex(r"[0-9][0-9 ()./-]{0,16}[0-9]", fullmatch=True)
    | st.from_regex(r"(0|1|01|11|011|\+|\+1)?[0-9 ().-]{5,14}", fullmatch=True)
)
def test_plain_digits_of_a_length_no_nanp_number_has_are_never_valid(text):
    if nanp.plain_wrong_length(text):
        try:
            parsed = phonenumbers.parse(text, "US")
        except phonenumbers.NumberParseException:
            return
        assert not phonenumbers.is_valid_number(parsed)


def test_plain_wrong_length_never_refuses_a_valid_number_on_a_seeded_sweep():
    """Prefixes phonenumbers may strip (1s, 0, 011) in front of digits and punctuation."""
    rng = random.Random(9)
    refused = 0
    for _ in range(20_000):
        prefix = rng.choice(["", "1", "11", "111", "0", "01", "011", "10", "00"])
        digits = prefix + "".join(rng.choices(string.digits, k=rng.randint(4, 14)))
        seps = rng.choices(["", "", "", "-", " ", ".", "(", ")", "/"], k=len(digits))
        text = "".join(a + b for a, b in zip(digits, seps, strict=True)).strip(" .-()")
        if text and nanp.plain_wrong_length(text):
            refused += 1
            try:
                parsed = phonenumbers.parse(text, "US")
            except phonenumbers.NumberParseException:
                continue
            assert not phonenumbers.is_valid_number(parsed), text
    assert refused > 5000


@settings(max_examples=3000, deadline=None)
@given(
    st.text(min_size=1, max_size=30)
    | st.text(alphabet=string.ascii_letters + " .,;:-()/#'&x\u00e9", max_size=40)
    | st.from_regex(
        r"(tel:)?[A-Za-z .-]{1,20}(;phone-context=[a-z.]+)?", fullmatch=True
    )
)
def test_a_text_without_digit_or_plus_is_no_phone_number(text):
    if nanp.no_number(text):
        with pytest.raises(phonenumbers.NumberParseException):
            phonenumbers.parse(text, "US")


def test_plain_wrong_length_reads_only_plain_digits():
    assert nanp.plain_wrong_length("463-02-6868")
    assert nanp.plain_wrong_length("463 02 6868")
    assert not nanp.plain_wrong_length("163-02-6868")  # leading 1s may be dropped
    assert not nanp.plain_wrong_length("111-5104-876705")  # 13 digits: 3 dropped, valid
    assert nanp.plain_wrong_length("063-02-6868")
    assert not nanp.plain_wrong_length("011-02-6868")  # an international prefix
    assert not nanp.plain_wrong_length("463-026-8681")  # ten digits
    assert not nanp.plain_wrong_length("463-02-6868 x12")  # an extension
    assert not nanp.plain_wrong_length("+463-02-6868")
    assert nanp.plain_wrong_length("05/12/2024")  # a date: eight digits
    assert nanp.no_number("Maria Garcia")
    assert not nanp.no_number("1-800-FLOWERS")
    assert not nanp.no_number("+CALL-NOW")
    assert not nanp.no_number("\u0662\u0661")  # Arabic-Indic digits are digits


def test_phone_rare_areas_walk_to_the_same_number():
    """Area codes whose valid set is small walk long: the 200-pass cap is the same too."""
    rng = random.Random(3)
    values = [
        f"({a}) {rng.randint(200, 999)}-{rng.randint(0, 9999):04d}"
        for a in (246, 268, 264, 284, 473, 649, 664, 658, 876, 767)
        for _ in range(40)
    ]
    _same(OldPhone(KEY), tokenizer_for("phone", KEY), values)


def test_nanp_table_is_phonenumbers_validity():
    rng = random.Random(4)
    texts = [
        f"{rng.randint(200, 999)}{rng.randint(0, 9_999_999):07d}" for _ in range(20_000)
    ]
    texts += [
        f"{a}{rng.randint(0, 9_999_999):07d}" for a in _CARIBBEAN for _ in range(300)
    ]
    digits = np.frombuffer("".join(texts).encode(), dtype=np.uint8).reshape(-1, 10) - 48
    fast = nanp.valid(digits).tolist()
    slow = [
        phonenumbers.is_valid_number(
            phonenumbers.PhoneNumber(country_code=1, national_number=int(t))
        )
        for t in texts
    ]
    assert fast == slow


# ---------------------------------------------------------------- e-mail addresses
def _emails(rng: random.Random, count: int) -> list[str | None]:
    chars = string.ascii_letters + string.digits + "._+-"
    out: list[str | None] = []
    for _ in range(count):
        local = "".join(
            rng.choice(chars)
            for _ in range(rng.choice([1, 3, 4, 5, 8, 12, 13, 20, 25, 30, 60]))
        )
        domain = rng.choice(
            [
                "example.com",
                "Bright.COM",
                "a.b.co.uk",
                "x.y",
                "nodot",
                "ab.c",
                "mail-1.example.org",
            ]
        )
        out.append(
            rng.choice(
                [
                    f"{local}@{domain}",
                    f" {local}@{domain} ",
                    f"{local}@@{domain}",
                    f"{local}",
                ]
            )
        )
    out += [
        None,
        "",
        "josé@example.com",
        "@example.com",
        "abcd@",
        "abcd@.",
        "a" * 5000 + "@x.com",
    ]
    return out


@pytest.mark.parametrize("keep_domain", [True, False])
def test_email_batch_equals_per_value(keep_domain):
    values = _emails(random.Random(5), 1500)
    _same(
        OldEmail(KEY, keep_domain),
        tokenizer_for("email", KEY, keep_domain=keep_domain),
        values,
        canonical=lambda v: v.strip().lower(),
    )


def test_is_valid_phone_equals_parse_and_is_valid_number():
    from outguard.pii.validators import is_valid_phone

    def slow(value):
        try:
            return phonenumbers.is_valid_number(phonenumbers.parse(value, "US"))
        except phonenumbers.NumberParseException:
            return False

    values = [v for v in _phones(random.Random(6), 4000) if v is not None]
    rng = random.Random(7)
    values += [  # SSNs, EINs, accounts and amounts, where phones are looked for too
        f"{rng.randint(0, 999):03d}{sep}{rng.randint(0, 99):02d}{sep}{rng.randint(0, 9999):04d}"
        for sep in ("-", " ", "", ".")
        for _ in range(300)
    ]
    values += [str(rng.randint(10**5, 10**13)) for _ in range(500)]
    assert [is_valid_phone(v) for v in values] == [slow(v) for v in values]


# ---------------------------------------------------------------- licences, passports, codes
class OldAlnum:
    def __init__(self, key, kind="alnum"):
        self._digits = _OldClassCipher(key, f"{kind}-d", string.digits)
        self._letters = _OldClassCipher(key, f"{kind}-l", string.ascii_lowercase)

    def _one(self, value, *, decrypt):
        if not value.isascii():
            raise DomainError("non-ASCII characters")
        upper = [c.isupper() for c in value]
        text = value.lower()
        dpos = self._digits.positions(text)
        lpos = self._letters.positions(text)
        done = False
        if len(dpos) >= self._digits.minlen:
            text = self._digits.apply(text, dpos, decrypt=decrypt)
            done = True
        if len(lpos) >= self._letters.minlen:
            text = self._letters.apply(text, lpos, decrypt=decrypt)
            done = True
        if not done:
            raise DomainError("too few digits or letters to tokenize")
        return "".join(c.upper() if u else c for c, u in zip(text, upper, strict=True))

    def tokenize(self, values):
        return _old_column(values, lambda v: self._one(v, decrypt=False))

    def detokenize(self, values):
        return _old_column(values, lambda v: self._one(v, decrypt=True))


@pytest.mark.parametrize("kind", ["dl", "passport", "alnum"])
def test_alnum_batch_equals_per_value(kind):
    rng = random.Random(len(kind))
    chars = string.ascii_letters + string.digits * 3 + "- ."
    values = [
        "".join(rng.choice(chars) for _ in range(rng.randint(1, 24)))
        for _ in range(2500)
    ]
    values += [
        None,
        "",
        " ",
        "D1234567",
        "N970-785-05-285-3",
        "ABCDE",
        "abcd",
        "12345",
        "é12345678",
    ]
    _same(OldAlnum(KEY, kind), tokenizer_for(kind, KEY), values)


def test_alnum_values_longer_than_ff1_takes_go_per_value():
    """Past MAX_LEN characters a value is only refused if one of its classes is too long."""
    pad = "-" * MAX_LEN
    values = [
        pad + "Ab12CdEfG",  # two digits kept, seven letters tokenized
        "xYzzy" + pad + "123456",  # both classes tokenized
        pad + "ab12",  # neither class large enough
        "7" * (MAX_LEN + 1),  # more digits than FF1 takes
    ]
    new = tokenizer_for("alnum", KEY)
    tokens = new.tokenize(values)
    assert tokens[2:] == [None, None]
    first = tokens[0]
    assert first is not None
    assert first.startswith(pad)
    assert first[-9:] != "Ab12CdEfG"
    assert [c.isupper() for c in first[-9:]] == [c.isupper() for c in "Ab12CdEfG"]
    assert first[-7:-5] == "12" and first[-9:-7].isalpha() and first[-5:].isalpha()
    assert tokens[1] is not None and tokens[1][5:-6] == pad
    _same(OldAlnum(KEY), new, values)


# ---------------------------------------------------------------- dates
def test_date_shift_reads_dates_as_strptime_did():
    from datetime import datetime

    from outguard.security import datetext
    from outguard.security.tokenize_text import _DATE_FORMATS

    rng = random.Random(12)
    values = []
    for _ in range(3000):
        y, m, d = rng.randint(1000, 9999), rng.randint(0, 13), rng.randint(0, 32)
        layout = rng.choice(
            [
                "{y}-{m}-{d}",
                "{m}/{d}/{y}",
                "{m:02d}-{d:02d}-{y}",
                "{d}.{m}.{y}",
                "{y}/{m}/{d}",
                "{y}{m:02d}{d:02d}",
                "{m}/{d}/{yy:02d}",
                " {y}-{m:02d}-{d:02d} ",
            ]
        )
        values.append(layout.format(y=y, m=m, d=d, yy=y % 100))
    for text in values:
        for fmt in _DATE_FORMATS:
            try:
                expected = datetime.strptime(text.strip(), fmt).date()  # noqa: DTZ007
            except ValueError:
                expected = None
            assert datetext.parse(text.strip(), fmt) == expected, (text, fmt)
    # DateShift changed only in how it reads a date: the same dates give the same tokens.
    assert (
        sum(t is not None for t in tokenizer_for("date", KEY).tokenize(values)) > 1000
    )


def test_phone_walk_that_never_reaches_a_valid_number_is_refused_as_per_value():
    """Montserrat, Anguilla, American Samoa: few valid numbers, so some walks hit the cap."""
    capped = ["(664) 349-0097", "(264) 583-0000", "(684) 274-0000"]
    assert all(
        phonenumbers.is_valid_number(phonenumbers.parse(v, "US")) for v in capped
    )
    new = tokenizer_for("phone", KEY)
    assert new.tokenize(capped) == [None, None, None]
    # In one column with numbers whose walks end, of the same layout and areas.
    values = [*capped, "(664) 491-2345", "(664) 491-2000", "(212) 555-0123"]
    tokens = new.tokenize(values)
    assert tokens[:3] == [None, None, None]
    assert all(t is not None for t in tokens[3:])
    _same(OldPhone(KEY), new, values)
