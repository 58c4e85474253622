"""Scale: flat memory while streaming, and the Dask scan giving the local scan's report."""

from __future__ import annotations

import csv
import random
import subprocess
import sys
import textwrap
from pathlib import Path

import pyarrow as pa
import pytest

import outguard
from outguard.errors import ExternalServiceError
from outguard.formats.readers import open_table
from outguard.pii.entities import Entity
from outguard.scanning import scan
from outguard.scanning.distributed import connect


def _export(path: Path, rows: int, seed: int = 7) -> Path:
    """A payroll-like export: unique SSNs (so no cache can hide growth), notes with PII."""
    rng = random.Random(seed)
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["Employee", "SSN", "Gross Pay", "Routing", "Account", "Notes"])
        for i in range(rows):
            first, last = (
                rng.choice(["Maria", "John", "Aiko"]),
                rng.choice(["Lopez", "Okafor", "Smith"]),
            )
            w.writerow(
                [
                    f"{last}, {first}",
                    f"{rng.randint(1, 665):03d}-{rng.randint(1, 99):02d}-{rng.randint(1, 9999):04d}",
                    f"{rng.random() * 5000:.2f}",
                    rng.choice(["011000015", "021000021", "122105155"]),
                    f"{rng.randint(10**7, 10**12 - 1)}",
                    f"called {first} {last} at (617) 555-01{rng.randint(10, 99)}"
                    if i % 4 == 0
                    else f"ok {i}",
                ]
            )
    return path


def test_dask_scan_is_the_local_scan(tmp_path: Path) -> None:
    from distributed import Client, LocalCluster

    path = _export(tmp_path / "payroll.csv", 6_000)
    local = scan(path, batch_rows=1_000).to_json()
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        done: list[int] = []
        remote = scan(
            path, batch_rows=1_000, dask=client, progress=done.append
        ).to_json()
    assert remote == local
    assert done[-1] == 6_000
    assert len(done) == 6
    by = {c["name"]: c for c in local["columns"]}
    assert by["SSN"]["entity"] == Entity.US_SSN
    assert by["Account"]["entity"] == Entity.BANK_ACCOUNT
    assert (
        by["Notes"]["spans"]["PERSON"] == 1_500
    )  # the file's own names, batch by batch


def test_an_unreachable_scheduler_is_named() -> None:
    with pytest.raises(ExternalServiceError, match=r"tcp://127\.0\.0\.1:9"):
        connect("tcp://127.0.0.1:9")


_RSS = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from outguard.scanning import scan

    def rss_mib():
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * 4096 // 2**20

    seen = []
    report = scan(Path(sys.argv[1]), batch_rows=5_000, progress=lambda n: seen.append(rss_mib()))
    assert report.rows == int(sys.argv[2]), report.rows
    print(*seen)
    """
)


def test_scan_memory_is_flat_while_the_file_streams(tmp_path: Path) -> None:
    rows = 80_000
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            _RSS,
            str(_export(tmp_path / "big.csv", rows)),
            str(rows),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    seen = [int(v) for v in out.stdout.split()]
    later = seen[
        len(seen) // 4 :
    ]  # after warm-up (lazy validator metadata, regex caches)
    assert max(later) - min(later) < 12, seen  # MiB, over 60,000 rows of unique values


def test_the_csv_reader_holds_one_block_not_the_file(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    line = ",".join(["512-84-3307", "Lopez, Maria", "1,234.56"] * 10) + "\n"
    with path.open("w") as f:
        f.write(",".join(f"c{i}" for i in range(30)) + "\n")
        f.write(line * 100_000)  # ~40 MB
    peak = 0
    stream = open_table(path, batch_rows=10_000)
    for _batch in stream.batches:
        peak = max(peak, pa.total_allocated_bytes())
    assert peak < 24 * 2**20, peak  # Arrow's block (4 MiB of text) and its columns


def test_library_entry_points() -> None:
    report = outguard.scan_table(
        {
            "Payee": ["Lopez, Maria", "Okafor, John", None],
            "Soc Sec #": ["512-84-3307", "231-45-6780", float("nan")],
            "Amount": [1200.5, 99.0, 3.0],
        }
    )
    assert [c.entity for c in report.columns] == [Entity.PERSON, Entity.US_SSN, None]
    assert report.columns[1].total == 2
    assert "5128" not in str(report.to_json())
    (finding,) = outguard.scan_text("Her SSN is 512-84-3307.")
    assert (finding.start, finding.end, finding.entity) == (11, 22, Entity.US_SSN)
    assert isinstance(finding, outguard.Finding)
    with pytest.raises(AttributeError):
        _ = outguard.protect_everything  # type: ignore[attr-defined]
