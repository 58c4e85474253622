"""Browser tests: a real `outguard serve` subprocess on a free port, Debian chromium."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, expect

from outguard.accounts.service.demo import DEMO_PASSWORD, demo_people
from tests.e2e.pages import LoginPage
from tests.support.postgres import free_port

PEOPLE = {p.email: p for p in demo_people()}
CHROMIUM = os.environ.get("OUTGUARD_CHROMIUM", "/usr/bin/chromium")


@dataclass
class LiveServer:
    url: str
    env: dict[str, str]
    home: Path

    def cli(self, *args: str) -> str:
        out = subprocess.run(
            [sys.executable, "-m", "outguard", *args],
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        return out.stdout

    def totp(self, email: str) -> str:
        return self.cli("demo", "totp", email).strip()

    def outbox(self) -> list[str]:
        return [p.read_text() for p in sorted((self.home / "outbox").glob("*.eml"))]


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    home = tmp_path_factory.mktemp("e2e") / "home"
    port = free_port()
    env = {
        **os.environ,
        "OUTGUARD_HOME": str(home),
        "OUTGUARD_DEMO": "true",
        "OUTGUARD_WEB__BASE_URL": f"http://127.0.0.1:{port}",
        "OUTGUARD_AUTH__ARGON2_TIME_COST": "1",
        "OUTGUARD_AUTH__ARGON2_MEMORY_KIB": "1024",
        "OUTGUARD_AUTH__ARGON2_PARALLELISM": "1",
    }
    env.pop("OUTGUARD_DATABASE__URL", None)
    server = LiveServer(url=f"http://127.0.0.1:{port}", env=env, home=home)
    server.cli("init")
    server.cli("demo")
    log = (home / "server.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "outguard", "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{server.url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail(
                    "outguard serve did not start:\n"
                    + (home / "server.log").read_text()
                )
            time.sleep(0.2)
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def signed_in_state(live_server, browser: Browser, tmp_path_factory):
    """Sign each demo user in once (a TOTP code works once) and keep the browser state."""
    states: dict[str, str] = {}

    def get(email: str) -> str:
        if email not in states:
            context = browser.new_context()
            page = context.new_page()
            login = LoginPage(page, live_server.url).open()
            login.password_step(email, DEMO_PASSWORD)
            if PEOPLE[email].has_mfa:
                login.code_step(live_server.totp(email))
            expect(
                page.get_by_role("heading", name=re.compile("Hello|Overview|Welcome"))
            ).to_be_visible()
            path = tmp_path_factory.mktemp("state") / "state.json"
            context.storage_state(path=str(path))
            context.close()
            states[email] = str(path)
        return states[email]

    return get
