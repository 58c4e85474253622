"""The collector pause around a batch: nested and threaded users, the previous state kept."""

from __future__ import annotations

import gc
import threading

from outguard.renditions.collector import collector_paused


def test_paused_inside_restored_after_and_nesting_counts():
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer user still works
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off():
    gc.disable()
    try:
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_restored_after_an_error():
    try:
        with collector_paused():
            raise ValueError("boom")  # noqa: TRY301 - the error is the test
    except ValueError:
        pass
    assert gc.isenabled()


def test_threads_share_one_count():
    inside = threading.Barrier(2)
    leave = threading.Event()

    def work() -> None:
        with collector_paused():
            inside.wait()
            leave.wait()

    thread = threading.Thread(target=work)
    thread.start()
    with collector_paused():
        inside.wait()
    assert not gc.isenabled()  # the other thread is still inside
    leave.set()
    thread.join()
    assert gc.isenabled()
