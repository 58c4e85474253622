"""Leaf hashes of stored events in bulk: the verifier's fast path. Pure code.

`chain.read_event` validates one mapping at a time, which costs ~12 µs an event. Here the
rows arrive as plain tuples, as the database returns them, and each is encoded by one
f-string. Whenever the fast path is not sure a row is well-formed and in place, it hands
back None and the caller reads the batch through `chain.read_event`, so both paths agree
on every byte and every finding (a property test holds them equal).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Final

from outguard.audit.chain import (
    _ENCODER,
    CANONICAL_PREFIX,
    EVENT_FIELDS,
    event_leaf_hash,
)

# A stored row: the `EVENT_FIELDS` columns in order, then the stored leaf hash.
ROW_FIELDS: Final = (*EVENT_FIELDS, "leaf_hash")

# The leaf's 0x00 and the version line go into the same f-string as the event.
_PREFIX: Final = (b"\x00" + CANONICAL_PREFIX).decode("ascii")
_esc: Final = json.encoder.encode_basestring  # what `chain` escapes with: same bytes
_sha256: Final = hashlib.sha256
_UUID: Final = uuid.UUID
# A log has few actors and organisations: their spelling is worth remembering.
_UUID_JSON: dict[int, str] = {}
_UUID_JSON_MAX: Final = 4096


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


def batch_leaves(rows: Sequence[Sequence[Any]], prev: int) -> list[bytes] | None:
    """The leaf hashes of `rows`, or None unless every row is in place and intact.

    In place: the seqs are prev+1, prev+2, ... Intact: well-formed, and the recomputed
    leaf equals the stored one. None sends the caller to `chain.read_event`, row by row,
    which names what is wrong.
    """
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
