"""Audit log: verifying 1,000,000 events vs plain hashlib building the same tree, same run.

Issue 4 asks verification to run at no less than half the rate at which a bare hashlib loop
builds the RFC 6962 tree over the same events' canonical bytes. Also reported: appends through
the real service path (with a business transaction) on SQLite and PostgreSQL, and the latency
of an inclusion proof at 1M events.
"""

from __future__ import annotations

import hashlib
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from outguard.audit.chain import (
    EVENT_FIELDS,
    MerkleTree,
    canonical_event,
    event_leaf_hash,
)
from outguard.audit.leaves import ROW_FIELDS
from outguard.audit.ledger import EventWalk

N = 1_000_000
N_STORED = 200_000  # the end-to-end run reads a SQLite file of this many events
BATCH = 5000  # as `ledger.verify_log` reads them


def make_events(n: int) -> list[dict[str, object]]:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    org = uuid.UUID(int=7)
    out = []
    for i in range(1, n + 1):
        event = {
            "seq": i,
            "at": start + timedelta(microseconds=i * 1013),
            "actor_kind": "user",
            "actor_id": uuid.UUID(int=i % 97),
            "actor_display": "Agent 12",
            "org_id": org,
            "request_id": f"req-{i:08x}",
            "ip": "203.0.113.7",
            "user_agent": "Mozilla/5.0",
            "tag": "rendition:downloaded",
            "subject_type": "share",
            "subject_id": f"sh-{i % 5000}",
            "details": {"rows": i % 1000, "format": "csv"},
        }
        out.append(event)
    return out


def hashlib_tree(blobs: list[bytes]) -> bytes:
    """The reference: SHA-256 leaves and nodes in a plain loop (RFC 6962 shape)."""
    level = [hashlib.sha256(b"\x00" + b).digest() for b in blobs]
    while len(level) > 1:
        nxt = [
            hashlib.sha256(b"\x01" + level[i] + level[i + 1]).digest()
            for i in range(0, len(level) - 1, 2)
        ]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0]


def as_rows(events: list[dict[str, object]]) -> list[tuple[object, ...]]:
    """The events as the repository hands them to the verifier: plain row tuples."""
    return [tuple(e[name] for name in ROW_FIELDS) for e in events]


def verify(events: list[dict[str, object]] | list[tuple[object, ...]]) -> bytes:
    """What `outguard audit verify` does once the rows are read: `EventWalk`, 5000 at a time.

    Dicts (as `run.py` passes) are turned into row tuples first, inside the timing.
    """
    rows = as_rows(events) if events and isinstance(events[0], dict) else events  # type: ignore[arg-type]
    walk = EventWalk({})
    for i in range(0, len(rows), BATCH):
        if walk.batch(rows[i : i + BATCH]) is not True:
            raise SystemExit(f"unexpected finding in events {i + 1}..{i + BATCH}")
    return walk.frontier.root()


def verify_stored(n: int, events: list[dict[str, object]]) -> tuple[float, float]:
    """End to end from a SQLite file: `verify_log` reading n rows, and hashlib on them."""
    from sqlalchemy import insert  # noqa: PLC0415

    from outguard.audit.chain import Frontier  # noqa: PLC0415
    from outguard.audit.ledger import verify_log  # noqa: PLC0415
    from outguard.audit.models import AuditEvent, AuditHead  # noqa: PLC0415
    from outguard.db import make_engine, make_session_factory, unit_of_work  # noqa: PLC0415
    from outguard.db.migrate import upgrade  # noqa: PLC0415

    picked = events[:n]
    frontier = Frontier()
    frontier.extend([e["leaf_hash"] for e in picked])  # type: ignore[misc]
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/verify.db"
        upgrade(url)
        engine = make_engine(url)
        factory = make_session_factory(engine)
        with unit_of_work(factory) as session:
            session.execute(insert(AuditEvent), picked)
            session.execute(
                AuditHead.__table__.update().values(  # type: ignore[attr-defined]
                    last_seq=n, frontier=frontier.to_bytes()
                )
            )
        with unit_of_work(factory) as session:
            start = time.perf_counter()
            report = verify_log(session)
            ours = time.perf_counter() - start
        engine.dispose()
    if not report.ok:
        raise SystemExit(f"the stored log does not verify: {report.finding}")
    blobs = [canonical_event({k: e[k] for k in EVENT_FIELDS}) for e in picked]
    ref = min(_timed(lambda: hashlib_tree(blobs)) for _ in range(2))
    return n / ours, n / ref


