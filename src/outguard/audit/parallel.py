"""A long log verified on several processes: aligned chunks, each a whole subtree.

Chunk k holds events k*C+1 .. (k+1)*C, with C a power of two, so the chunk's leaves are one
perfect subtree of the log's tree (the last chunk a frontier of a few) and the verifier
grafts them onto the tree built so far (`Frontier.graft`). A worker reads its chunk as
stored, recomputes every leaf and holds it against the stored hash, exactly as
`ledger.verify_log` does; it also keeps the chunk's frontier at every checkpoint size inside
it, so the checkpoint's root is checked once the chunks before it are in. A chunk with
anything wrong in it comes back refused, and the verifier reads on from its start, one
process, event by event where it must: that is what names the problem.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from outguard.audit.chain import Frontier
from outguard.audit.leaves import batch_leaves, stored_leaves, typed_row
from outguard.audit.repository import AuditRepository
from outguard.db import make_engine, make_session_factory, unit_of_work

_BATCH = 5000


@dataclass(frozen=True)
class Chunk:
    lo: int  # events lo+1 .. hi
    hi: int
    frontier: bytes | None  # `Frontier.to_bytes` of the chunk's leaves; None: refused
    marks: dict[int, bytes] = field(default_factory=dict)  # checkpoint size -> frontier


def chunks(
    url: str, total: int, start: int, size: int, sizes: Sequence[int], workers: int
) -> Iterator[Chunk]:
    """The chunks of events start+1..total, verified by `workers` processes, in order.

    `start` and `size` are multiples of `size` (a power of two); `sizes` are the
    checkpoints' tree sizes. Stop iterating at any time: what is still queued is dropped.
    """
    bounds = [(lo, min(lo + size, total)) for lo in range(start, total, size)]
    jobs = [(url, lo, hi, tuple(s for s in sizes if lo < s <= hi)) for lo, hi in bounds]
    # spawn: a forked child would share the parent's database connections
    context = multiprocessing.get_context("spawn")
    pool = concurrent.futures.ProcessPoolExecutor(workers, mp_context=context)
    try:
        futures = [pool.submit(verify_chunk, *job) for job in jobs]
        for (lo, hi), future in zip(bounds, futures, strict=True):
            try:
                yield future.result()
            except Exception:  # noqa: BLE001 - a worker that failed: read that chunk here
                yield Chunk(lo, hi, None)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def verify_chunk(url: str, lo: int, hi: int, sizes: tuple[int, ...]) -> Chunk:
    """One worker's chunk: every leaf recomputed and held against its stored hash."""
    engine = make_engine(url, reader=True)  # beside the verifier's own transaction
    try:
        with unit_of_work(make_session_factory(engine)) as session:
            return _walk(AuditRepository(session), lo, hi, sizes)
    finally:
        engine.dispose()


def _walk(repo: AuditRepository, lo: int, hi: int, sizes: tuple[int, ...]) -> Chunk:
    local, marks = Frontier(), {}
    pending = sorted(sizes, reverse=True)  # pop() yields the smallest
    with repo.stored_event_rows_in_order(_BATCH, after=lo, up_to=hi) as batches:
        for rows in batches:
            start = lo + local.size
            leaves = stored_leaves(rows, start)
            if leaves is None:
                leaves = batch_leaves([typed_row(row) for row in rows], start)
            if leaves is None:
                return Chunk(lo, hi, None)
            done = 0
            while pending and pending[-1] <= start + len(leaves):
                cut = pending.pop() - start
                local.extend(leaves[done:cut])
                done = cut
                marks[start + cut] = local.to_bytes()
            local.extend(leaves[done:])
    if local.size != hi - lo:  # events missing at the end of the chunk
        return Chunk(lo, hi, None)
    return Chunk(lo, hi, local.to_bytes(), marks)
