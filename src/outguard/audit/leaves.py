"""Leaf hashes of stored events in bulk: the verifier's fast path. Pure code.

`chain.read_event` validates one mapping at a time, which costs ~12 µs an event. Here the
rows arrive as plain tuples, as the database returns them, and a batch is encoded a column
at a time: orjson writes the ids, times, seqs and flat details of 5,000 events in one call
each, text that needs no escaping is used as it is, and each event's bytes are one join of
those pieces. A column with anything unusual in it is encoded the exact way (`chain`'s own
escaper and JSON encoder), and a batch the column path is not sure of goes row by row, each
row by one f-string. Whenever the fast paths are not sure a row is well-formed and in place,
they hand back None and the caller reads the batch through `chain.read_event`, so every path
agrees on every byte and every finding (property tests hold them equal).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from itertools import chain, repeat
from operator import attrgetter
from typing import Any, Final, TypeAlias

import orjson

from outguard.audit.chain import (
    _ENCODER,
    _UUID_TEXT,
    CANONICAL_PREFIX,
    EVENT_FIELDS,
    event_leaf_hash,
    format_at,
)

# A stored row: the `EVENT_FIELDS` columns in order, then the stored leaf hash.
ROW_FIELDS: Final = (*EVENT_FIELDS, "leaf_hash")

# The leaf's 0x00 and the version line go into the same f-string as the event.
_PREFIX: Final = (b"\x00" + CANONICAL_PREFIX).decode("ascii")
_esc: Final = json.encoder.encode_basestring  # what `chain` escapes with: same bytes
_sha256: Final = hashlib.sha256
_digest: Final = type(_sha256()).digest
_UUID: Final = uuid.UUID
# A log has few actors and organisations: their spelling is worth remembering.
_UUID_JSON: dict[int, str] = {}
_UUID_JSON_MAX: Final = 4096

# -------------------------------------------------------------- a column at a time

# orjson escapes every code point as `_esc` does and sorts keys by code point (a test holds
# both); its floats, UUIDs, enums and non-UTC times are not `chain`'s, so only exact types
# reach it: subclasses, dataclasses and dates make it raise.
_DETAILS_OPT: Final = (
    orjson.OPT_SORT_KEYS
    | orjson.OPT_PASSTHROUGH_SUBCLASS
    | orjson.OPT_PASSTHROUGH_DATACLASS
    | orjson.OPT_PASSTHROUGH_DATETIME
)
_AT_OPT: Final = orjson.OPT_UTC_Z | orjson.OPT_NAIVE_UTC
_dumps: Final = orjson.dumps
_NONE: Final = type(None)
_SCALARS: Final = frozenset({str, int, bool, _NONE})
_IDS: Final = frozenset({_UUID, _NONE})
_TEXTS: Final = frozenset({str, _NONE})
_UTC_ZONES: Final = frozenset({None, UTC})
_AT_LEN: Final = len('"2026-01-01T00:00:00.000000Z",')
_values: Final = dict.values
_tzinfo: Final = attrgetter("tzinfo")
# The bytes of the escape-free ASCII text a value may hold between quotes as it is.
_TO_ESCAPE: Final = bytes(range(0x20)) + b'"\\'
# Canonical order (sorted keys) of the stored row's columns.
_ORDER: Final = tuple(ROW_FIELDS.index(name) for name in sorted(EVENT_FIELDS))
_TEXT_FIELDS: Final = frozenset(
    ROW_FIELDS.index(name)
    for name in EVENT_FIELDS
    if name not in {"seq", "at", "actor_id", "org_id", "details"}
)

# A column's pieces, and what goes just before and after each piece in the event.
_Column: TypeAlias = tuple[Sequence[str], str, str]


def _seq_column(column: tuple[Any, ...], prev: int) -> _Column | None:
    if {*map(type, column)} != {int} or column != tuple(
        range(prev + 1, prev + 1 + len(column))
    ):
        return None
    return _dumps(column).decode()[1:-1].split(","), "", ""


def _at_column(column: tuple[Any, ...]) -> _Column:
    """ISO-8601 UTC with microseconds; orjson's when it writes exactly that for all."""
    if {*map(type, column)} == {datetime} and {*map(_tzinfo, column)} <= _UTC_ZONES:
        blob = _dumps(column, option=_AT_OPT)
        # orjson leaves out a zero microsecond: then the column is not all 27 long
        if len(blob) == _AT_LEN * len(column) + 1 and blob.count(b"Z") == len(column):
            return blob.decode()[2:-2].split('","'), '"', '"'
    return [_at_text(at) for at in column], '"', '"'


