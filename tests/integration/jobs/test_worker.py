"""The worker composition root: registry, in-process loop, and the standalone process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from sqlalchemy import delete

from outguard.db import make_session_factory, unit_of_work
from outguard.jobs import queue
from outguard.jobs.models import Job, JobState
from outguard.jobs.runner import JobRunner
from outguard.settings import JobSettings
from outguard.types import SystemClock
from outguard.worker.main import run_worker, start_worker_thread
from outguard.worker.registry import NOOP, build_registry

FAST = JobSettings(
    poll_interval_seconds=0.05,
    run_in_process=False,
    reminders=False,
    expire_shares=False,
)


@pytest.fixture
def factory(engine):
    f = make_session_factory(engine)
    with unit_of_work(f) as s:
        s.execute(delete(Job))
    yield f
    with unit_of_work(f) as s:
        s.execute(delete(Job))


@pytest.fixture
def fast_settings(settings):
    return settings.model_copy(update={"jobs": FAST})


def _enqueue_noop(factory):
    with unit_of_work(factory) as s:
        return queue.enqueue(s, kind=NOOP, payload={}, clock=SystemClock()).id


def _wait_for(factory, job_id, state, timeout=20.0) -> Job:
    deadline = time.monotonic() + timeout
    while True:
        with unit_of_work(factory) as s:
            job = queue.get(s, job_id)
        if job.state == state:
            return job
        assert time.monotonic() < deadline, f"job still {job.state}"
        time.sleep(0.05)


def test_registry_has_the_noop_smoke_job(factory, clock):
    registry = build_registry()
    assert registry.kinds == [NOOP]
    with unit_of_work(factory) as s:
        job_id = queue.enqueue(s, kind=NOOP, payload={}, clock=clock).id
    runner = JobRunner(factory, registry, clock=clock, settings=FAST)
    assert runner.run_until_idle() == 1
    job = _wait_for(factory, job_id, JobState.SUCCEEDED)
    assert job.result == {"ok": True, "attempt": 1}


def test_embedded_worker_thread(factory, fast_settings):
    thread = start_worker_thread(fast_settings)
    try:
        job_id = _enqueue_noop(factory)
        _wait_for(factory, job_id, JobState.SUCCEEDED)
    finally:
        thread.stop()
    assert not thread.is_alive()


def test_run_worker_until_stopped(factory, fast_settings):
    stop = threading.Event()
    worker = threading.Thread(
        target=run_worker, args=(fast_settings,), kwargs={"stop": stop}
    )
    worker.start()
    try:
        job_id = _enqueue_noop(factory)
        _wait_for(factory, job_id, JobState.SUCCEEDED)
    finally:
        stop.set()
        worker.join(10)
    assert not worker.is_alive()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_standalone_worker_process_stops_on_signal(
    factory, database_url, tmp_path, sig
):
    env = {
        **os.environ,
        "OUTGUARD_ENVIRONMENT": "test",
        "OUTGUARD_HOME": str(tmp_path / "home"),
        "OUTGUARD_DATABASE__URL": database_url,
        "OUTGUARD_JOBS__POLL_INTERVAL_SECONDS": "0.05",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "outguard.worker.main"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        job_id = _enqueue_noop(factory)
        _wait_for(factory, job_id, JobState.SUCCEEDED, timeout=60)
        process.send_signal(sig)
        output, _ = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, output
    assert "stopping after the current job" in output
    assert "stopped" in output
