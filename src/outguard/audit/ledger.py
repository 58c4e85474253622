"""Verify the stored audit log: every event re-hashed, the tree rebuilt, checkpoints matched.

`verify_log` streams the events in sequence order with O(log n) memory (a Merkle frontier),
and stops at the first problem, naming the first bad sequence number and what is wrong with it
(edited, deleted, inserted, reordered, malformed) — or a checkpoint or head that does not
match the rebuilt tree.
"""

from __future__ import annotations

import dataclasses
import hmac
import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from outguard.audit import parallel
from outguard.audit.chain import (
    EVENT_FIELDS,
    HASH_SIZE,
    Finding,
    Frontier,
    MerkleTree,
    Problem,
    Row,
    classify,
    format_at,
    read_event,
    verify_consistency,
)
from outguard.audit.checkpoint import (
    Checkpoint,
    NoteError,
    SignerKey,
    VerifierKey,
    cosign_note,
    open_checkpoint,
    sign_checkpoint,
)
from outguard.audit.evidence import build_bundle
from outguard.audit.leaves import ROW_FIELDS, batch_leaves, stored_leaves, typed_row
from outguard.audit.models import AuditCheckpoint, AuditHead
from outguard.audit.repository import AuditRepository
from outguard.errors import DomainValidationError, NotFoundError
from outguard.types import Clock

_BATCH = 5000
_CONTEXT_ROWS = 32  # rows read past a mismatch, so a swap or shift can be recognised
_CHUNK = 1 << 17  # events per worker's chunk: a power of two (`audit.parallel`)


@dataclass(frozen=True)
class LogReport:
    ok: bool
    events: int  # events verified
    checkpoints: int  # checkpoints matched
    root: bytes  # the rebuilt tree's root over the events verified
    finding: Finding | None = None
    from_seq: int = 1  # events before it counted by their stored hashes (`--from`)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "ok": self.ok,
            "events": self.events,
            "checkpoints_matched": self.checkpoints,
            "root": self.root.hex(),
            "rehashed_from_seq": self.from_seq,
        }
        if self.finding is not None:
            out["problem"] = self.finding.problem.value
            out["first_bad_seq"] = self.finding.seq
            out["detail"] = self.finding.detail
        return out


def _failed(events: int, matched: int, root: bytes, finding: Finding) -> LogReport:
    return LogReport(
        ok=False, events=events, checkpoints=matched, root=root, finding=finding
    )


def _from(report: LogReport, from_seq: int) -> LogReport:
    return dataclasses.replace(report, from_seq=from_seq)


def verify_log(
    session: Session,
    *,
    trusted: Sequence[VerifierKey] | None = None,
    progress: Callable[[int, int], None] | None = None,
    from_seq: int = 1,
    workers: int = 1,
) -> LogReport:
    """Recompute every leaf and root; compare with stored hashes, checkpoints and the head.

    `from_seq`: events before it count by their stored leaf hashes (the tree, checkpoints
    and head still hold them), so a daily check of a long log re-hashes only what is new.
    `workers` > 1: a log of at least two chunks is re-hashed on that many processes
    (`audit.parallel`); the session's committed rows are what they read.
    """
    if from_seq < 1:
        raise DomainValidationError("verification starts at seq 1 or later")
    return _from(_verify(session, trusted, progress, from_seq, workers), from_seq)


def _verify(
    session: Session,
    trusted: Sequence[VerifierKey] | None,
    progress: Callable[[int, int], None] | None,
    from_seq: int,
    workers: int,
) -> LogReport:
    repo = AuditRepository(session)
    head = repo.head()
    total = head.last_seq if head is not None else 0
    if from_seq > total + 1:
        msg = f"the log holds {total:,} events: --from can be at most {total + 1:,}"
        raise DomainValidationError(msg)
    checkpoints = {c.tree_size: c for c in repo.checkpoints()}
    if trusted is not None:
        bad = _check_signatures(list(checkpoints.values()), trusted)
        if bad is not None:
            return _failed(0, 0, Frontier().root(), bad)
    walk = EventWalk(checkpoints)
    report = _take_stored_hashes(repo, walk, from_seq - 1)
    if report is None and workers > 1:
        report = _walk_in_chunks(session, walk, total, workers, progress)
    if report is not None:
        return report
    report = _walk_stored(repo, walk, total, progress)
    if report is not None:
        return report
    frontier, matched = walk.frontier, walk.matched
    prev = frontier.size
    finding = _tail_finding(prev, total, checkpoints, head, frontier)
    if finding is not None:
        return _failed(prev, matched, frontier.root(), finding)
    if progress is not None:
        progress(prev, total)
    return LogReport(ok=True, events=prev, checkpoints=matched, root=frontier.root())