def _at_text(at: object) -> str:
    if not isinstance(at, datetime | str):
        raise TypeError("event time must be a datetime or text")  # as chain says
    return format_at(at)


def _id_column(column: tuple[Any, ...]) -> _Column | None:
    if not {*map(type, column)} <= _IDS:
        return None  # ids as text: the row path (canonical text is checked there)
    return _dumps(column).decode()[1:-1].split(","), "", ""


def _text_column(column: tuple[Any, ...], joined: str | None) -> _Column | None:
    """Text needing no escaping is its own piece; else each distinct value escaped once."""
    if joined is not None:
        if joined.isascii():
            ascii_text = joined.encode()
            if len(ascii_text.translate(None, _TO_ESCAPE)) == len(ascii_text):
                return column, '"', '"'
        elif len(_esc(joined)) == len(joined) + 2:
            return column, '"', '"'
    if not {*map(type, column)} <= _TEXTS:
        return None
    spelled = {value: _esc(value) for value in set(column) - {None}}
    spelled[None] = "null"
    return [spelled[value] for value in column], "", ""


def _details_column(
    column: tuple[Any, ...], encode: Callable[[object, int], Sequence[str]]
) -> _Column:
    """Flat details (text, ints, booleans, nulls) by orjson; anything else as `chain` does."""
    n = len(column)
    if {*map(type, column)} == {dict} and {
        *map(type, chain.from_iterable(map(_values, column)))
    } <= _SCALARS:
        try:
            text = _dumps(column, option=_DETAILS_OPT).decode()
        except orjson.JSONEncodeError:  # a key that is not text, an int beyond 64 bits
            pass
        else:
            # with exactly n-1 "},{" in it, each one is between two events' details
            if text.count("},{") == n - 1:
                return text[2:-2].split("},{"), "{", "}"
    return [_details_text(d, encode) for d in column], "", ""


def _details_text(
    details: object, encode: Callable[[object, int], Sequence[str]]
) -> str:
    if not isinstance(details, Mapping):  # as chain refuses it: an empty list is no {}
        raise TypeError("event details must be a mapping")
    return "".join(encode(details, 0)) if details else "{}"


def _column_leaves(
    rows: Sequence[Sequence[Any]], prev: int, *, stored: bool = False
) -> list[bytes] | None:
    """The leaves of a batch encoded a column at a time; None if the rows should go one by one.

    `stored`: the rows hold the columns as stored (`stored_leaves`), not typed values.
    """
    try:
        columns = list(zip(*rows, strict=True))
    except (TypeError, ValueError):
        return None
    if len(columns) != len(ROW_FIELDS):
        return None
    seq = _seq_column(columns[0], prev)
    if seq is None:
        return None
    if stored:
        pieces: dict[int, _Column | None] = {
            0: seq,
            1: _stored_at_column(columns[1]),
            3: _stored_id_column(columns[3]),
            5: _stored_id_column(columns[5]),
            12: _stored_details_column(columns[12]),
        }
    else:
        pieces = {
            0: seq,
            1: _at_column(columns[1]),
            3: _id_column(columns[3]),
            5: _id_column(columns[5]),
            12: _details_column(columns[12], _details_encoder()),
        }
    joined: dict[int, str | None] = {}
    for i in _TEXT_FIELDS:
        try:
            joined[i] = "".join(columns[i])  # also: every value is text
        except TypeError:
            joined[i] = None
    for i in _TEXT_FIELDS:
        pieces[i] = _text_column(columns[i], joined[i])
    parts: list[Any] = []
    before = _PREFIX + "{"
    for name, i in zip(sorted(EVENT_FIELDS), _ORDER, strict=True):
        column = pieces[i]
        if column is None:
            return None
        values, opening, closing = column
        parts += (repeat(f'{before}"{name}":{opening}'), values)
        before = closing + ","
    parts.append(repeat(before[:-1] + "}"))
    texts = map(str.encode, map("".join, zip(*parts, strict=False)))
    return list(map(_digest, map(_sha256, texts)))


