"""Tokens for identifiers that are not plain digit runs.

Phone, e-mail, date, alphanumeric codes (licences, passports), IBAN, IP address, ITIN. Same
contract as `tokenize`: a column in, a column out, None where the value cannot be tokenized in
its format; exact round trips.
"""

# ruff: noqa: PLR2004 - identifier formats are defined by their lengths and ranges

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
import string
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta

import numpy as np
import phonenumbers

from outguard.security import datetext, nanp
from outguard.security.ff1 import FF1, MAX_LEN, DomainError, min_length
from outguard.security.tokenize import (
    MAX_CYCLE_WALK,
    Column,
    RadixCipher,
    Tokens,
    by_length,
    group_digit_layouts,
    render_digits,
    tweak_for,
)

_DIGITS = string.digits
_LOWER = string.ascii_lowercase
_ALNUM36 = _DIGITS + _LOWER


def _rows_text(raw: np.ndarray) -> list[str]:
    """(N, L) ASCII matrix -> its N strings."""
    count, length = raw.shape
    joined = raw.tobytes().decode("ascii")
    return [joined[k : k + length] for k in range(0, count * length, length)]


class _ClassCipher:
    """FF1 over the characters of one class (digits / letters / alnum), layout kept."""

    def __init__(self, key: bytes, kind: str, alphabet: str) -> None:
        self._ff1 = FF1(key, len(alphabet))
        self._alphabet = alphabet
        self._index = {c: i for i, c in enumerate(alphabet)}
        self._tweak = tweak_for(kind)
        self.minlen = min_length(len(alphabet))
        self._rows = RadixCipher(key, kind, len(alphabet))
        # ASCII byte -> numeral; 255 marks a character outside the class
        self._lut = np.full(256, 255, dtype=np.uint8)
        self._lut[np.frombuffer(alphabet.encode("ascii"), dtype=np.uint8)] = np.arange(
            len(alphabet), dtype=np.uint8
        )
        self._chars = np.frombuffer(alphabet.encode("ascii"), dtype=np.uint8)

    def apply_many(self, texts: Sequence[str], *, decrypt: bool) -> list[str | None]:
        """`apply` on each ASCII text over all its class characters, batched by their count.

        None where a text has fewer than `minlen` (or more than FF1's MAX_LEN) of them.
        """
        out: list[str | None] = [None] * len(texts)
        # numeral count -> [(row indexes, raw matrix, class mask)] across text lengths
        buckets: dict[int, list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = (
            defaultdict(list)
        )
        for rows, raw in by_length(texts).values():
            mask = self._lut[raw] != 255
            counts = mask.sum(axis=1)
            for n in np.unique(counts).tolist():
                if self.minlen <= n <= MAX_LEN:
                    sel = np.flatnonzero(counts == n)
                    buckets[n].append((rows[sel], raw[sel], mask[sel]))
        for n, parts in buckets.items():
            numerals = np.concatenate(
                [self._lut[raw[mask]].reshape(-1, n) for _, raw, mask in parts]
            )
            result = self._chars[self._rows.apply(numerals, decrypt=decrypt)]
            at = 0
            for rows, raw, mask in parts:
                done = raw.copy()
                done[mask] = result[at : at + len(rows)].ravel()
                at += len(rows)
                for r, text in zip(rows.tolist(), _rows_text(done), strict=True):
                    out[r] = text
        return out

    def positions(self, text: str) -> list[int]:
        return [i for i, c in enumerate(text) if c in self._index]

    def apply(self, text: str, positions: Sequence[int], *, decrypt: bool) -> str:
        numerals = [self._index[text[i]] for i in positions]
        fn = self._ff1.decrypt_numerals if decrypt else self._ff1.encrypt_numerals
        result = fn(numerals, self._tweak)
        chars = list(text)
        for i, x in zip(positions, result, strict=True):
            chars[i] = self._alphabet[x]
        return "".join(chars)


def _column(values: Column, fn: object) -> Tokens:
    out: Tokens = []
    for v in values:
        if v is None or not v.strip():
            out.append(None)
            continue
        try:
            out.append(fn(v))  # type: ignore[operator]
        except (DomainError, ValueError, phonenumbers.NumberParseException):
            out.append(None)
    return out


_NSN = nanp.NSN_DIGITS
_MIN_TOKEN_DIGITS = 9  # three kept and six encrypted (FF1's minimum domain)


def _short_national(value: str) -> bool:
    """Whether `parse(value, "US")` cannot give a national number of nine digits or more.

    Fewer than nine leave no six digits to encrypt after the area code.
    """
    bound = nanp.national_digits_bound(value)
    return bound is not None and bound < _MIN_TOKEN_DIGITS


# A US number in a usual layout with an extension: "(602) 714-8449 x832".
_US_EXTENSION = re.compile(rf"(?:{nanp.US_LAYOUT.pattern}) x([0-9]{{1,5}})")


def _not_nanp_digits(value: str) -> bool:
    """Whether `value` is bare ASCII digits that `parse(value, "US")` cannot make valid.

    Without '+' or a leading 0 (an international prefix) bare digits are a NANP number:
    valid only as 10 digits, or 11 with the country code 1 in front.
    """
    return (
        value.isascii()
        and value.isdigit()
        and value[0] != "0"
        and len(value) != 10
        and not (len(value) == 11 and value[0] == "1")
    )


class Phone:
    """Phone numbers that stay valid for their region.

    The country code and the first three national digits (area code) are kept; the rest is
    encrypted, cycle-walking until `phonenumbers` calls the number valid. US numbers in the
    usual layouts go through as a batch (FF1 on the digit matrix, validity from `nanp`);
    anything else takes the per-value path.
    """

    def __init__(self, key: bytes, *, region: str = "US", keep: int = 3) -> None:
        self._cipher = _ClassCipher(key, "phone", _DIGITS)
        self._digits = RadixCipher(key, "phone")  # the same FF1 and tweak, on a matrix
        self._region = region
        self._keep = keep
        self._batch = region == "US" and keep == 3 and nanp.available()

    def __repr__(self) -> str:
        return "Phone(key=<redacted>)"

    def _one(self, value: str, *, decrypt: bool) -> str:
        if not value.isascii():
            raise DomainError("non-ASCII digits")
        parsed = phonenumbers.parse(value, self._region)
        if not phonenumbers.is_valid_number(parsed):
            raise DomainError("not a valid phone number")
        national = str(parsed.national_number)
        digit_pos = self._cipher.positions(value)
        # The national number's digits are the last len(national) digits of the text.
        tail = digit_pos[len(digit_pos) - len(national) :]
        secret = tail[self._keep :]
        if len(secret) < self._cipher.minlen:
            raise DomainError("too few digits to encrypt")
        text = value
        for _ in range(MAX_CYCLE_WALK):
            text = self._cipher.apply(text, secret, decrypt=decrypt)
            candidate = phonenumbers.parse(text, self._region)
            if phonenumbers.is_valid_number(candidate):
                return text
        raise DomainError(
            "cycle-walking did not reach a valid number"
        )  # pragma: no cover

    def _many(self, values: Column, *, decrypt: bool) -> Tokens:
        out: Tokens = [None] * len(values)
        # extension digits (0: none) -> (rows, values) of the NANP-shaped values
        fast: dict[int, tuple[list[int], list[str]]] = defaultdict(lambda: ([], []))
        for i, v in enumerate(values):
            if v is None or not v.strip():
                continue
            if self._batch and nanp.US_LAYOUT.fullmatch(v) is not None:
                fast[0][0].append(i)
                fast[0][1].append(v)
                continue
            extended = _US_EXTENSION.fullmatch(v) if self._batch else None
            if extended is not None:
                fast[len(extended.group(1))][0].append(i)
                fast[len(extended.group(1))][1].append(v)
                continue
            if self._batch and (
                _short_national(v) or _not_nanp_digits(v) or nanp.plain_wrong_length(v)
            ):
                continue  # an amount, a date, an SSN, a code or card: never a token
            try:
                out[i] = self._one(v, decrypt=decrypt)
            except (DomainError, ValueError, phonenumbers.NumberParseException):
                out[i] = None
        for ext, (where, shaped) in fast.items():
            self._walk(shaped, where, out, decrypt=decrypt, ext=ext)
        return out

    def _walk(
        self,
        values: list[str],
        where: list[int],
        out: Tokens,
        *,
        decrypt: bool,
        ext: int = 0,
    ) -> None:
        """The per-value cycle walk, for all NANP-shaped values at once.

        As per value: the encrypted digits are the text's last seven (`_one` takes the last
        ten as the national number's and keeps three), so with an extension of `ext` digits
        they reach into it; validity is the national number's, the ten digits before it.
        """
        secret_digits = _NSN - self._keep
        for group in group_digit_layouts(
            values, lambda n: n in {_NSN + ext, _NSN + 1 + ext}
        ):
            n = group.digits.shape[1]
            national = slice(n - ext - _NSN, n - ext)
            rows = np.flatnonzero(
                nanp.valid(group.digits[:, national])
            )  # invalid: refused
            digits = group.digits[rows].copy()
            secret = digits[:, n - secret_digits :].copy()
            todo = np.arange(rows.size)
            for _ in range(MAX_CYCLE_WALK):
                if todo.size == 0:
                    break
                secret[todo] = self._digits.apply(secret[todo], decrypt=decrypt)
                digits[todo, n - secret_digits :] = secret[todo]
                todo = todo[~nanp.valid(digits[todo][:, national])]
            ok = np.ones(rows.size, dtype=bool)
            ok[todo] = False  # 200 passes without a valid number: refused, as per value
            texts = render_digits(group.raw[rows], group.positions, digits)
            for r, text, good in zip(
                group.rows[rows].tolist(), texts, ok.tolist(), strict=True
            ):
                if good:
                    out[where[r]] = text

    def tokenize(self, values: Column) -> Tokens:
        return self._many(values, decrypt=False)

    def detokenize(self, tokens: Column) -> Tokens:
        return self._many(tokens, decrypt=True)


class Email:
    """E-mail addresses: the local part tokenized, the domain kept or tokenized.

    Letters and digits are tokenized lower-cased (addresses are case-insensitive); with
    `keep_domain=False` the labels before the TLD are tokenized too.
    """

    def __init__(self, key: bytes, *, keep_domain: bool = True) -> None:
        self._local = _ClassCipher(key, "email-local", _ALNUM36)
        self._domain = _ClassCipher(key, "email-domain", _ALNUM36)
        self._keep_domain = keep_domain

    def __repr__(self) -> str:
        return "Email(key=<redacted>)"

    def _many(self, values: Column, *, decrypt: bool) -> Tokens:
        """The local parts (and domains) of a column through FF1 as batches.

        None unless the value is ASCII with one '@' and a dot in the domain, and the local
        part (and the domain labels, when tokenized) have as many letters and digits as FF1
        takes. Value for value the per-value algorithm it replaced (a frozen copy of it is
        in tests/unit/security/test_token_equivalence.py).
        """
        where: list[int] = []
        locals_: list[str] = []
        domains: list[str] = []
        for i, v in enumerate(values):
            if v is None or not v.strip():
                continue
            text = v.strip()
            if text.count("@") != 1 or not text.isascii():
                continue
            local, domain = text.lower().split("@")
            if "." not in domain:
                continue
            where.append(i)
            locals_.append(local)
            domains.append(domain)
        out: Tokens = [None] * len(values)
        new_locals = self._local.apply_many(locals_, decrypt=decrypt)
        new_domains: list[str | None] = list(domains)
        if not self._keep_domain:
            split = [d.rsplit(".", 1) for d in domains]
            bodies = self._domain.apply_many([b for b, _ in split], decrypt=decrypt)
            new_domains = [
                None if body is None else f"{body}.{tld}"
                for body, (_, tld) in zip(bodies, split, strict=True)
            ]
        for i, new_local, new_domain in zip(
            where, new_locals, new_domains, strict=True
        ):
            if new_local is not None and new_domain is not None:
                out[i] = f"{new_local}@{new_domain}"
        return out

    def tokenize(self, values: Column) -> Tokens:
        return self._many(values, decrypt=False)

    def detokenize(self, tokens: Column) -> Tokens:
        return self._many(tokens, decrypt=True)


class Alnum:
    """Licence, passport and account codes, letters and digits each kept in their class.

    So 'D1234567' stays a letter and seven digits; case is kept; a class too small for FF1's
    minimum domain is kept as is (and a value with no class large enough is refused).
    """

    def __init__(self, key: bytes, kind: str = "alnum") -> None:
        self._digits = _ClassCipher(key, f"{kind}-d", _DIGITS)
        self._letters = _ClassCipher(key, f"{kind}-l", _LOWER)

    def __repr__(self) -> str:
        return "Alnum(key=<redacted>)"

    def _one(self, value: str, *, decrypt: bool) -> str:
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

    def _many(self, values: Column, *, decrypt: bool) -> Tokens:
        """`_one` for a column: each class through FF1 as batches (`apply_many`)."""
        out: Tokens = [None] * len(values)
        rows: list[int] = []
        for i, v in enumerate(values):
            if v is None or not v.strip() or not v.isascii():
                continue
            if len(v) > MAX_LEN:  # FF1 refuses it; `_one` says so
                out[i] = _column([v], lambda x: self._one(x, decrypt=decrypt))[0]
                continue
            rows.append(i)
        originals = [values[i] or "" for i in rows]
        lowered = [v.lower() for v in originals]
        by_digits = self._digits.apply_many(lowered, decrypt=decrypt)
        middle = [
            d if d is not None else t for d, t in zip(by_digits, lowered, strict=True)
        ]
        by_letters = self._letters.apply_many(middle, decrypt=decrypt)
        for i, value, d, text, letters in zip(
            rows, originals, by_digits, middle, by_letters, strict=True
        ):
            if d is None and letters is None:
                continue  # too few digits or letters to tokenize
            done = letters if letters is not None else text
            if value != value.lower():
                done = "".join(
                    c.upper() if o.isupper() else c
                    for c, o in zip(done, value, strict=True)
                )
            out[i] = done
        return out

    def tokenize(self, values: Column) -> Tokens:
        return self._many(values, decrypt=False)

    def detokenize(self, tokens: Column) -> Tokens:
        return self._many(tokens, decrypt=True)


def _iban_check(country: str, bban: str) -> str:
    rearranged = bban + country + "00"
    number = int("".join(str(int(c, 36)) for c in rearranged))
    return f"{98 - number % 97:02d}"


class Iban:
    """IBANs of the same country, with valid mod-97 check digits.

    The country is kept and the BBAN's digits and letters are tokenized per class.
    """

    def __init__(self, key: bytes) -> None:
        self._alnum = Alnum(key, "iban")

    def __repr__(self) -> str:
        return "Iban(key=<redacted>)"

    def _one(self, value: str, *, decrypt: bool) -> str:
        compact = value.replace(" ", "").upper()
        if len(compact) < 15 or not compact.isalnum() or not compact[:2].isalpha():
            raise DomainError("not an IBAN")
        country, bban = compact[:2], compact[4:]
        if not decrypt and _iban_check(country, bban) != compact[2:4]:
            raise DomainError("IBAN check digits do not match")
        new_bban = self._alnum._one(bban, decrypt=decrypt)  # noqa: SLF001 - same module family
        new = country + _iban_check(country, new_bban) + new_bban
        if " " in value:  # keep the printed grouping of four
            return " ".join(new[i : i + 4] for i in range(0, len(new), 4))
        return new

    def tokenize(self, values: Column) -> Tokens:
        return _column(values, lambda v: self._one(v, decrypt=False))

    def detokenize(self, tokens: Column) -> Tokens:
        return _column(tokens, lambda v: self._one(v, decrypt=True))


class Itin:
    """ITINs (9XX-GG-XXXX): the leading 9 and the group GG kept, six digits encrypted."""

    def __init__(self, key: bytes) -> None:
        self._cipher = _ClassCipher(key, "itin", _DIGITS)

    def __repr__(self) -> str:
        return "Itin(key=<redacted>)"

    def _one(self, value: str, *, decrypt: bool) -> str:
        if not value.isascii():
            raise DomainError("non-ASCII digits")
        pos = self._cipher.positions(value)
        if len(pos) != 9 or value[pos[0]] != "9":
            raise DomainError("not an ITIN")
        secret = [pos[1], pos[2], *pos[5:]]
        return self._cipher.apply(value, secret, decrypt=decrypt)

    def tokenize(self, values: Column) -> Tokens:
        return _column(values, lambda v: self._one(v, decrypt=False))

    def detokenize(self, tokens: Column) -> Tokens:
        return _column(tokens, lambda v: self._one(v, decrypt=True))


class IpAddress:
    """IPv4 and IPv6 addresses as FF1 over their bits (radix 2), same version out."""

    def __init__(self, key: bytes) -> None:
        self._ff1 = FF1(key, 2)
        self._tweak = tweak_for("ip")

    def __repr__(self) -> str:
        return "IpAddress(key=<redacted>)"

    def _one(self, value: str, *, decrypt: bool) -> str:
        ip = ipaddress.ip_address(value.strip())
        width = 32 if ip.version == 4 else 128
        bits = [int(b) for b in format(int(ip), f"0{width}b")]
        fn = self._ff1.decrypt_numerals if decrypt else self._ff1.encrypt_numerals
        number = int("".join(map(str, fn(bits, self._tweak))), 2)
        return str(
            ipaddress.ip_address(number)
            if ip.version == 4
            else ipaddress.IPv6Address(number)
        )

    def tokenize(self, values: Column) -> Tokens:
        return _column(values, lambda v: self._one(v, decrypt=False))

    def detokenize(self, tokens: Column) -> Tokens:
        return _column(tokens, lambda v: self._one(v, decrypt=True))


# Two-digit years are not accepted: the century pivot would break exact round trips.
_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m-%d-%Y", "%d.%m.%Y", "%Y/%m/%d", "%Y%m%d")
_EPOCH = date(1900, 1, 1)
# Years stay four digits: a date is in the domain when its window meets 1100..9800, and
# the test is on the window, which both directions keep, so every token reverses.
_FIRST_DAY = (date(1100, 1, 1) - _EPOCH).days
_LAST_DAY = (date(9800, 12, 31) - _EPOCH).days


class DateShift:
    """A keyed permutation of the days inside consecutive windows of `window` days.

    Each window's permutation orders its days by HMAC-SHA256(key, window, day) (a PRF-sorted
    shuffle), so a date moves by less than `window` days, equal dates stay equal, distinct
    dates stay distinct, and the owner reverses it exactly. The format of the input is kept.
    """

    def __init__(self, key: bytes, *, window: int = 180) -> None:
        if not 2 <= window <= 3650:
            msg = "a date window is 2..3650 days"
            raise ValueError(msg)
        self._key = hashlib.sha256(key + tweak_for("date")).digest()
        self._window = window
        self._perms: dict[int, tuple[list[int], list[int]]] = {}

    def __repr__(self) -> str:
        return f"DateShift(window={self._window}, key=<redacted>)"

    def _perm(self, block: int) -> tuple[list[int], list[int]]:
        if block not in self._perms:
            order = sorted(
                range(self._window),
                key=lambda j: hmac.new(
                    self._key, f"{block}:{j}".encode(), hashlib.sha256
                ).digest(),
            )
            inverse = [0] * self._window
            for new, old in enumerate(order):
                inverse[old] = new
            self._perms[block] = (inverse, order)  # forward: old -> new; backward
        return self._perms[block]

    def _one(self, value: str, *, decrypt: bool) -> str:
        text = value.strip()
        for fmt in _DATE_FORMATS:
            day = datetext.parse(
                text, fmt
            )  # as strptime reads it, without its overhead
            if day is None:
                continue
            offset = (day - _EPOCH).days
            block, within = divmod(offset, self._window)
            start = block * self._window
            if start + self._window - 1 < _FIRST_DAY or start > _LAST_DAY:
                raise DomainError("dates before 1100 or after 9800 are not tokenized")
            forward, backward = self._perm(block)
            moved = backward[within] if decrypt else forward[within]
            return (_EPOCH + timedelta(days=block * self._window + moved)).strftime(fmt)
        raise DomainError("not a date in a known format")

    def tokenize(self, values: Column) -> Tokens:
        return _column(values, lambda v: self._one(v, decrypt=False))

    def detokenize(self, tokens: Column) -> Tokens:
        return _column(tokens, lambda v: self._one(v, decrypt=True))
