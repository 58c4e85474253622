"""Canonical event encoding, an RFC 6962 / RFC 9162 Merkle tree, reading the events.

Pure code. Leaf = SHA-256(0x00 ‖ data), node = SHA-256(0x01 ‖ left ‖ right), empty
tree = SHA-256(""); hand-written: the permissive Python packages are not RFC-compatible.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from itertools import repeat
from typing import Final

HASH_SIZE: Final = 32
EMPTY_ROOT: Final = hashlib.sha256(b"").digest()

# -------------------------------------------------------------- canonical encoding

# Version first, so a future field or encoding change cannot collide with v1 leaves.
CANONICAL_PREFIX: Final = b"outguard.audit.event/v1\n"
EVENT_FIELDS: Final = tuple(
    "seq at actor_kind actor_id actor_display org_id request_id ip user_agent tag"  # noqa: SIM905
    " subject_type subject_id details".split()
)
_FIELD_SET: Final = frozenset(EVENT_FIELDS)
_UUID_FIELDS: Final = ("actor_id", "org_id")
_TEXT_FIELDS: Final = tuple(set(EVENT_FIELDS) - {*_UUID_FIELDS, "seq", "at", "details"})
_AT_TEXT: Final = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")
_UUID_TEXT: Final = re.compile(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}")
# Sorted keys and fixed separators make the bytes a function of the values alone,
# whatever order the engine returns JSON keys in (jsonb reorders them).
_json_escape: Final = json.encoder.encode_basestring  # C-accelerated where available


def _json_str(value: object) -> str:
    return "null" if value is None else _json_escape(value)  # type: ignore[arg-type]  # TypeError if not str


_ENCODER: Final = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)


def format_at(at: datetime | str) -> str:
    """`at` as ISO-8601 UTC with microseconds; naive values are UTC (SQLite drops tz)."""
    if isinstance(at, str):
        if not _AT_TEXT.fullmatch(at):
            raise ValueError("event time is not canonical ISO-8601 UTC")
        return at
    if at.tzinfo is not None:
        at = at.astimezone(UTC).replace(tzinfo=None)
    return at.isoformat(timespec="microseconds") + "Z"  # 3x faster than strftime


def _uuid_text(value: object) -> str | None:
    """One spelling for ids: text must already be canonical (as exported), not parsed."""
    if value is None or isinstance(value, uuid.UUID):
        return None if value is None else str(value)
    if isinstance(value, str) and _UUID_TEXT.fullmatch(value):
        return value
    raise ValueError("event id fields must be UUIDs in canonical form")


def canonical_event(event: Mapping[str, object]) -> bytes:
    """The bytes hashed as the event's leaf; `ValueError`/`TypeError` if malformed.

    Canonical JSON (sorted keys, no whitespace, UTF-8) is unambiguous, unlike joined
    strings, and stable across engines once times and UUIDs are normalised. Exactly
    `EVENT_FIELDS` are accepted: an unhashed column would be an unprotected one.
    """
    if event.keys() != _FIELD_SET:
        missing = sorted(_FIELD_SET - event.keys())
        extra = sorted(event.keys() - _FIELD_SET)
        raise ValueError(f"event fields: missing {missing}, unknown {extra}")
    seq = event["seq"]
    if type(seq) is not int or seq < 1:
        raise ValueError("event seq must be a positive integer")
    at = event["at"]
    if not isinstance(at, datetime | str) or not isinstance(event["details"], Mapping):
        raise TypeError("event time must be a datetime or text, details a mapping")
    # Hand-assembled in sorted-key order with the same C string escaper json uses: the
    # bytes equal `_ENCODER.encode(doc)` (a test holds them equal) at several times the speed.
    try:
        text = _assemble(event, seq, at)
    except TypeError:  # the C escaper refuses non-strings: say which rule was broken
        raise TypeError("event text fields must be strings or None") from None
    return CANONICAL_PREFIX + text.encode("utf-8")


def _assemble(event: Mapping[str, object], seq: int, at: datetime | str) -> str:
    return "".join(
        (
            '{"actor_display":',
            _json_str(event["actor_display"]),
            ',"actor_id":',
            _json_str(_uuid_text(event["actor_id"])),
            ',"actor_kind":',
            _json_str(event["actor_kind"]),
            ',"at":"',
            format_at(at),
            '","details":',
            _ENCODER.encode(event["details"]) if event["details"] else "{}",
            ',"ip":',
            _json_str(event["ip"]),
            ',"org_id":',
            _json_str(_uuid_text(event["org_id"])),
            ',"request_id":',
            _json_str(event["request_id"]),
            ',"seq":',
            str(seq),
            ',"subject_id":',
            _json_str(event["subject_id"]),
            ',"subject_type":',
            _json_str(event["subject_type"]),
            ',"tag":',
            _json_str(event["tag"]),
            ',"user_agent":',
            _json_str(event["user_agent"]),
            "}",
        )
    )


def canonical_event_reference(event: Mapping[str, object]) -> bytes:
    """The plain-json definition of the encoding, kept for tests and the standalone verifier."""
    canonical_event(event)  # same validation
    doc = dict(event)
    doc["at"] = format_at(event["at"])  # type: ignore[arg-type]
    for name in _UUID_FIELDS:
        doc[name] = _uuid_text(doc[name])
    return CANONICAL_PREFIX + _ENCODER.encode(doc).encode("utf-8")


def event_leaf_hash(event: Mapping[str, object]) -> bytes:
    return leaf_hash(canonical_event(event))


# -------------------------------------------------------------------- hashing

_sha256 = hashlib.sha256


def leaf_hash(data: bytes) -> bytes:
    return _sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return _sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two strictly below `n` (n > 1): RFC 9162's `k`."""
    return 1 << ((n - 1).bit_length() - 1)