# ------------------------------------------------------------ columns as stored

# How `AuditRepository.stored_event_rows_in_order` spells a time: UTC, always microseconds.
# A column is checked in one pass: every ASCII digit made 0, it must be this, n times over.
_STORED_AT: Final = b"0000-00-00 00:00:00.000000\n"
_ZERO_DIGITS: Final = bytes.maketrans(b"123456789", b"000000000")
_HEX32: Final = re.compile(r"[0-9a-f]{32}")


def _stored_at_column(column: tuple[Any, ...]) -> _Column | None:
    """'2026-01-01 09:30:00.000000' (as SQLite stores it) is '2026-01-01T09:30:00.000000Z'."""
    try:
        joined = "\n".join(column) + "\n"
    except TypeError:
        return None
    if joined.encode().translate(_ZERO_DIGITS) != _STORED_AT * len(column):
        return None
    return joined[:-1].replace(" ", "T").split("\n"), '"', 'Z"'


def _stored_id_column(column: tuple[Any, ...]) -> _Column | None:
    """Ids as 32 hex digits (SQLite) or in canonical text (PostgreSQL); nothing else."""
    spelled: dict[object, str] = {}
    for value in set(column):
        if value is None:
            spelled[value] = "null"
        elif type(value) is not str:
            return None
        elif len(value) == 32 and _HEX32.fullmatch(value):  # noqa: PLR2004
            spelled[value] = (
                f'"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"'
            )
        elif _UUID_TEXT.fullmatch(value):
            spelled[value] = f'"{value}"'
        else:
            return None
    return list(map(spelled.__getitem__, column)), "", ""


def _stored_details_column(column: tuple[Any, ...]) -> _Column | None:
    """The stored JSON text as it is: a leaf matches only if it is the canonical text.

    Not parsed: every piece after it is a strict JSON spelling with a fixed key, and the
    key `"ip"` cannot occur again outside a string in those pieces, so text that matches
    a leaf ends exactly where the canonical details did. Equal text, equal details.
    """
    if {*map(type, column)} != {str}:
        return None
    return column, "", ""


def typed_row(row: Sequence[Any]) -> tuple[Any, ...]:
    """A stored row read as the application reads it (SQLAlchemy's types, `UTCDateTime`).

    A value that does not read (a time that is not one, JSON that is not JSON) is left as
    stored, so `chain.read_event` calls the event malformed instead of the read failing.
    """
    if len(row) != len(ROW_FIELDS):
        return tuple(row)
    values = list(row)
    for i, read in _READERS:
        value = values[i]
        if value is not None:
            with contextlib.suppress(TypeError, ValueError, RecursionError):
                values[i] = read(value)
    return tuple(values)


def _read_at(value: str) -> datetime:
    at = datetime.fromisoformat(value)
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


_READERS: Final = (
    (ROW_FIELDS.index("at"), _read_at),
    (ROW_FIELDS.index("actor_id"), _UUID),
    (ROW_FIELDS.index("org_id"), _UUID),
    (ROW_FIELDS.index("details"), json.loads),
)


def stored_leaves(rows: Sequence[Sequence[Any]], prev: int) -> list[bytes] | None:
    """`batch_leaves` for rows as the database stores them (no typed values).

    None unless every row is in place, in the exact stored spelling, and its text is the
    one hashed when it was appended; the caller then reads the batch the typed way.
    """
    if not rows:
        return []
    try:
        leaves = _column_leaves(rows, prev, stored=True)
    except (TypeError, ValueError):
        return None
    if leaves is None or leaves != [row[-1] for row in rows]:
        return None
    return leaves


def batch_leaves(rows: Sequence[Sequence[Any]], prev: int) -> list[bytes] | None:
    """The leaf hashes of `rows`, or None unless every row is in place and intact.

    In place: the seqs are prev+1, prev+2, ... Intact: well-formed, and the recomputed
    leaf equals the stored one. None sends the caller to `chain.read_event`, row by row,
    which names what is wrong.
    """
    try:
        leaves = _column_leaves(rows, prev)
    except (TypeError, ValueError, RecursionError):  # the row path will say which
        leaves = None
    if leaves is None:
        return _row_leaves(rows, prev)
    if leaves != [row[-1] for row in rows]:
        return None
    return leaves