def _walk_stored(
    repo: AuditRepository,
    walk: EventWalk,
    total: int,
    progress: Callable[[int, int], None] | None,
) -> LogReport | None:
    """Every event from where the walk stands: the fast ways, else event by event."""
    with repo.stored_event_rows_in_order(_BATCH, after=walk.frontier.size) as batches:
        for rows in batches:
            done = walk.stored(rows)
            if done is None:  # neither fast way holds: read event by event to the end
                report = walk.slowly(
                    map(
                        typed_row,
                        itertools.chain(rows, itertools.chain.from_iterable(batches)),
                    )
                )
                if report is not None:
                    return report
                break
            if isinstance(done, LogReport):
                return done
            if progress is not None:
                progress(walk.frontier.size, total)
    return None


def _walk_in_chunks(
    session: Session,
    walk: EventWalk,
    total: int,
    workers: int,
    progress: Callable[[int, int], None] | None,
) -> LogReport | None:
    """As far as whole chunks hold, on `workers` processes; then the caller goes on."""
    size = _CHUNK
    start = walk.frontier.size
    if start % size or total - start < 2 * size:
        return None
    url = session.connection().engine.url.render_as_string(hide_password=False)
    sizes = [s for s in walk.sizes if s > start]
    for chunk in parallel.chunks(url, total, start, size, sizes, workers):
        if chunk.frontier is None:  # something is wrong in it: one process names it
            return None
        for at, marked in sorted(chunk.marks.items()):
            bad = walk.reached(at, walk.frontier.graft(Frontier.from_bytes(marked)))
            if bad is not None:
                return bad
        walk.frontier = walk.frontier.graft(Frontier.from_bytes(chunk.frontier))
        if progress is not None:
            progress(walk.frontier.size, total)
    return None


def _take_stored_hashes(
    repo: AuditRepository, walk: EventWalk, up_to: int
) -> LogReport | None:
    """Events 1..up_to by their stored hashes (`--from`); a checkpoint may still fail."""
    with repo.leaf_hashes_in_order(_BATCH, up_to=up_to) as batches:
        for pairs in batches:
            done = walk.taken(pairs)
            if done is None:  # a gap: the event-by-event read after names it
                return None
            if isinstance(done, LogReport):
                return done
    return None


class EventWalk:
    """Every event in order: re-hashed, added to the tree, held against its checkpoint.

    Batches of `ROW_FIELDS` tuples go the fast way (`leaves.stored_leaves` for rows as
    stored, `leaves.batch_leaves` for typed ones); from the first batch both refuse on,
    events are read one by one (`chain.read_event`), which names what is wrong. No
    database here: `verify_log` feeds it, and so does the benchmark.
    """

    def __init__(self, checkpoints: dict[int, AuditCheckpoint]) -> None:
        self.checkpoints = checkpoints
        self.sizes = sorted(checkpoints, reverse=True)  # pop() yields the smallest
        self.frontier = Frontier()
        self.matched = 0

    def _failed(self, finding: Finding) -> LogReport:
        frontier = self.frontier
        return _failed(frontier.size, self.matched, frontier.root(), finding)

    def reached(self, size: int, tree: Frontier | None = None) -> LogReport | None:
        """Called at each tree size: a checkpoint there must hold the rebuilt root.

        `tree`: the tree at `size` when the walk itself is not there (a worker's chunk).
        """
        tree = self.frontier if tree is None else tree
        sizes = self.sizes
        while sizes and sizes[-1] < size:  # size 0, or skipped by a failed batch
            sizes.pop()
        if not sizes or sizes[-1] != size:
            return None
        sizes.pop()
        if not hmac.compare_digest(self.checkpoints[size].root_hash, tree.root()):
            detail = (
                f"the checkpoint at tree size {size} does not match events 1..{size}"
            )
            return _failed(
                size,
                self.matched,
                tree.root(),
                Finding(Problem.BAD_CHECKPOINT, size, detail),
            )
        self.matched += 1
        return None

    def taken(self, pairs: Sequence[Sequence[object]]) -> LogReport | bool | None:
        """(seq, stored leaf hash) pairs taken as they are; None if one is out of place."""
        start = self.frontier.size
        if [pair[0] for pair in pairs] != list(
            range(start + 1, start + 1 + len(pairs))
        ):
            return None
        leaves = [pair[1] for pair in pairs]
        if not all(type(leaf) is bytes and len(leaf) == HASH_SIZE for leaf in leaves):
            return None
        return self.add(leaves)  # type: ignore[arg-type]  # checked just above

    def stored(self, rows: Sequence[Sequence[object]]) -> LogReport | bool | None:
        """`batch` for rows as stored: spelled and hashed as they are, else typed first.

        The typed reading is the one the application makes (`leaves.typed_row`): an
        older spelling of the same value (details with spaces, say) still verifies.
        """
        leaves = stored_leaves(rows, self.frontier.size)
        if leaves is None:
            return self.batch([typed_row(row) for row in rows])
        return self.add(leaves)

    def batch(self, rows: Sequence[Sequence[object]]) -> LogReport | bool | None:
        """True if the batch holds, a report if a checkpoint does not, None if refused."""
        start = self.frontier.size
        leaves = batch_leaves(rows, start)
        if leaves is None:
            return None
        return self.add(leaves)

    def add(self, leaves: list[bytes]) -> LogReport | bool:
        """Leaves already held against their rows: into the tree, past checkpoints."""
        frontier, sizes = self.frontier, self.sizes
        start = frontier.size
        done = 0
        while sizes and sizes[-1] <= start + len(leaves):  # checkpoints cut the batch
            cut = max(sizes[-1] - start, done)
            frontier.extend(leaves[done:cut])
            done = cut
            bad = self.reached(frontier.size)
            if bad is not None:
                return bad
        frontier.extend(leaves[done:])
        return True

    def slowly(self, rows: Iterator[Sequence[object]]) -> LogReport | None:
        """Event by event, as before the fast path: the first problem gets its name."""
        events = (_event_dict(row) for row in rows)
        frontier = self.frontier
        for event in events:
            got = read_event(event, frontier.size)
            if isinstance(got, Finding):
                return self._failed(got)
            seq, _, leaf, stored = got
            if not hmac.compare_digest(leaf, stored):
                return self._failed(_mismatch(got, events))
            frontier.append(leaf)
            bad = self.reached(seq)
            if bad is not None:
                return bad
        return None


