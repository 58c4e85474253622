"""Every job kind and its handler. Features add theirs here (thin: call a service)."""

from __future__ import annotations

from typing import Any

from outguard.db import Session
from outguard.jobs.runner import JobContext, JobRegistry

NOOP = "noop"


def _noop(session: Session, ctx: JobContext) -> dict[str, Any]:
    """A smoke-test job: proves a worker is alive and reaches the database."""
    _ = session
    ctx.report_progress(1.0, "done")
    return {"ok": True, "attempt": ctx.attempt}


def build_registry() -> JobRegistry:
    registry = JobRegistry()
    registry.register(NOOP, _noop)
    return registry