# ---------------------------------------------------------------- a row at a time


def _refuse(value: object) -> object:
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _details_encoder() -> Callable[[object, int], Sequence[str]]:
    """The C encoder that `chain`'s JSONEncoder.encode runs, minus its Python wrapper.

    Same settings (sorted keys, compact separators, the same escaper, no NaN); a fresh
    one per batch, as its circular-reference markers are not cleaned up after an error.
    """
    make = json.encoder.c_make_encoder  # type: ignore[attr-defined]
    if make is None:  # a Python without _json: the same encoder, through its wrapper
        return lambda details, _: (_ENCODER.encode(details),)
    return make({}, _refuse, _esc, None, ":", ",", True, False, False)  # type: ignore[no-any-return]  # noqa: FBT003


def _uuid_json(value: uuid.UUID) -> str:
    text = _esc(str(value))
    if len(_UUID_JSON) >= _UUID_JSON_MAX:
        _UUID_JSON.clear()
    _UUID_JSON[value.int] = text
    return text


def _slow_leaf(row: Sequence[object]) -> bytes | None:
    """`chain.event_leaf_hash`, exact and validating; None if the row is malformed."""
    try:
        return event_leaf_hash(dict(zip(EVENT_FIELDS, row[:-1], strict=True)))
    except (TypeError, ValueError):
        return None


def _row_leaves(rows: Sequence[Sequence[Any]], prev: int) -> list[bytes] | None:
    """`batch_leaves` one row at a time: for the batches `_column_leaves` passes on."""
    out: list[bytes] = []
    add, cache, encode = out.append, _UUID_JSON, _details_encoder()
    expected = prev
    for row in rows:
        expected += 1
        try:
            (
                seq,
                at,
                kind,
                aid,
                display,
                oid,
                rid,
                ip,
                ua,
                tag,
                stype,
                sid,
                details,
                stored,
            ) = row
        except (TypeError, ValueError):
            return None
        if type(seq) is not int or seq != expected:
            return None
        # isoformat() is 26 long only for a naive time with microseconds, 32 for one at
        # +00:00 with them; whole seconds and other zones go the slow way (format_at).
        t = at.isoformat() if type(at) is datetime else ""
        if len(t) == 32 and t.endswith("+00:00"):  # noqa: PLR2004
            t = t[:26]
        elif len(t) != 26 or at.tzinfo is not None:  # noqa: PLR2004
            t = ""
        if (
            not t
            or type(details) is not dict
            or (aid is not None and type(aid) is not _UUID)
            or (oid is not None and type(oid) is not _UUID)
        ):
            leaf = _slow_leaf(row)
        else:
            try:  # keys in sorted order, as chain._assemble writes them
                text = (
                    f"{_PREFIX}"
                    f'{{"actor_display":{"null" if display is None else _esc(display)}'
                    f',"actor_id":{"null" if aid is None else cache.get(aid.int) or _uuid_json(aid)}'
                    f',"actor_kind":{"null" if kind is None else _esc(kind)}'
                    f',"at":"{t}Z"'
                    f',"details":{"".join(encode(details, 0)) if details else "{}"}'
                    f',"ip":{"null" if ip is None else _esc(ip)}'
                    f',"org_id":{"null" if oid is None else cache.get(oid.int) or _uuid_json(oid)}'
                    f',"request_id":{"null" if rid is None else _esc(rid)}'
                    f',"seq":{seq}'
                    f',"subject_id":{"null" if sid is None else _esc(sid)}'
                    f',"subject_type":{"null" if stype is None else _esc(stype)}'
                    f',"tag":{"null" if tag is None else _esc(tag)}'
                    f',"user_agent":{"null" if ua is None else _esc(ua)}}}'
                ).encode()
            except (TypeError, ValueError, RecursionError):  # read_event will say what
                return None
            leaf = _sha256(text).digest()
        if leaf is None or leaf != stored:
            return None
        add(leaf)
    return out