def root(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH(D[n]) level by level; carrying an odd last node up equals RFC's split."""
    level = list(leaf_hashes)
    if not level:
        return EMPTY_ROOT
    while len(level) > 1:
        odd = level[-1] if len(level) & 1 else None
        level = [
            _sha256(b"\x01" + level[i] + level[i + 1]).digest()
            for i in range(0, len(level) - 1, 2)
        ]
        if odd is not None:
            level.append(odd)
    return level[0]


_digest = type(_sha256()).digest


def _perfect_root(level: Sequence[bytes]) -> bytes:
    """Root over 2^k leaf hashes, a level at a time: each node one 3-piece join and a hash."""
    while len(level) > 1:
        pairs = zip(repeat(b"\x01"), level[::2], level[1::2], strict=False)
        level = list(map(_digest, map(_sha256, map(b"".join, pairs))))
    return level[0]


class Frontier:
    """Compact range: perfect-subtree roots, largest first. O(log n) memory and root."""

    __slots__ = ("_size", "_stack")

    def __init__(self) -> None:
        self._size = 0
        self._stack: list[bytes] = []

    @property
    def size(self) -> int:
        return self._size

    def append(self, leaf: bytes) -> None:
        stack, n, h = self._stack, self._size, leaf
        while n & 1:  # each trailing 1 bit is a perfect subtree that now has a twin
            h = _sha256(b"\x01" + stack.pop() + h).digest()
            n >>= 1
        stack.append(h)
        self._size += 1

    def extend(self, leaves: Sequence[bytes]) -> None:
        """`append` for each leaf, as whole perfect subtrees built level by level."""
        if set(map(len, leaves)) - {HASH_SIZE}:
            raise ValueError("leaf hashes are 32 bytes")
        done, count = 0, len(leaves)
        while done < count:
            size = self._size
            # the largest subtree that both starts aligned at `size` and fits
            height = (count - done).bit_length() - 1
            if size:
                height = min(height, (size & -size).bit_length() - 1)
            width = 1 << height
            self._push(_perfect_root(leaves[done : done + width]), height)
            done += width

    def _push(self, h: bytes, height: int) -> None:
        """Add the root of 2^height leaves; `size` is a multiple of 2^height."""
        stack, n = self._stack, self._size >> height
        while n & 1:
            h = _sha256(b"\x01" + stack.pop() + h).digest()
            n >>= 1
        stack.append(h)
        self._size += 1 << height

    def to_bytes(self) -> bytes:
        """Size (8 bytes, big-endian) then the subtree roots: persisted with the log head."""
        return self._size.to_bytes(8, "big") + b"".join(self._stack)

    @classmethod
    def from_bytes(cls, data: bytes | None) -> Frontier:
        frontier = cls()
        if not data:
            return frontier
        size = int.from_bytes(data[:8], "big")
        body = data[8:]
        if len(body) != HASH_SIZE * size.bit_count():
            raise ValueError("the stored Merkle frontier is malformed")
        frontier._size = size
        frontier._stack = [
            body[i : i + HASH_SIZE] for i in range(0, len(body), HASH_SIZE)
        ]
        return frontier

    def graft(self, other: Frontier) -> Frontier:
        """A new frontier: these leaves, then those `other` was built from (from leaf 0).

        `size` must be a multiple of the power of two at or above `other.size` (where a
        verifier's worker began its chunk): `other`'s subtrees are then whole here too.
        """
        span = 1 << max(other.size - 1, 0).bit_length()
        if self._size % span:
            raise ValueError("a frontier grafts only where its subtrees align")
        out = Frontier()
        out._size, out._stack = self._size, list(self._stack)
        heights = [
            h for h in reversed(range(other.size.bit_length())) if other.size >> h & 1
        ]
        for h, height in zip(other._stack, heights, strict=True):
            out._push(h, height)
        return out

    def root(self) -> bytes:
        result = self._stack[-1] if self._stack else EMPTY_ROOT
        for h in reversed(self._stack[:-1]):
            result = _sha256(b"\x01" + h + result).digest()
        return result


class MerkleTree:
    """Every perfect subtree hash, memoised, so a proof costs O(log² n) lookups.

    Level k packs the aligned 2^k-leaf subtree hashes (64 MB for 10^6 leaves, not 150).
    """

    __slots__ = ("_levels",)

    def __init__(self, leaf_hashes: Iterable[bytes] = ()) -> None:
        self._levels: list[bytearray] = [bytearray()]
        self.extend(leaf_hashes)

    @property
    def size(self) -> int:
        return len(self._levels[0]) // HASH_SIZE

    def append(self, leaf: bytes) -> None:
        self.extend((leaf,))

    def extend(self, leaf_hashes: Iterable[bytes]) -> None:
        hashes = list(leaf_hashes)
        if any(len(h) != HASH_SIZE for h in hashes):
            raise ValueError("leaf hashes are 32 bytes")
        levels, sha, width = self._levels, _sha256, 2 * HASH_SIZE
        levels[0] += b"".join(hashes)
        k = 0
        while len(levels[k]) >= width:
            if k + 1 == len(levels):
                levels.append(bytearray())
            src, done = levels[k], len(levels[k + 1]) * 2
            # left ‖ right are adjacent in the packed level: one slice per node
            levels[k + 1] += b"".join(
                sha(b"\x01" + src[j : j + width]).digest()
                for j in range(done, len(src) - width + 1, width)
            )
            k += 1

    def _range_hash(self, lo: int, hi: int) -> bytes:
        """MTH(D[lo:hi]) for an RFC subtree (lo is aligned to a power ≥ hi - lo)."""
        parts: list[bytes] = []
        while lo < hi:
            height = (hi - lo).bit_length() - 1  # lo is aligned to 2^height
            at = (lo >> height) * HASH_SIZE
            parts.append(bytes(self._levels[height][at : at + HASH_SIZE]))
            lo += 1 << height
        result = parts.pop()
        while parts:
            result = node_hash(parts.pop(), result)
        return result

    def root(self, size: int | None = None) -> bytes:
        size = self.size if size is None else size
        if not 0 <= size <= self.size:
            raise ValueError("tree size out of range")
        return self._range_hash(0, size) if size else EMPTY_ROOT

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        """RFC 9162 §2.1.3.1 PATH(index, D[size]), walked top-down then reversed."""
        if not 0 <= index < size <= self.size:
            raise ValueError("leaf index or tree size out of range")
        path: list[bytes] = []
        lo, hi = 0, size
        while hi - lo > 1:
            k = _split(hi - lo)
            if index < lo + k:
                path.append(self._range_hash(lo + k, hi))
                hi = lo + k
            else:
                path.append(self._range_hash(lo, lo + k))
                lo += k
        path.reverse()
        return path

    def consistency_proof(self, old_size: int, new_size: int) -> list[bytes]:
        """RFC 9162 §2.1.4.1 PROOF(m, D[n]); empty when m is 0 or m == n."""
        if not 0 <= old_size <= new_size <= self.size:
            raise ValueError("tree sizes out of range")
        if old_size in {0, new_size}:
            return []
        path: list[bytes] = []
        m, lo, hi, complete = old_size, 0, new_size, True
        while m != hi - lo:
            k = _split(hi - lo)
            if m <= k:
                path.append(self._range_hash(lo + k, hi))
                hi = lo + k
            else:
                path.append(self._range_hash(lo, lo + k))
                m, lo, complete = m - k, lo + k, False
        if not complete:  # the old tree is not a left edge here: the verifier needs it
            path.append(self._range_hash(lo, hi))
        path.reverse()
        return path


def inclusion_proof(index: int, size: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """One-shot proof; build a `MerkleTree` once when proving many leaves."""
    return MerkleTree(leaf_hashes[:size]).inclusion_proof(index, size)


def consistency_proof(m: int, n: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    return MerkleTree(leaf_hashes[:n]).consistency_proof(m, n)


# ------------------------------------------------------------------ verification


def _well_formed(proof: Sequence[bytes]) -> bool:  # decoded JSON may hold a str
    return all(type(p) is bytes and len(p) == HASH_SIZE for p in proof)


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root_hash: bytes
) -> bool:
    """RFC 9162 §2.1.3.2. Never raises: any malformed input is simply not a proof."""
    if not (0 <= index < size and len(leaf) == HASH_SIZE and _well_formed(proof)):
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:  # more proof than tree
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while fn and not fn & 1:  # right edge: climb to where we are a right child
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and hmac.compare_digest(r, root_hash)


def verify_consistency(
    m: int, n: int, root_m: bytes, root_n: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162 §2.1.4.2. Never raises. m == n needs an empty proof, equal roots.

    m == 0 < n is rejected: such a "proof" proves nothing; a caller making one errs.
    """
    if not 0 <= m <= n:
        return False
    if m == n:
        return (
            not proof
            and hmac.compare_digest(root_m, root_n)
            and (m > 0 or hmac.compare_digest(root_m, EMPTY_ROOT))
        )
    if m == 0 or not proof or not _well_formed(proof):
        return False
    path = list(proof)
    if m & (m - 1) == 0:  # old tree is a perfect left subtree: its root starts the path
        path.insert(0, root_m)
    fn, sn = m - 1, n - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return (
        sn == 0 and hmac.compare_digest(fr, root_m) and hmac.compare_digest(sr, root_n)
    )


# ------------------------------------------------------- reading the event chain


class Problem(StrEnum):
    EDITED = "edited"
    DELETED = "deleted"
    INSERTED = "inserted"
    REORDERED = "reordered"
    MALFORMED = "malformed"
    BAD_CHECKPOINT = "bad_checkpoint"


@dataclass(frozen=True)
class Finding:
    problem: Problem
    seq: int | None  # the first bad sequence number; None if a checkpoint is bad
    detail: str
    last_seq: int | None = None  # when only the range seq..last_seq is known
    checkpoint: int | None = None  # index into the checkpoints given


Row = tuple[int, dict[str, object], bytes, bytes]  # seq, fields, leaf, stored leaf


def read_event(event: Mapping[str, object], prev: int) -> Finding | Row:
    """The event's seq, fields and leaf hash, or what is wrong with its place or shape."""
    seq = event.get("seq")
    if type(seq) is not int or seq < 1:
        return Finding(Problem.MALFORMED, prev + 1, f"no valid seq after {prev}")
    if seq <= prev:  # 1..prev were contiguous: this is an extra row
        return Finding(Problem.INSERTED, seq, f"seq {seq} appears again after {prev}")
    if seq > prev + 1:
        detail = f"seq {prev + 1} to {seq - 1} are missing"
        return Finding(Problem.DELETED, prev + 1, detail, seq - 1)
    fields = {k: v for k, v in event.items() if k != "leaf_hash"}
    stored = event.get("leaf_hash") or b""  # the hash stored with the row, if any
    try:
        leaf = event_leaf_hash(fields)
    except (TypeError, ValueError) as exc:
        return Finding(Problem.MALFORMED, seq, f"seq {seq}: {exc}")
    if type(stored) is not bytes:
        return Finding(Problem.MALFORMED, seq, f"seq {seq}: bad stored hash")
    return seq, fields, leaf, stored


def classify(rows: list[Row]) -> Finding:
    """Name the first event whose stored leaf hash disagrees, and guess how."""
    # The seq is hashed, so a row moved to another seq still matches the hash
    # recorded there, whether the stored hash moved with the row or stayed.
    by_seq = {row[0]: row for row in rows}
    first = rows[0]
    seq = first[0]

    def holds(row: Row, target: int) -> bool:  # row holds the event recorded at target
        moved = event_leaf_hash({**row[1], "seq": target})
        return moved in {row[3], by_seq[target][3] if target in by_seq else b""}

    for other, row in by_seq.items():
        if other != seq and holds(first, other) and holds(row, seq):
            detail = f"seq {seq} and {other} were swapped"
            return Finding(Problem.REORDERED, seq, detail, other)
    if holds(first, seq + 1):
        detail = f"seq {seq} was deleted; later events moved down"
        return Finding(Problem.DELETED, seq, detail)
    up = seq > 1 and holds(first, seq - 1)
    if up or (seq + 1 in by_seq and holds(by_seq[seq + 1], seq)):
        new = seq - 1 if up else seq
        return Finding(Problem.INSERTED, new, f"seq {new} was inserted; later moved up")
    return Finding(Problem.EDITED, seq, f"seq {seq} differs from its stored hash")