def append_rate(url: str, n: int) -> float:
    from outguard.audit.service import record  # noqa: PLC0415
    from outguard.audit.tags import AuditTag  # noqa: PLC0415
    from outguard.db import make_engine, make_session_factory, unit_of_work  # noqa: PLC0415
    from outguard.db.migrate import upgrade  # noqa: PLC0415
    from outguard.types import Actor, SystemClock  # noqa: PLC0415

    upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    actor, clock = Actor.system("bench"), SystemClock()
    start = time.perf_counter()
    for i in range(n):
        with unit_of_work(factory) as session:  # one business transaction per event
            record(session, actor, AuditTag.JOB_FAILED, clock=clock, details={"n": i})
    elapsed = time.perf_counter() - start
    engine.dispose()
    return n / elapsed


def main() -> int:
    events = make_events(N)
    for e in events:  # the stored hash, as the database holds it
        e["leaf_hash"] = event_leaf_hash({k: e[k] for k in EVENT_FIELDS})
    blobs = [canonical_event({k: e[k] for k in EVENT_FIELDS}) for e in events]
    rows = as_rows(events)
    ours, ref = [], []
    for _ in range(3):  # interleaved, so both see the same machine load
        ours.append(_timed(lambda: verify(rows)))
        ref.append(_timed(lambda: hashlib_tree(blobs)))
    if verify(rows) != hashlib_tree(blobs):
        raise SystemExit("the two trees differ")
    o, r = min(ours), min(ref)
    print(f"Verify {N:,} events (encode + hash + compare + tree), one core")
    print(f"  outguard audit verify   {N / o:>12,.0f} events/s")
    print(f"  hashlib tree, same data {N / r:>12,.0f} events/s")
    print(f"  ratio                   {r / o:>12.2f}  (target >= 0.50)")
    stored, plain = verify_stored(N_STORED, events)
    print(
        f"  end to end, SQLite file {stored:>12,.0f} events/s"
        f" ({N_STORED:,} events read and verified; ratio {stored / plain:.2f})"
    )
    tree = MerkleTree(e["leaf_hash"] for e in events)  # type: ignore[misc]
    samples = []
    for k in range(200):
        index = (k * 4999) % N
        start = time.perf_counter()
        tree.inclusion_proof(index, N)
        samples.append(time.perf_counter() - start)
    print(
        f"  inclusion proof at 1M   {statistics.median(samples) * 1e6:>12.1f} µs (median)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        rate = append_rate(f"sqlite:///{tmp}/bench.db", 2000)
    print(f"  append, SQLite          {rate:>12,.0f} events/s (one transaction each)")
    try:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
        from support.postgres import start_postgres  # noqa: PLC0415

        pg = start_postgres()
        try:
            rate = append_rate(pg.create_database("bench"), 2000)
        finally:
            pg.stop()
        print(
            f"  append, PostgreSQL      {rate:>12,.0f} events/s (one transaction each)"
        )
    except Exception as exc:  # noqa: BLE001 - the PG figure is optional where no server
        print(f"  append, PostgreSQL      skipped ({type(exc).__name__}: {exc})")
    return 0


def _timed(fn: object) -> float:
    start = time.perf_counter()
    fn()  # type: ignore[operator]
    return time.perf_counter() - start


if __name__ == "__main__":
    sys.exit(main())
