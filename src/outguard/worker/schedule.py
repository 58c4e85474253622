"""Jobs the worker enqueues on its own, once a day (today: engagement reminder e-mails).

The worker loop calls `tick()` after every round. It is cheap when nothing is due (no query
until the hour has come, then one per day), and safe with several workers: the queue
enqueues at most one job per kind per UTC day (`jobs.queue.enqueue_once_since`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, date, datetime, time

from outguard.db import SessionFactory, unit_of_work
from outguard.jobs import queue
from outguard.types import Clock

log = logging.getLogger(__name__)


class DailyJob:
    """Enqueue `kind` once per UTC day, from `hour_utc` on."""

    def __init__(
        self,
        factory: SessionFactory,
        clock: Clock,
        *,
        kind: str,
        hour_utc: int,
        max_attempts: int,
    ) -> None:
        self._factory = factory
        self._clock = clock
        self._kind = kind
        self._hour = hour_utc
        self._max_attempts = max_attempts
        self._done_for: date | None = None

    def tick(self) -> bool:
        """True when this call enqueued the day's job."""
        now = self._clock.now().astimezone(UTC)
        today = now.date()
        if now.hour < self._hour or self._done_for == today:
            return False
        with unit_of_work(self._factory) as session:
            job = queue.enqueue_once_since(
                session,
                kind=self._kind,
                since=datetime.combine(today, time(0), tzinfo=UTC),
                payload={"day": today.isoformat()},
                clock=self._clock,
                max_attempts=self._max_attempts,
            )
        self._done_for = today
        if job is not None:
            log.info("scheduled %s for %s", self._kind, today.isoformat())
        return job is not None


def ticks(*calls: Callable[[], object] | None) -> Callable[[], None] | None:
    """One tick from several; each runs even when an earlier one raises.

    The last error is raised after all ran, for the loop to log.
    """
    funcs = [c for c in calls if c is not None]
    if not funcs:
        return None

    def tick() -> None:
        error: Exception | None = None
        for func in funcs:
            try:
                func()
            except Exception as exc:  # noqa: BLE001 - the others still run
                error = exc
        if error is not None:
            raise error

    return tick
