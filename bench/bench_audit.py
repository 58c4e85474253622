"""Audit log: verifying 1,000,000 events vs plain hashlib building the same tree, same run.

Issue 4 asks verification to run at no less than half the rate at which a bare hashlib loop
builds the RFC 6962 tree over the same events' canonical bytes. Measured two ways:

- after the read: rows as the SQLite driver hands them to `outguard audit verify` (times,
  ids and details as stored text), spelled, hashed, compared and built into the tree, 5,000
  at a time; against hashlib over the canonical bytes already in memory;
- end to end: `verify_log` on a SQLite file of the same 1,000,000 events (and on
  PostgreSQL, 200,000), the database's own read included; against hashlib on those events.

Also reported: the typed way (the fallback for logs stored before compact JSON), appends
through the real service path (with a business transaction) on SQLite and PostgreSQL, and
the latency of an inclusion proof at 1M events.
"""

from __future__ import annotations

import hashlib
import json
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from outguard.audit.chain import (
    EVENT_FIELDS,
    MerkleTree,
    canonical_event,
    event_leaf_hash,
)
from outguard.audit.leaves import ROW_FIELDS
from outguard.audit.ledger import EventWalk

N = 1_000_000
N_PG = 400_000  # PostgreSQL end to end (three chunks for the workers)
BATCH = 5000  # as `ledger.verify_log` reads them


def make_events(n: int) -> list[dict[str, Any]]:
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
            # sorted, as `AuditRepository.append` stores details
            "details": {"format": "csv", "rows": i % 1000},
        }
        event["leaf_hash"] = event_leaf_hash({k: event[k] for k in EVENT_FIELDS})
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


