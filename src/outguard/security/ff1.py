"""FF1 format-preserving encryption (NIST SP 800-38G, Rev. 1 draft constraints), batch-first.

FF3/FF3-1 are withdrawn in the current draft revision and are not offered. The round
function's PRF is AES-CBC-MAC over P || Q; P is constant for a given (radix, length, tweak),
and so is every block of Q but the last (it carries the round number and NUM(B)), so a batch
of equal-length values needs **one AES-ECB call per Feistel round for the whole batch**: the
CBC state after the constant blocks is computed once, and the last blocks of every value are
encrypted together. Values whose halves fit in 64 bits (radix^v < 2^64, d = 8, e.g. up to 18
decimal digits) take the numpy path; longer ones take an exact Python-integer path built on
the same AES calls.

Domain: radix in 2..65536 (alphabets up to 256 symbols in the string API), radix^minlen >=
1,000,000 (SP 800-38G Rev. 1), length at most 2^32 numerals in principle; values longer than
`MAX_LEN` are refused to bound the work.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

MIN_DOMAIN = 1_000_000
MAX_LEN = 4096
ROUNDS = 10
_BLOCK = 16


class DomainError(ValueError):
    """The value cannot be encrypted in this domain (too short, too long, bad numeral)."""


def min_length(radix: int) -> int:
    """The shortest length whose domain radix^len reaches 10^6."""
    return math.ceil(math.log(MIN_DOMAIN) / math.log(radix) - 1e-12)


@dataclass(frozen=True)
class _Params:
    n: int
    u: int
    v: int
    b: int
    d: int


class FF1:
    """FF1 with one AES key (16, 24 or 32 bytes) and one radix. Never prints its key."""

    def __init__(self, key: bytes, radix: int) -> None:
        if len(key) not in {16, 24, 32}:
            msg = f"an FF1 key is 16, 24 or 32 bytes (AES), got {len(key)}"
            raise ValueError(msg)
        if not 2 <= radix <= 2**16:  # noqa: PLR2004
            msg = f"FF1 radix must be 2..65536, got {radix}"
            raise ValueError(msg)
        self._ecb = Cipher(algorithms.AES(key), modes.ECB())  # noqa: S305 - the PRF's block calls
        self.radix = radix
        self.minlen = max(2, min_length(radix))
        self._state_cache: dict[tuple[int, bytes], tuple[_Params, bytes, bytes]] = {}

    def __repr__(self) -> str:
        return f"FF1(radix={self.radix}, key=<redacted>)"

    # ------------------------------------------------------------ shared per (length, tweak)
    def _aes(self, data: bytes) -> bytes:
        enc = self._ecb.encryptor()
        return enc.update(data) + enc.finalize()

    def _setup(self, n: int, tweak: bytes) -> tuple[_Params, bytes, bytes]:
        """Params, the CBC-MAC state after all constant blocks, and the last block's prefix."""
        cached = self._state_cache.get((n, tweak))
        if cached is not None:
            return cached
        if n < self.minlen:
            msg = (
                f"a {n}-numeral value in radix {self.radix} has {self.radix**n:,} possible "
                f"values; FF1 needs at least {MIN_DOMAIN:,} (length >= {self.minlen})"
            )
            raise DomainError(msg)
        if n > MAX_LEN:
            msg = f"values longer than {MAX_LEN} numerals are not supported"
            raise DomainError(msg)
        u = n // 2
        v = n - u
        # ceil(ceil(v * log2(radix)) / 8), in exact integer arithmetic
        b = math.ceil((self.radix**v - 1).bit_length() / 8)
        d = 4 * math.ceil(b / 4) + 4
        t = len(tweak)
        p = (
            bytes([1, 2, 1])
            + self.radix.to_bytes(3, "big")
            + bytes([10, u % 256])
            + n.to_bytes(4, "big")
            + t.to_bytes(4, "big")
        )
        pad = (-t - b - 1) % _BLOCK
        q_const = tweak + b"\x00" * pad  # then [i] || NUM(B) as b bytes
        # Constant blocks: P, then every full block of q_const before the varying tail.
        varying = b + 1
        q_len = t + pad + 1 + b
        const_full = (q_len - varying) // _BLOCK * _BLOCK
        y = self._aes(p)
        for j in range(0, const_full, _BLOCK):
            y = self._aes(
                bytes(a ^ c for a, c in zip(y, q_const[j : j + _BLOCK], strict=True))
            )
        prefix = q_const[const_full:]
        result = (_Params(n, u, v, b, d), y, prefix)
        self._state_cache[(n, tweak)] = result
        return result

    # ------------------------------------------------------------ integer interface
    def encrypt_ints(
        self, a: np.ndarray, b: np.ndarray, n: int, tweak: bytes
    ) -> tuple[np.ndarray, np.ndarray]:
        return self._rounds(a, b, n, tweak, decrypt=False)

    def decrypt_ints(
        self, a: np.ndarray, b: np.ndarray, n: int, tweak: bytes
    ) -> tuple[np.ndarray, np.ndarray]:
        return self._rounds(a, b, n, tweak, decrypt=True)

    def _rounds(
        self, a: np.ndarray, b: np.ndarray, n: int, tweak: bytes, *, decrypt: bool
    ) -> tuple[np.ndarray, np.ndarray]:
        params, state, prefix = self._setup(n, tweak)
        fast = self.radix**params.v < 2**63 and params.d == 8  # noqa: PLR2004
        if not fast:
            return self._rounds_exact(a, b, params, state, prefix, decrypt=decrypt)
        a = a.astype(np.uint64, copy=True)
        b = b.astype(np.uint64, copy=True)
        mod_u = np.uint64(self.radix**params.u)
        mod_v = np.uint64(self.radix**params.v)
        order = range(ROUNDS - 1, -1, -1) if decrypt else range(ROUNDS)
        for i in order:
            m = mod_u if i % 2 == 0 else mod_v
            y = self._prf_fast(b if not decrypt else a, i, params, state, prefix) % m
            if decrypt:
                c = (b + (m - y)) % m
                b, a = a, c
            else:
                c = (a + y) % m
                a, b = b, c
        return a, b

    def _prf_fast(
        self, x: np.ndarray, i: int, params: _Params, state: bytes, prefix: bytes
    ) -> np.ndarray:
        """First 8 bytes of R = CBC-MAC(P || Q) as uint64, for every x: one AES call.

        The last Q block, XORed with the CBC state, is built as two big-endian 64-bit words:
        the high word is the same for every value; the low one carries [i] and NUM(x).
        """
        block = int.from_bytes(
            prefix + bytes([i]) + bytes(params.b), "big"
        ) ^ int.from_bytes(state, "big")
        hi, lo = block >> 64, block & (2**64 - 1)
        count = x.shape[0]
        words = np.empty((count, 2), dtype=">u8")
        words[:, 0] = hi
        # NUM(x) occupies the low b bytes, which are zero in `block` before the XOR with the
        # state: XOR-ing x in is the same as placing it there.
        np.bitwise_xor(x, np.uint64(lo), out=words[:, 1], casting="unsafe")
        out = bytearray(count * _BLOCK + _BLOCK - 1)
        enc = self._ecb.encryptor()
        enc.update_into(words.tobytes(), out)
        r = np.frombuffer(out, dtype=">u8", count=count * 2).reshape(count, 2)
        return r[:, 0].astype(np.uint64)

    def _rounds_exact(
        self,
        a_in: np.ndarray,
        b_in: np.ndarray,
        params: _Params,
        state: bytes,
        prefix: bytes,
        *,
        decrypt: bool,
    ) -> tuple[np.ndarray, np.ndarray]:
        a = [int(x) for x in a_in]
        b = [int(x) for x in b_in]
        mod_u = self.radix**params.u
        mod_v = self.radix**params.v
        order = range(ROUNDS - 1, -1, -1) if decrypt else range(ROUNDS)
        for i in order:
            m = mod_u if i % 2 == 0 else mod_v
            ys = self._prf_exact(a if decrypt else b, i, params, state, prefix)
            if decrypt:
                c = [(bb - y) % m for bb, y in zip(b, ys, strict=True)]
                b, a = a, c
            else:
                c = [(aa + y) % m for aa, y in zip(a, ys, strict=True)]
                a, b = b, c
        return np.array(a, dtype=object), np.array(b, dtype=object)

    def _prf_exact(
        self, xs: Sequence[int], i: int, params: _Params, state: bytes, prefix: bytes
    ) -> list[int]:
        tails = [prefix + bytes([i]) + x.to_bytes(params.b, "big") for x in xs]
        # The varying tail may span several blocks when b >= 16: chain them, batched.
        ys = [state] * len(xs)
        for j in range(0, len(tails[0]) if tails else 0, _BLOCK):
            mixed = b"".join(
                bytes(p ^ q for p, q in zip(y, t[j : j + _BLOCK], strict=True))
                for y, t in zip(ys, tails, strict=True)
            )
            out = self._aes(mixed)
            ys = [out[k * _BLOCK : (k + 1) * _BLOCK] for k in range(len(xs))]
        extra = math.ceil(params.d / _BLOCK) - 1
        results = []
        for r in ys:
            s = r
            if extra:
                counters = b"".join(
                    bytes(
                        p ^ q for p, q in zip(r, j.to_bytes(_BLOCK, "big"), strict=True)
                    )
                    for j in range(1, extra + 1)
                )
                s = r + self._aes(counters)
            results.append(int.from_bytes(s[: params.d], "big"))
        return results

    # ------------------------------------------------------------ numeral strings
    def encrypt_numerals(
        self, numerals: Sequence[int], tweak: bytes = b""
    ) -> list[int]:
        return self._numerals(numerals, tweak, decrypt=False)

    def decrypt_numerals(
        self, numerals: Sequence[int], tweak: bytes = b""
    ) -> list[int]:
        return self._numerals(numerals, tweak, decrypt=True)

    def _numerals(
        self, numerals: Sequence[int], tweak: bytes, *, decrypt: bool
    ) -> list[int]:
        n = len(numerals)
        if any(not 0 <= x < self.radix for x in numerals):
            msg = f"a numeral is outside radix {self.radix}"
            raise DomainError(msg)
        params, _, _ = self._setup(n, tweak)
        a = _num(numerals[: params.u], self.radix)
        b = _num(numerals[params.u :], self.radix)
        big = self.radix**params.v >= 2**63
        dtype: type = object if big else np.uint64
        fa, fb = self._rounds(
            np.array([a], dtype=dtype),
            np.array([b], dtype=dtype),
            n,
            tweak,
            decrypt=decrypt,
        )
        return _str(int(fa[0]), self.radix, params.u) + _str(
            int(fb[0]), self.radix, params.v
        )