def _event_dict(row: Sequence[object]) -> dict[str, object]:
    return dict(zip(ROW_FIELDS, row, strict=True))


def _mismatch(first: Row, stream: Iterator[dict[str, object]]) -> Finding:
    """Read a few rows past the first mismatch so a swap or a shift can be recognised."""
    rows: list[Row] = [first]
    for later in stream:
        more = read_event(later, rows[-1][0])
        if isinstance(more, Finding) or len(rows) >= _CONTEXT_ROWS:
            break
        rows.append(more)
    return classify(rows)


def _tail_finding(
    prev: int,
    total: int,
    checkpoints: dict[int, AuditCheckpoint],
    head: AuditHead | None,
    frontier: Frontier,
) -> Finding | None:
    """After the last event: nothing missing at the end, and the head agrees."""
    if prev < total:
        return Finding(
            Problem.DELETED, prev + 1, f"seq {prev + 1} to {total} are missing", total
        )
    beyond = [size for size in checkpoints if size > prev]
    if beyond:
        detail = f"a checkpoint covers {max(beyond)} events but the log ends at {prev}"
        return Finding(Problem.DELETED, prev + 1, detail)
    if head is not None and head.frontier is not None:
        stored = Frontier.from_bytes(head.frontier)
        if stored.size != prev or not hmac.compare_digest(
            stored.root(), frontier.root()
        ):
            return Finding(
                Problem.EDITED, prev or None, "the log head does not match the events"
            )
    return None


def event_record(session: Session, seq: int) -> dict[str, object] | None:
    """One event as the verifier sees it (canonical time, leaf hash in hex), or None."""
    event = AuditRepository(session).event(seq)
    if event is None:
        return None
    data: dict[str, object] = {name: getattr(event, name) for name in EVENT_FIELDS}
    data["at"] = format_at(event.at)
    data["leaf_hash"] = event.leaf_hash.hex() if event.leaf_hash else None
    return data


def _check_signatures(
    checkpoints: list[AuditCheckpoint], trusted: Sequence[VerifierKey]
) -> Finding | None:
    """Each stored checkpoint must be signed by a trusted key and say what its row says."""
    for checkpoint in checkpoints:
        try:
            opened = open_checkpoint(checkpoint.note, trusted, ignore_unknown=True)
        except NoteError as exc:
            detail = f"the checkpoint at tree size {checkpoint.tree_size}: {exc}"
            return Finding(Problem.BAD_CHECKPOINT, None, detail)
        body = opened.checkpoint
        if body.size != checkpoint.tree_size or not hmac.compare_digest(
            body.root_hash, checkpoint.root_hash
        ):
            detail = f"the checkpoint at tree size {checkpoint.tree_size} was altered"
            return Finding(Problem.BAD_CHECKPOINT, None, detail)
    return None


