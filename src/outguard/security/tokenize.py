"""Format-preserving tokens on FF1: each kind of identifier becomes a valid-looking one.

Batch-first: a column in, a column out, `None` where a value cannot be tokenized in its
format (the caller redacts it instead: it never passes through in clear). Layout survives:
separators and their positions ("123-45-6789", "123 45 6789", "123456789") and leading
zeros. Only ASCII digits are tokenized; a value with other Unicode digits (Arabic-Indic,
full-width) is refused (None) rather than silently normalised, so the round trip is exact.

The FF1 tweak is `outguard/<kind>/v<FORMAT_VERSION>`: the same key gives unrelated tokens for
two kinds, and a format change gets a new version instead of silently changing tokens.
"""

# ruff: noqa: PLR2004 - identifier formats are defined by their lengths and ranges

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence

import numpy as np

from outguard.security.ff1 import FF1, MIN_DOMAIN, DomainError, min_length

FORMAT_VERSION = 1
_ZERO = ord("0")
MAX_CYCLE_WALK = 200  # a valid-set fraction of 0.89 (SSN) needs ~2 on average

Column = Sequence[str | None]
Tokens = list[str | None]


def tweak_for(kind: str) -> bytes:
    return f"outguard/{kind}/v{FORMAT_VERSION}".encode()


# ---------------------------------------------------------------- digit-layout batches
class _Group:
    """Rows of one length whose digits sit at the same positions: one numpy matrix."""

    def __init__(
        self, rows: np.ndarray, raw: np.ndarray, positions: np.ndarray
    ) -> None:
        self.rows = rows  # indexes into the column
        self.raw = raw  # (N, L) uint8: the ASCII bytes
        self.positions = positions  # indexes of the digit characters
        self.digits = (raw[:, positions] - _ZERO).astype(np.uint8)  # (N, n)


