"""Composition root of the worker process, and the embedded worker of `outguard serve`."""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType

from outguard.db import make_engine, make_session_factory
from outguard.jobs.runner import JobRunner, WorkerThread
from outguard.settings import Settings, load_settings
from outguard.types import SystemClock
from outguard.worker.registry import build_registry

log = logging.getLogger(__name__)


def make_runner(settings: Settings) -> JobRunner:
    factory = make_session_factory(make_engine(settings.database_url))
    return JobRunner(
        factory, build_registry(), clock=SystemClock(), settings=settings.jobs
    )


def start_worker_thread(settings: Settings) -> WorkerThread:
    thread = WorkerThread(
        make_runner(settings), poll_interval=settings.jobs.poll_interval_seconds
    )
    thread.start()
    return thread


def run_worker(settings: Settings) -> None:
    """Run until SIGINT or SIGTERM; finishes the job in hand first."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    runner = make_runner(settings)
    stop = threading.Event()

    def _stop(signum: int, _frame: FrameType | None) -> None:
        log.info("signal %s: stopping after the current job", signum)
        stop.set()

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    log.info("worker %s started", runner.worker_id)
    while not stop.is_set():
        if not runner.run_once():
            stop.wait(settings.jobs.poll_interval_seconds)


def main() -> None:
    run_worker(load_settings())


if __name__ == "__main__":
    main()
