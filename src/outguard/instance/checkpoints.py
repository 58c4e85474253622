"""Signing audit checkpoints on a schedule: every N events, every T seconds, at shutdown."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from outguard.audit.checkpoint import SignerKey
from outguard.audit.ledger import make_checkpoint
from outguard.db import SessionFactory, unit_of_work
from outguard.instance.audit_keys import audit_signer
from outguard.settings import Settings
from outguard.types import Clock

log = logging.getLogger(__name__)


class Checkpointer:
    """Called from the worker loop; cheap when nothing is due (one small query)."""

    def __init__(
        self,
        settings: Settings,
        factory: SessionFactory,
        clock: Clock,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        signer: SignerKey | None = None,
    ) -> None:
        self._factory = factory
        self._clock = clock
        self._every_events = settings.audit.checkpoint_every_events
        self._every_seconds = settings.audit.checkpoint_every_seconds
        self._monotonic = monotonic
        self._last = monotonic()
        self._signer = signer or audit_signer(settings)[0]

    def _sign(self, min_new_events: int) -> int | None:
        with unit_of_work(self._factory) as session:
            row = make_checkpoint(
                session, self._signer, clock=self._clock, min_new_events=min_new_events
            )
            return None if row is None else row.tree_size

    def tick(self) -> int | None:
        """Sign if N events are new, or T seconds passed with any new event."""
        overdue = self._monotonic() - self._last >= self._every_seconds
        size = self._sign(1 if overdue else self._every_events)
        if size is not None or overdue:
            self._last = self._monotonic()
        if size is not None:
            log.info("audit checkpoint signed at tree size %d", size)
        return size

    def final(self) -> int | None:
        """At shutdown: sign whatever is new, so the last events are covered too."""
        return self._sign(1)