def stored_rows(events: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """The rows as SQLite's driver returns them to the verifier (what the file holds)."""
    out = []
    for e in events:
        row = dict(e)
        row["at"] = e["at"].replace(tzinfo=None).isoformat(sep=" ")
        row["actor_id"] = e["actor_id"].hex
        row["org_id"] = e["org_id"].hex
        row["details"] = json.dumps(e["details"], separators=(",", ":"))
        out.append(tuple(row[name] for name in ROW_FIELDS))
    return out


def typed_rows(events: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [tuple(e[name] for name in ROW_FIELDS) for e in events]


def verify(rows: Sequence[tuple[Any, ...]], *, stored: bool) -> bytes:
    """What `outguard audit verify` does once the rows are read, 5000 at a time."""
    walk = EventWalk({})
    step = walk.stored if stored else walk.batch
    for i in range(0, len(rows), BATCH):
        if step(rows[i : i + BATCH]) is not True:
            raise SystemExit(f"unexpected finding in events {i + 1}..{i + BATCH}")
    return walk.frontier.root()


def verify_stored(url: str, events: list[dict[str, Any]]) -> tuple[float, float]:
    """End to end: `verify_log` reading and checking every event of a database at `url`.

    Seconds on one process, and on two (`--workers 2`: this machine has two cores).
    """
    from sqlalchemy import insert  # noqa: PLC0415

    from outguard.audit.chain import Frontier  # noqa: PLC0415
    from outguard.audit.ledger import verify_log  # noqa: PLC0415
    from outguard.audit.models import AuditEvent, AuditHead  # noqa: PLC0415
    from outguard.db import make_engine, make_session_factory, unit_of_work  # noqa: PLC0415
    from outguard.db.migrate import upgrade  # noqa: PLC0415

    frontier = Frontier()
    frontier.extend([e["leaf_hash"] for e in events])
    upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    for i in range(0, len(events), 100_000):
        with unit_of_work(factory) as session:
            session.execute(insert(AuditEvent), events[i : i + 100_000])
    with unit_of_work(factory) as session:
        session.execute(
            AuditHead.__table__.update().values(  # type: ignore[attr-defined]
                last_seq=len(events), frontier=frontier.to_bytes()
            )
        )
    times: dict[int, list[float]] = {1: [], 2: []}
    for _ in range(2):
        for workers, samples in times.items():
            with unit_of_work(factory) as session:
                start = time.perf_counter()
                report = verify_log(session, workers=workers)
                samples.append(time.perf_counter() - start)
            if not report.ok or report.events != len(events):
                raise SystemExit(f"the stored log does not verify: {report.finding}")
    engine.dispose()
    return min(times[1]), min(times[2])


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
    blobs = [canonical_event({k: e[k] for k in EVENT_FIELDS}) for e in events]
    stored, typed = stored_rows(events), typed_rows(events)
    ours, fallback, ref = [], [], []
    for _ in range(3):  # interleaved, so all three see the same machine load
        ours.append(_timed(lambda: verify(stored, stored=True)))
        ref.append(_timed(lambda: hashlib_tree(blobs)))
        fallback.append(_timed(lambda: verify(typed, stored=False)))
    root = hashlib_tree(blobs)
    if not verify(stored, stored=True) == verify(typed, stored=False) == root:
        raise SystemExit("the trees differ")
    o, r, f = min(ours), min(ref), min(fallback)
    print(f"Verify {N:,} events (spell + hash + compare + tree), one core")
    print(f"  after the read (stored rows) {N / o:>10,.0f} events/s")
    print(f"  hashlib tree, same events    {N / r:>10,.0f} events/s")
    print(f"  ratio                        {r / o:>10.2f}  (target >= 0.50)")
    print(
        f"  typed rows (older logs)      {N / f:>10,.0f} events/s (ratio {r / f:.2f})"
    )
    with tempfile.TemporaryDirectory() as tmp:
        one, two = verify_stored(f"sqlite:///{tmp}/verify.db", events)
    ref_all = min(_timed(lambda: hashlib_tree(blobs)) for _ in range(2))
    print(
        f"  end to end, SQLite file      {N / one:>10,.0f} events/s"
        f" ({N:,} events read and verified; ratio {ref_all / one:.2f})"
    )
    print(
        f"  the same, --workers 2        {N / two:>10,.0f} events/s"
        f" (ratio {ref_all / two:.2f}; hashlib on one core)"
    )
    tree = MerkleTree(e["leaf_hash"] for e in events)
    samples = []
    for k in range(200):
        index = (k * 4999) % N
        start = time.perf_counter()
        tree.inclusion_proof(index, N)
        samples.append(time.perf_counter() - start)
    print(
        f"  inclusion proof at 1M        {statistics.median(samples) * 1e6:>10.1f} µs (median)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        rate = append_rate(f"sqlite:///{tmp}/bench.db", 2000)
    print(
        f"  append, SQLite               {rate:>10,.0f} events/s (one transaction each)"
    )
    _postgres(events[:N_PG], blobs[:N_PG])
    return 0


def _postgres(events: list[dict[str, Any]], blobs: list[bytes]) -> None:
    try:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
        from support.postgres import start_postgres  # noqa: PLC0415

        pg = start_postgres()
    except Exception as exc:  # noqa: BLE001 - the PG figures are optional where no server
        print(f"  PostgreSQL                   skipped ({type(exc).__name__}: {exc})")
        return
    try:
        rate = append_rate(pg.create_database("bench"), 2000)
        print(
            f"  append, PostgreSQL           {rate:>10,.0f} events/s (one transaction each)"
        )
        one, two = verify_stored(pg.create_database("verify"), events)
        ref = min(_timed(lambda: hashlib_tree(blobs)) for _ in range(2))
        print(
            f"  end to end, PostgreSQL       {len(events) / one:>10,.0f} events/s"
            f" ({len(events):,} events; ratio {ref / one:.2f};"
            f" --workers 2: {len(events) / two:,.0f}/s, ratio {ref / two:.2f})"
        )
    finally:
        pg.stop()


def _timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


if __name__ == "__main__":
    sys.exit(main())
