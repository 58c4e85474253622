"""Every job kind and its handler. Features add theirs here (thin: call a service)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from outguard.jobs.runner import JobContext, JobRegistry


def _noop(session: Session, ctx: JobContext) -> dict[str, Any]:
    """A smoke-test job: proves the worker is alive."""
    _ = session
    ctx.report_progress(1.0, "done")
    return {"ok": True}


def build_registry() -> JobRegistry:
    registry = JobRegistry()
    registry.register("noop", _noop)
    return registry