def by_length(values: Column) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Length -> (row indexes, (N, length) ASCII matrix); non-ASCII and empty rows left out."""
    count = len(values)
    try:
        joined = "".join(values)  # type: ignore[arg-type]
    except TypeError:  # a None somewhere: the general path below
        joined = None
    if joined is not None and joined.isascii() and count:
        lengths = np.fromiter(map(len, values), dtype=np.int64, count=count)  # type: ignore[arg-type]
        if bool((lengths == lengths[0]).all()) and lengths[0] > 0:
            raw = np.frombuffer(joined.encode("ascii"), dtype=np.uint8)
            return {
                int(lengths[0]): (np.arange(count), raw.reshape(count, int(lengths[0])))
            }
    by_len: dict[int, list[int]] = defaultdict(list)
    for i, v in enumerate(values):
        if v and v.isascii():
            by_len[len(v)].append(i)
    out = {}
    for length, rows in by_len.items():
        buf = "".join([values[i] for i in rows]).encode("ascii")  # type: ignore[misc]
        raw = np.frombuffer(buf, dtype=np.uint8).reshape(len(rows), length)
        out[length] = (np.array(rows, dtype=np.int64), raw)
    return out


def group_digit_layouts(
    values: Column, n_digits: Callable[[int], bool]
) -> list[_Group]:
    """Split a column by (length, digit positions); drop rows with no usable layout."""
    groups = []
    for rows, raw in by_length(values).values():
        is_digit = (raw >= _ZERO) & (raw <= _ZERO + 9)
        first = is_digit[0]
        if bool((is_digit == first).all()):
            layouts = {first.tobytes(): np.arange(len(rows))}
        else:
            keys = np.packbits(is_digit, axis=1)
            _, inverse = np.unique(keys, axis=0, return_inverse=True)
            inverse = inverse.reshape(-1)
            layouts = {}
            for k in range(int(inverse.max()) + 1):
                members = np.flatnonzero(inverse == k)
                layouts[is_digit[members[0]].tobytes()] = members
        for mask_bytes, idx in layouts.items():
            positions = np.flatnonzero(np.frombuffer(mask_bytes, dtype=bool))
            if n_digits(len(positions)):
                groups.append(_Group(rows[idx], raw[idx], positions))
    return groups


def render_digits(
    raw: np.ndarray, positions: np.ndarray, digits: np.ndarray
) -> list[str]:
    count, length = raw.shape
    out = np.empty((count, length + 1), dtype=np.uint8)
    out[:, :length] = raw
    out[:, positions] = digits + _ZERO
    out[:, length] = 10  # newline: one C-level split instead of a Python slicing loop
    return out.tobytes().decode("ascii").split("\n")[:count]


def _to_int(digits: np.ndarray, radix: int = 10) -> np.ndarray:
    """(N, k) numerals -> uint64 values (radix**k < 2**64)."""
    acc = np.zeros(digits.shape[0], dtype=np.uint64)
    r = np.uint64(radix)
    for k in range(digits.shape[1]):
        acc = acc * r + digits[:, k].astype(np.uint64)
    return acc


def _to_digits(values: np.ndarray, k: int, radix: int = 10) -> np.ndarray:
    out = np.empty((values.shape[0], k), dtype=np.uint8)
    x = values.copy()
    r = np.uint64(radix)
    for j in range(k - 1, -1, -1):
        out[:, j] = (x % r).astype(np.uint8)
        x //= r
    return out


class RadixCipher:
    """FF1 over the rows of an (N, n) numeral matrix, all at once (any radix up to 256).

    Row for row the same as `FF1.encrypt_numerals` with this kind's tweak: the halves go to
    the batched integer rounds while they fit 64 bits, row by row past that.
    """

    def __init__(self, key: bytes, kind: str, radix: int = 10) -> None:
        self.ff1 = FF1(key, radix)
        self.radix = radix
        self.tweak = tweak_for(kind)

    def apply(self, numerals: np.ndarray, *, decrypt: bool) -> np.ndarray:
        count, n = numerals.shape
        u = n // 2
        if count == 0:
            return numerals.copy()
        if self.radix ** (n - u) >= 2**64:
            fn = self.ff1.decrypt_numerals if decrypt else self.ff1.encrypt_numerals
            return np.array(
                [fn(row, self.tweak) for row in numerals.tolist()], dtype=np.uint8
            ).reshape(numerals.shape)
        a = _to_int(numerals[:, :u], self.radix)
        b = _to_int(numerals[:, u:], self.radix)
        fn2 = self.ff1.decrypt_ints if decrypt else self.ff1.encrypt_ints
        ra, rb = fn2(a, b, n, self.tweak)
        return np.concatenate(
            [
                _to_digits(np.asarray(ra).astype(np.uint64), u, self.radix),
                _to_digits(np.asarray(rb).astype(np.uint64), n - u, self.radix),
            ],
            axis=1,
        )


class _DigitCipher(RadixCipher):
    """FF1 radix 10 over the digit matrix columns chosen by a format (vectorised)."""

    def __init__(self, key: bytes, kind: str) -> None:
        super().__init__(key, kind, 10)


# ---------------------------------------------------------------- formats
def _ssn_valid(d: np.ndarray) -> np.ndarray:
    area = d[:, 0].astype(np.int32) * 100 + d[:, 1] * 10 + d[:, 2]
    group = d[:, 3].astype(np.int32) * 10 + d[:, 4]
    serial = d[:, 5].astype(np.int32) * 1000 + d[:, 6] * 100 + d[:, 7] * 10 + d[:, 8]
    ok: np.ndarray = (
        (area != 0) & (area != 666) & (area < 900) & (group != 0) & (serial != 0)
    )
    return ok


_LUHN_DOUBLE = np.array([0, 2, 4, 6, 8, 1, 3, 5, 7, 9], dtype=np.uint8)
_UNDOUBLE = np.argsort(_LUHN_DOUBLE).astype(np.uint8)  # digit whose doubled value is x


def luhn_sum(d: np.ndarray) -> np.ndarray:
    n = d.shape[1]
    total = np.zeros(d.shape[0], dtype=np.int32)
    for j in range(n):
        col = d[:, j]
        total += _LUHN_DOUBLE[col] if (n - 1 - j) % 2 == 1 else col
    return total % 10


_ABA_WEIGHTS = np.array([3, 7, 1, 3, 7, 1, 3, 7, 1], dtype=np.int32)


def _aba_valid(d: np.ndarray) -> np.ndarray:
    prefix = d[:, 0].astype(np.int32) * 10 + d[:, 1]
    plausible = (
        (prefix <= 12)
        | ((prefix >= 21) & (prefix <= 32))
        | ((prefix >= 61) & (prefix <= 72))
        | (prefix == 80)
    )
    ok: np.ndarray = ((d.astype(np.int32) @ _ABA_WEIGHTS) % 10 == 0) & plausible
    return ok


class DigitFormat:
    """A digit identifier: which digits are kept, which are encrypted, how validity is fixed.

    `lengths` accepts a digit count; `valid` says which inputs the format accepts (and
    cycle-walking keeps outputs there); `keep_first`/`keep_last` digits pass through; `fix`
    recomputes a check digit at `fix_at` (an index from the end) after encryption.
    """

    def __init__(
        self,
        kind: str,
        key: bytes,
        *,
        lengths: Callable[[int], bool],
        valid: Callable[[np.ndarray], np.ndarray] | None = None,
        keep_first: int = 0,
        keep_last: int = 0,
        check: str | None = None,  # "luhn" | "aba": recompute after encryption
        walk_valid: bool = False,
    ) -> None:
        self.kind = kind
        self._cipher = _DigitCipher(key, kind)
        self._lengths = lengths
        self._valid = valid
        self._keep_first = keep_first
        self._keep_last = keep_last
        self._check = check
        self._walk = walk_valid

    def __repr__(self) -> str:
        return f"DigitFormat({self.kind!r}, key=<redacted>)"

    def _plan(self, n: int) -> tuple[int, int, bool, bool]:
        """Which digits of an n-digit value are encrypted, and how validity is kept.

        Returns (start, stop, fix, walk): the encrypted digits, whether a check digit is
        recomputed after, and whether outputs cycle-walk into the valid set.

        A card whose free digits leave room computes its Luhn digit (one FF1 pass); one kept
        so tightly that only 6 digits remain encrypts all 6 and cycle-walks until the whole
        number passes Luhn (about ten passes, still a bijection on Luhn-valid numbers).
        """
        minimum = min_length(10)
        if self._check == "aba":
            return self._keep_first, n - 1, True, False
        stop = n - self._keep_last
        if self._check == "luhn":
            if stop - 1 - self._keep_first >= minimum:
                return self._keep_first, stop - 1, True, False
            return self._keep_first, stop, False, True
        return self._keep_first, stop, False, self._walk

    def _run(self, values: Column, *, decrypt: bool) -> Tokens:
        out = np.full(len(values), None, dtype=object)
        groups = group_digit_layouts(values, self._lengths)
        for group in groups:
            d = group.digits
            start, stop, fix, walk = self._plan(d.shape[1])
            if stop - start < min_length(10):
                continue  # below the 10^6 minimum domain: refused for this layout
            ok = (
                self._valid(d)
                if self._valid is not None
                else np.ones(d.shape[0], dtype=bool)
            )
            idx = np.flatnonzero(ok)
            if idx.size == 0:
                continue
            d = d[idx].copy()
            middle = d[:, start:stop]
            if walk:
                d[:, start:stop] = self._walk_subset(
                    middle, d, start, stop, decrypt=decrypt
                )
            else:
                d[:, start:stop] = self._cipher.apply(middle, decrypt=decrypt)
            if fix:
                self._fix(d)
            out[group.rows[idx]] = render_digits(group.raw[idx], group.positions, d)
        return out.tolist()

    def _walk_subset(
        self, middle: np.ndarray, d: np.ndarray, start: int, stop: int, *, decrypt: bool
    ) -> np.ndarray:
        check = self._valid or (lambda x: np.ones(x.shape[0], dtype=bool))

        def valid(m: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
            probe = (d if rows is None else d[rows]).copy()
            probe[:, start:stop] = m
            return check(probe)

        out = self._cipher.apply(middle, decrypt=decrypt)
        todo = np.flatnonzero(~valid(out))
        for _ in range(MAX_CYCLE_WALK):
            if todo.size == 0:
                return out
            out[todo] = self._cipher.apply(out[todo], decrypt=decrypt)
            todo = todo[~valid(out[todo], todo)]
        msg = "cycle-walking did not reach a valid value"  # pragma: no cover
        raise DomainError(msg)  # pragma: no cover

    def _fix(self, d: np.ndarray) -> None:
        if self._check == "luhn":
            at = d.shape[1] - self._keep_last - 1
            d[:, at] = 0
            need = ((10 - luhn_sum(d)) % 10).astype(np.uint8)
            doubled = (d.shape[1] - 1 - at) % 2 == 1
            d[:, at] = _UNDOUBLE[need] if doubled else need
        else:  # aba: the 3-7-1 check digit
            d[:, 8] = 0
            d[:, 8] = (10 - (d.astype(np.int32) @ _ABA_WEIGHTS) % 10) % 10

    def tokenize(self, values: Column) -> Tokens:
        return self._run(values, decrypt=False)

    def detokenize(self, tokens: Column) -> Tokens:
        return self._run(tokens, decrypt=True)


def ssn(key: bytes) -> DigitFormat:
    """9 digits -> a valid-looking SSN (area not 000/666/9xx, group and serial not zero)."""
    return DigitFormat(
        "ssn",
        key,
        lengths=lambda n: n == 9,
        valid=_ssn_valid,
        walk_valid=True,
    )


def card(key: bytes, *, keep_first: int = 1, keep_last: int = 4) -> DigitFormat:
    """12-19 digits, Luhn-valid in and out; the first (BIN) and last digits kept.

    A length that leaves fewer than 6 digits between the kept ones is refused for that
    length (its values come back None); a setting that leaves none for any card length is an
    error at once.
    """
    if 19 - keep_first - keep_last < min_length(10) or keep_first < 0 or keep_last < 0:
        msg = (
            f"keeping {keep_first} first and {keep_last} last digits of a card leaves fewer "
            f"than {min_length(10)} digits to encrypt (FF1 needs a domain of {MIN_DOMAIN:,})"
        )
        raise DomainError(msg)
    return DigitFormat(
        "card",
        key,
        lengths=lambda n: 12 <= n <= 19,
        valid=lambda d: luhn_sum(d) == 0,
        keep_first=keep_first,
        keep_last=keep_last,
        check="luhn",
    )


def aba(key: bytes) -> DigitFormat:
    """ABA routing: the Fed prefix (2 digits) kept, 6 encrypted, the 3-7-1 check recomputed."""
    return DigitFormat(
        "aba",
        key,
        lengths=lambda n: n == 9,
        valid=_aba_valid,
        keep_first=2,
        check="aba",
    )


def digits(
    key: bytes, kind: str = "digits", *, min_digits: int = 6, max_digits: int = 34
) -> DigitFormat:
    """Any run of digits (bank accounts, member ids): every digit encrypted, layout kept."""
    return DigitFormat(
        kind, key, lengths=lambda n: max(min_digits, 6) <= n <= max_digits
    )


def ein(key: bytes) -> DigitFormat:
    """EIN: the 2-digit IRS prefix kept, 7 digits encrypted."""
    return DigitFormat("ein", key, lengths=lambda n: n == 9, keep_first=2)