def _num(numerals: Sequence[int], radix: int) -> int:
    x = 0
    for digit in numerals:
        x = x * radix + int(digit)
    return x


def _str(x: int, radix: int, m: int) -> list[int]:
    out = [0] * m
    for k in range(m - 1, -1, -1):
        x, out[k] = divmod(x, radix)
    return out


class FF1Text:
    """FF1 over an alphabet: strings in, strings out (scalar convenience over `FF1`)."""

    def __init__(self, key: bytes, alphabet: str) -> None:
        if len(set(alphabet)) != len(alphabet) or len(alphabet) < 2:  # noqa: PLR2004
            msg = "an alphabet needs at least 2 distinct symbols"
            raise ValueError(msg)
        self.alphabet = alphabet
        self._index = {c: i for i, c in enumerate(alphabet)}
        self._ff1 = FF1(key, len(alphabet))

    def __repr__(self) -> str:
        return f"FF1Text(radix={len(self.alphabet)}, key=<redacted>)"

    def _to(self, text: str) -> list[int]:
        try:
            return [self._index[c] for c in text]
        except KeyError:
            msg = "the value has a symbol outside the alphabet"
            raise DomainError(msg) from None

    def encrypt(self, text: str, tweak: bytes = b"") -> str:
        return "".join(
            self.alphabet[x] for x in self._ff1.encrypt_numerals(self._to(text), tweak)
        )

    def decrypt(self, text: str, tweak: bytes = b"") -> str:
        return "".join(
            self.alphabet[x] for x in self._ff1.decrypt_numerals(self._to(text), tweak)
        )
