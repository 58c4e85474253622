"""Composition root of the worker: a standalone process, or a thread in `outguard serve`.

    python -m outguard.worker.main      # or: outguard worker

reads the settings from the environment, connects to the database and runs jobs until
SIGINT or SIGTERM, finishing the job in hand first.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from types import FrameType

from sqlalchemy import Engine

from outguard.db import make_engine, make_session_factory
from outguard.errors import OutguardError
from outguard.instance.checkpoints import Checkpointer
from outguard.jobs.runner import JobRunner, WorkerThread, safe_error
from outguard.settings import Settings, load_settings
from outguard.shares.ending import SWEEP_JOB
from outguard.types import SystemClock
from outguard.worker.registry import REMIND, build_registry
from outguard.worker.schedule import DailyJob, ticks

log = logging.getLogger(__name__)


def make_runner(settings: Settings, *, engine: Engine | None = None) -> JobRunner:
    engine = engine or make_engine(settings.database_url, echo=settings.database.echo)
    return JobRunner(
        make_session_factory(engine),
        build_registry(settings),
        clock=SystemClock(),
        settings=settings.jobs,
    )


def make_schedule(settings: Settings, engine: Engine) -> DailyJob | None:
    """The daily reminder e-mails, unless the settings turn them off."""
    if not settings.jobs.reminders:
        return None
    return DailyJob(
        make_session_factory(engine),
        SystemClock(),
        kind=REMIND,
        hour_utc=settings.jobs.reminders_hour_utc,
        max_attempts=settings.jobs.max_attempts,
    )


def make_expiry(settings: Settings, engine: Engine) -> DailyJob | None:
    """Shares past their end date are shredded at the start of each UTC day.

    Access was already refused at the end date itself: it is checked at every request.
    """
    if not settings.jobs.expire_shares:
        return None
    return DailyJob(
        make_session_factory(engine),
        SystemClock(),
        kind=SWEEP_JOB,
        hour_utc=0,
        max_attempts=settings.jobs.max_attempts,
    )


def _housekeeping(
    checkpointer: Checkpointer | None,
    schedule: DailyJob | None,
    expiry: DailyJob | None,
) -> Callable[[], None] | None:
    return ticks(
        checkpointer.tick if checkpointer is not None else None,
        schedule.tick if schedule is not None else None,
        expiry.tick if expiry is not None else None,
    )


def make_checkpointer(settings: Settings, engine: Engine) -> Checkpointer | None:
    """The audit checkpoint schedule, if this instance has (or can make) its audit key."""
    try:
        return Checkpointer(settings, make_session_factory(engine), SystemClock())
    except OutguardError as exc:
        log.warning("audit checkpoints are off: %s", exc.message)
        return None


def _final_checkpoint(checkpointer: Checkpointer | None) -> None:
    if checkpointer is None:
        return
    try:
        checkpointer.final()
    except Exception as exc:  # noqa: BLE001 - shutdown must finish
        log.error("final audit checkpoint failed: %s", safe_error(exc))  # noqa: TRY400


def start_worker_thread(settings: Settings) -> WorkerThread:
    """Start the embedded worker; the caller stops it with `.stop()`."""
    engine = make_engine(settings.database_url, echo=settings.database.echo)
    checkpointer = make_checkpointer(settings, engine)

    def on_exit() -> None:
        _final_checkpoint(checkpointer)
        engine.dispose()

    thread = WorkerThread(
        make_runner(settings, engine=engine),
        poll_interval=settings.jobs.poll_interval_seconds,
        on_exit=on_exit,
        tick=_housekeeping(
            checkpointer, make_schedule(settings, engine), make_expiry(settings, engine)
        ),
    )
    thread.start()
    return thread


def run_worker(settings: Settings, *, stop: threading.Event | None = None) -> None:
    """Run until SIGINT or SIGTERM (or `stop` is set); finishes the job in hand first."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    stop = stop or threading.Event()
    engine = make_engine(settings.database_url, echo=settings.database.echo)
    runner = make_runner(settings, engine=engine)
    checkpointer = make_checkpointer(settings, engine)

    def _stop(signum: int, _frame: FrameType | None) -> None:
        log.info("signal %s: stopping after the current job", signum)
        stop.set()

    if threading.current_thread() is threading.main_thread():
        previous = {
            sig: signal.signal(sig, _stop) for sig in (signal.SIGINT, signal.SIGTERM)
        }
    else:  # signals can only be handled in the main thread
        previous = {}
    log.info("worker %s started", runner.worker_id)
    try:
        runner.run_until_stopped(
            stop,
            poll_interval=settings.jobs.poll_interval_seconds,
            tick=_housekeeping(
                checkpointer,
                make_schedule(settings, engine),
                make_expiry(settings, engine),
            ),
        )
    finally:
        _final_checkpoint(checkpointer)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        engine.dispose()
        log.info("worker %s stopped", runner.worker_id)


def main() -> None:
    run_worker(load_settings())


if __name__ == "__main__":
    main()
