"""Append-only access to the audit log. There is deliberately no update or delete."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any, Final

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from outguard.audit.chain import Frontier, event_leaf_hash
from outguard.audit.leaves import ROW_FIELDS
from outguard.audit.models import AuditCheckpoint, AuditEvent, AuditHead
from outguard.errors import TamperDetectedError

_HEAD_ID = 1


class AuditRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def append(
        self,
        *,
        at: datetime,
        actor_kind: str,
        actor_id: uuid.UUID | None,
        actor_display: str,
        org_id: uuid.UUID | None,
        request_id: str | None,
        ip: str | None,
        user_agent: str | None,
        tag: str,
        subject_type: str | None,
        subject_id: str | None,
        details: dict[str, Any],
    ) -> AuditEvent:
        # Row lock on the head serialises appenders on PostgreSQL; SQLite has one writer.
        head = self._session.execute(
            select(AuditHead).where(AuditHead.id == _HEAD_ID).with_for_update()
        ).scalar_one()
        seq = head.last_seq + 1
        fields: dict[str, Any] = {
            "seq": seq,
            "at": at,
            "actor_kind": actor_kind,
            "actor_id": actor_id,
            "actor_display": actor_display,
            "org_id": org_id,
            "request_id": request_id,
            "ip": ip,
            "user_agent": user_agent,
            "tag": tag,
            "subject_type": subject_type,
            "subject_id": subject_id,
            # sorted, so the stored JSON text is the canonical one (the verifier's fast read)
            "details": dict(sorted(details.items())),
        }
        leaf = event_leaf_hash(fields)
        frontier = Frontier.from_bytes(head.frontier)
        if frontier.size != head.last_seq:
            msg = "the audit head and its Merkle frontier disagree"
            raise TamperDetectedError(msg)
        frontier.append(leaf)
        self._session.execute(
            update(AuditHead)
            .where(AuditHead.id == _HEAD_ID)
            .values(last_seq=seq, frontier=frontier.to_bytes())
        )
        event = AuditEvent(
            leaf_hash=leaf,
            seq=seq,
            at=at,
            actor_kind=actor_kind,
            actor_id=actor_id,
            actor_display=actor_display,
            org_id=org_id,
            request_id=request_id,
            ip=ip,
            user_agent=user_agent,
            tag=tag,
            subject_type=subject_type,
            subject_id=subject_id,
            details=fields["details"],
        )
        self._session.add(event)
        self._session.flush()  # the event must exist in this transaction before it commits
        return event

    def list_recent(
        self,
        *,
        org_ids: Sequence[uuid.UUID] | None,
        limit: int = 100,
        tag: str | None = None,
    ) -> list[AuditEvent]:
        stmt = select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(limit)
        if org_ids is not None:
            stmt = stmt.where(AuditEvent.org_id.in_(org_ids))
        if tag is not None:
            stmt = stmt.where(AuditEvent.tag == tag)
        return list(self._session.execute(stmt).scalars())

    def for_subject(
        self,
        subject_type: str,
        subject_id: str,
        *,
        tags: Sequence[str] | None = None,
        limit: int = 200,
    ) -> list[AuditEvent]:
        """Newest first: the history of one thing (an engagement, a share, ...)."""
        stmt = (
            select(AuditEvent)
            .where(
                AuditEvent.subject_type == subject_type,
                AuditEvent.subject_id == subject_id,
            )
            .order_by(AuditEvent.seq.desc())
            .limit(limit)
        )
        if tags is not None:
            stmt = stmt.where(AuditEvent.tag.in_(list(tags)))
        return list(self._session.execute(stmt).scalars())

    def count_by_actor(
        self, actor_id: uuid.UUID, tags: Sequence[str], since: datetime
    ) -> int:
        """How many of these events this person caused since then (rate limits)."""
        stmt = select(func.count()).where(
            AuditEvent.actor_id == actor_id,
            AuditEvent.at >= since,
            AuditEvent.tag.in_(list(tags)),
        )
        return int(self._session.execute(stmt).scalar_one())

    def count(self) -> int:
        head = self._session.get(AuditHead, _HEAD_ID)
        return head.last_seq if head else 0

    # ------------------------------------------------------------ the ledger
    def head(self, *, lock: bool = False) -> AuditHead | None:
        stmt = select(AuditHead).where(AuditHead.id == _HEAD_ID)
        if lock:
            stmt = stmt.with_for_update()
        return self._session.execute(stmt).scalar_one_or_none()

    def event(self, seq: int) -> AuditEvent | None:
        return self._session.get(AuditEvent, seq)

    @contextlib.contextmanager
    def stored_event_rows_in_order(
        self, batch: int, *, after: int = 0, up_to: int = 2**62
    ) -> Iterator[Iterator[list[tuple[Any, ...]]]]:
        """Lists of row tuples (`leaves.ROW_FIELDS`) in seq order, untyped, from the driver.

        The verifier's read. Times are UTC text with microseconds ('2026-01-01 09:30:00.000000'), ids text,
        details their stored JSON text. Turning each into a datetime, UUID and dict costs
        more than hashing the event; `leaves.stored_leaves` spells the text as it is.
        """
        sql = _STORED_ROWS[self._session.get_bind().dialect.name]  # ADR-0002: only two
        yield from self._fetch(sql, batch, {"after": after, "up_to": up_to})

    @contextlib.contextmanager
    def leaf_hashes_in_order(
        self, batch: int, *, up_to: int
    ) -> Iterator[Iterator[list[tuple[Any, ...]]]]:
        """Lists of (seq, stored leaf hash) for seq <= up_to, in seq order."""
        stmt = (
            select(AuditEvent.seq, AuditEvent.leaf_hash)
            .where(AuditEvent.seq <= up_to)
            .order_by(AuditEvent.seq)
            .execution_options(yield_per=batch)
        )
        result = self._session.connection().execute(stmt)
        try:
            yield (list(map(tuple, part)) for part in result.partitions(batch))
        finally:
            result.close()

    def _fetch(
        self, sql: str, batch: int, params: dict[str, Any]
    ) -> Iterator[Iterator[list[tuple[Any, ...]]]]:
        """Run `sql` on the session's own connection; lists of driver tuples."""
        connection = self._session.connection().connection.dbapi_connection
        assert connection is not None  # noqa: S101 - a session connection is checked out
        if self._session.get_bind().dialect.name == "postgresql":
            cursor = connection.cursor(name="outguard_audit_verify")  # server side
        else:
            cursor = connection.cursor()
        try:
            cursor.execute(sql, params)
            yield _fetched(cursor, batch)
        finally:
            cursor.close()

    def checkpoints(self) -> list[AuditCheckpoint]:
        stmt = select(AuditCheckpoint).order_by(AuditCheckpoint.tree_size)
        return list(self._session.execute(stmt).scalars())

    def last_checkpoint_size(self) -> int | None:
        return self._session.execute(
            select(func.max(AuditCheckpoint.tree_size))
        ).scalar()

    def add_checkpoint(self, checkpoint: AuditCheckpoint) -> None:
        self._session.add(checkpoint)
        self._session.flush()

    def leaf_hashes(self, size: int) -> list[bytes]:
        stmt = (
            select(AuditEvent.leaf_hash)
            .where(AuditEvent.seq <= size)
            .order_by(AuditEvent.seq)
        )
        return [h or b"" for h in self._session.execute(stmt).scalars()]

    def checkpoint_at(self, size: int) -> AuditCheckpoint | None:
        return self._session.get(AuditCheckpoint, size)

    def select_events(
        self, *, subject: str | None, since: datetime | None, up_to: int
    ) -> list[AuditEvent]:
        stmt = (
            select(AuditEvent).where(AuditEvent.seq <= up_to).order_by(AuditEvent.seq)
        )
        if subject is not None:
            kind, _, ident = subject.rpartition(":")
            stmt = stmt.where(AuditEvent.subject_id == ident)
            if kind:
                stmt = stmt.where(AuditEvent.subject_type == kind)
        if since is not None:
            stmt = stmt.where(AuditEvent.at >= since)
        return list(self._session.execute(stmt).scalars())

    def latest_checkpoint(self) -> AuditCheckpoint | None:
        size = self.last_checkpoint_size()
        return None if size is None else self.checkpoint_at(size)

    def events_after(self, seq: int, limit: int) -> list[AuditEvent]:
        stmt = (
            select(AuditEvent)
            .where(AuditEvent.seq > seq)
            .order_by(AuditEvent.seq)
            .limit(limit)
        )
        return list(self._session.execute(stmt).scalars())


def _fetched(cursor: Any, batch: int) -> Iterator[list[tuple[Any, ...]]]:
    while rows := cursor.fetchmany(batch):
        yield list(rows)


_STORED_COLUMNS: Final = ", ".join(ROW_FIELDS)
# The same columns on PostgreSQL, cast to the text SQLite stores (ids keep their dashes).
_PG_COLUMNS: Final = (
    _STORED_COLUMNS.replace(
        "at,", "to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US'),", 1
    )
    .replace("actor_id,", "actor_id::text,")
    .replace("org_id,", "org_id::text,")
    .replace("details,", "details::text,")
)
_TABLE: Final = AuditEvent.__tablename__
_STORED_ROWS: Final = {  # constants only: nothing from outside goes into this SQL
    "sqlite": f"SELECT {_STORED_COLUMNS} FROM {_TABLE}"  # noqa: S608
    " WHERE seq > :after AND seq <= :up_to ORDER BY seq",
    "postgresql": f"SELECT {_PG_COLUMNS} FROM {_TABLE}"  # noqa: S608
    " WHERE seq > %(after)s AND seq <= %(up_to)s ORDER BY seq",
}