def make_checkpoint(
    session: Session, signer: SignerKey, *, clock: Clock, min_new_events: int = 1
) -> AuditCheckpoint | None:
    """Sign the current tree head as a C2SP checkpoint, if enough events are new.

    Taken under the head's lock, so it matches a state the log really had; returns None when
    fewer than `min_new_events` were appended since the last checkpoint.
    """
    repo = AuditRepository(session)
    head = repo.head(lock=True)
    frontier = Frontier.from_bytes(head.frontier if head is not None else None)
    last = repo.last_checkpoint_size() or 0
    if frontier.size == 0 or frontier.size - last < max(1, min_new_events):
        return None
    now = clock.now()
    body = Checkpoint(
        signer.name, frontier.size, frontier.root(), at=now.replace(microsecond=0)
    )
    row = AuditCheckpoint(
        tree_size=frontier.size,
        root_hash=frontier.root(),
        note=sign_checkpoint(body, signer),
        created_at=now,
    )
    repo.add_checkpoint(row)
    return row


def export_evidence(
    session: Session,
    signer: SignerKey,
    trusted: VerifierKey,
    *,
    clock: Clock,
    subject: str | None = None,
    since: datetime | None = None,
) -> tuple[bytes, int]:
    """An evidence bundle of the selected events (all, by default) and how many it holds.

    A checkpoint covering the whole log is signed first if the newest one does not.
    """
    repo = AuditRepository(session)
    make_checkpoint(session, signer, clock=clock)
    size = repo.last_checkpoint_size() or 0
    checkpoint = repo.checkpoint_at(size)
    if checkpoint is None:
        msg = "The audit log is empty: there is nothing to export."
        raise NotFoundError(msg)
    events = repo.select_events(subject=subject, since=since, up_to=size)
    selection = ", ".join(
        part
        for part in (
            f"subject {subject}" if subject else "",
            f"since {since.isoformat()}" if since else "",
        )
        if part
    )
    data = build_bundle(
        [{name: getattr(e, name) for name in EVENT_FIELDS} for e in events],
        repo.leaf_hashes(size),
        checkpoint.note,
        size,
        trusted,
        created_at=clock.now(),
        selection=selection or "the whole log",
    )
    return data, len(events)


@dataclass(frozen=True)
class ConsistencyReport:
    old_size: int
    new_size: int
    old_root: bytes  # as the stored checkpoints say
    new_root: bytes
    proof: list[bytes]  # RFC 9162 §2.1.4 PROOF(old_size, D[new_size])
    ok: bool  # the proof verifies against both roots

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "old_size": self.old_size,
            "new_size": self.new_size,
            "old_root": self.old_root.hex(),
            "new_root": self.new_root.hex(),
            "proof": [p.hex() for p in self.proof],
        }


def consistency_between(
    session: Session, old_size: int, new_size: int
) -> ConsistencyReport:
    """Prove that the checkpoint at `new_size` extends the one at `old_size`.

    The proof comes from the stored leaf hashes and is checked against both checkpoint
    roots before it is returned: a rewritten history yields `ok=False`, not a proof.
    """
    if not 0 < old_size <= new_size:
        msg = "Give two checkpoint sizes, the older first."
        raise DomainValidationError(msg)
    repo = AuditRepository(session)
    old, new = repo.checkpoint_at(old_size), repo.checkpoint_at(new_size)
    if old is None or new is None:
        missing = old_size if old is None else new_size
        raise NotFoundError(f"There is no checkpoint at tree size {missing}.")
    try:
        proof = MerkleTree(repo.leaf_hashes(new_size)).consistency_proof(
            old_size, new_size
        )
    except ValueError:  # rows missing, or a stored hash that is not one
        proof = []
    ok = verify_consistency(old_size, new_size, old.root_hash, new.root_hash, proof)
    return ConsistencyReport(
        old_size, new_size, old.root_hash, new.root_hash, proof, ok
    )


def cosign_latest(
    session: Session, witness: SignerKey, log_key: VerifierKey
) -> AuditCheckpoint:
    """Add a second party's signature to the newest checkpoint, after verifying it.

    Stored in the checkpoint's note (C2SP allows any number of co-signatures): from then on
    the operator alone cannot produce a different history that the witness signed.
    """
    repo = AuditRepository(session)
    checkpoint = repo.latest_checkpoint()
    if checkpoint is None:
        msg = "There is no checkpoint to co-sign yet: run `outguard audit checkpoint`."
        raise NotFoundError(msg)
    try:
        checkpoint.note = cosign_note(checkpoint.note, witness, [log_key])
    except NoteError as exc:
        raise DomainValidationError(f"Cannot co-sign: {exc}.") from None
    session.flush()
    return checkpoint


def events_after(
    session: Session, seq: int, *, limit: int = 500
) -> list[dict[str, object]]:
    """Events after `seq` (for `audit tail`), as `event_record` shows them."""
    out = []
    for event in AuditRepository(session).events_after(seq, limit):
        data: dict[str, object] = {name: getattr(event, name) for name in EVENT_FIELDS}
        data["at"] = format_at(event.at)
        out.append(data)
    return out


def last_seq(session: Session) -> int:
    head = AuditRepository(session).head()
    return head.last_seq if head is not None else 0
