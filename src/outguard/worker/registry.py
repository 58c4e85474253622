"""Every job kind and its handler. Features add theirs here (thin: call a service)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import cache
from typing import Any

from outguard.accounts.service import AccountsDeps, build_accounts_deps
from outguard.datasets.service import (
    SCAN_JOB,
    DatasetsDeps,
    build_datasets_deps,
    scan_version,
)
from outguard.db import Session
from outguard.engagements.service import reminders
from outguard.instance import load_app_secret
from outguard.jobs.runner import JobContext, JobRegistry
from outguard.keystore.provider import make_key_provider
from outguard.mail import make_mailer
from outguard.settings import Settings
from outguard.shares.attest import remind_attestations
from outguard.shares.ending import SWEEP_JOB, sweep_expired
from outguard.shares.service import RENDER_JOB, render_recipient
from outguard.storage import make_blob_store
from outguard.types import Actor, SystemClock

NOOP = "noop"
REMIND = "engagements.remind"


def _noop(session: Session, ctx: JobContext) -> dict[str, Any]:
    """A smoke-test job: proves a worker is alive and reaches the database."""
    _ = session
    ctx.report_progress(1.0, "done")
    return {"ok": True, "attempt": ctx.attempt}


def _remind(
    deps: Callable[[], AccountsDeps],
) -> Callable[[Session, JobContext], dict[str, Any]]:
    def handler(session: Session, ctx: JobContext) -> dict[str, Any]:
        """The day's reminder e-mails (idempotent: a re-run sends nothing new)."""
        sent = reminders.send_reminders(
            session, Actor.system("worker:reminders"), deps=deps()
        )
        ctx.report_progress(1.0, f"{sent} e-mail(s)")
        return {"sent": sent}

    return handler


def _scan(
    deps: Callable[[], DatasetsDeps],
) -> Callable[[Session, JobContext], dict[str, Any]]:
    def handler(session: Session, ctx: JobContext) -> dict[str, Any]:
        """Scan an uploaded dataset version (in memory, never decrypted to disk)."""
        version = scan_version(
            session, uuid.UUID(str(ctx.payload["version_id"])), deps=deps()
        )
        ctx.report_progress(1.0, version.state)
        return {"state": version.state, "flags": version.flags}

    return handler


def _render(
    deps: Callable[[], DatasetsDeps],
) -> Callable[[Session, JobContext], dict[str, Any]]:
    def handler(session: Session, ctx: JobContext) -> dict[str, Any]:
        """Make one agent's rendition of a share (in memory) and seal it."""
        recipient = render_recipient(
            session,
            uuid.UUID(str(ctx.payload["recipient_id"])),
            deps=deps(),
            progress=ctx.report_progress,
        )
        ctx.report_progress(1.0, recipient.state)
        return {"state": recipient.state, "rows": recipient.rows}

    return handler


def _expire(
    deps: Callable[[], DatasetsDeps], accounts: Callable[[], AccountsDeps]
) -> Callable[[Session, JobContext], dict[str, Any]]:
    def handler(session: Session, ctx: JobContext) -> dict[str, Any]:
        """Shred expired shares' copies; remind vendors of deletion statements owed."""
        count = sweep_expired(session, deps=deps())
        reminded = remind_attestations(session, deps=accounts())
        ctx.report_progress(1.0, f"{count} share(s)")
        return {"expired": count, "attestation_reminders": reminded}

    return handler


def build_registry(
    settings: Settings | None = None,
    *,
    accounts_deps: AccountsDeps | None = None,
    datasets_deps: DatasetsDeps | None = None,
) -> JobRegistry:
    """The handlers. Without settings, only the smoke-test job (no instance needed)."""
    registry = JobRegistry()
    registry.register(NOOP, _noop)
    if settings is not None:

        @cache
        def deps() -> (
            AccountsDeps
        ):  # built at the first job: needs the instance's secret
            return accounts_deps or build_accounts_deps(
                settings,
                app_secret=load_app_secret(settings),
                clock=SystemClock(),
                mailer=make_mailer(settings),
            )

        @cache
        def data_deps() -> DatasetsDeps:
            return datasets_deps or build_datasets_deps(
                settings,
                clock=SystemClock(),
                blobs=make_blob_store(settings),
                keys=make_key_provider(settings),
            )

        registry.register(REMIND, _remind(deps))
        registry.register(SCAN_JOB, _scan(data_deps))
        registry.register(RENDER_JOB, _render(data_deps))
        registry.register(SWEEP_JOB, _expire(data_deps, deps))
    return registry
