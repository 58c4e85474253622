"""A throwaway PostgreSQL server for the test session: initdb + pg_ctl on loopback.

Runs the server as an unprivileged user when the tests run as root (initdb refuses root).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


def find_pg_bin() -> Path | None:
    initdb = shutil.which("initdb")
    if initdb:
        return Path(os.path.realpath(initdb)).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    return Path(candidates[0]).parent if candidates else None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PostgresServer:
    bin_dir: Path
    base_dir: Path
    port: int
    run_as: str | None

    @property
    def data_dir(self) -> Path:
        return self.base_dir / "data"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.bin_dir / args[0]), *args[1:]],
            check=True,
            capture_output=True,
            text=True,
            user=self.run_as,
            cwd=self.base_dir,
        )

    def start(self) -> None:
        self._run(
            "initdb",
            "-D",
            str(self.data_dir),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-sync",
            "--locale=C",
        )
        opts = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} "
            f"-c unix_socket_directories={self.base_dir} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=100"
        )
        self._run(
            "pg_ctl",
            "-D",
            str(self.data_dir),
            "-o",
            opts,
            "-w",
            "-t",
            "60",
            "-l",
            str(self.base_dir / "server.log"),
            "start",
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(
            "PostgreSQL did not start; see " + str(self.base_dir / "server.log")
        )

    def stop(self) -> None:
        try:
            self._run(
                "pg_ctl", "-D", str(self.data_dir), "-m", "immediate", "-w", "stop"
            )
        finally:
            shutil.rmtree(self.base_dir, ignore_errors=True)

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres",
            autocommit=True,
        ) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def start_postgres() -> PostgresServer:
    bin_dir = find_pg_bin()
    if bin_dir is None:
        msg = "PostgreSQL server binaries not found: install the 'postgresql' package"
        raise RuntimeError(msg)
    base = Path(tempfile.mkdtemp(prefix="outguard-pg-"))
    run_as = None
    if os.geteuid() == 0:
        run_as = "nobody"
        entry = pwd.getpwnam(run_as)
        os.chown(base, entry.pw_uid, entry.pw_gid)
        os.chmod(base, 0o700)
    server = PostgresServer(
        bin_dir=bin_dir, base_dir=base, port=free_port(), run_as=run_as
    )
    server.start()
    return server


def server_version() -> str:
    bin_dir = find_pg_bin()
    if bin_dir is None:
        return "not installed"
    out = subprocess.run(
        [str(bin_dir / "postgres"), "--version"], capture_output=True, text=True
    )
    return out.stdout.strip()
