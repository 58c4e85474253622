"""The table scan, partitioned on a Dask cluster: same classification, same report.

The client streams the file batch by batch (so any format works and the workers need no
access to the file), classifies the columns from the first batch exactly as the local scan
does, and sends each batch to the cluster with the column plan. Batches are self-contained
(`scan_batch`), and their tallies are merged in file order, so the report is identical to
the single-process one. At most a few batches per worker thread are in flight: the client's
memory stays flat however large the file.

Only files on disk go to the cluster. Data decrypted into memory (`MemorySource`) is refused:
workers may spill the batches they hold to their own disks, which would break "nothing
decrypted to disk".
"""

from __future__ import annotations

from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING

from outguard.errors import ExternalServiceError
from outguard.formats.errors import InvalidFileError
from outguard.formats.readers import BATCH_ROWS, TABLE_SUFFIXES, open_table
from outguard.formats.sources import PathSource, Source, name_and_suffix
from outguard.pii.table.classify import classify_table
from outguard.scanning import (
    DEFAULT_SAMPLE,
    BatchTally,
    Progress,
    ScanReport,
    merge_tally,
    scan_batch,
)

if TYPE_CHECKING:
    from distributed import Client, Future

    from outguard.pii.text import NameRecogniser

IN_FLIGHT_PER_THREAD = 2


def scan_on_dask(
    path: Path | str | Source,
    client: Client,
    *,
    sample: int = DEFAULT_SAMPLE,
    ner: NameRecogniser | None = None,
    progress: Progress | None = None,
    batch_rows: int = BATCH_ROWS,
) -> ScanReport:
    """Scan a table on the cluster behind `client` (NER, if given, runs on the workers)."""
    name, suffix = name_and_suffix(path)
    if not isinstance(path, (Path, str, PathSource)):
        raise InvalidFileError(
            f"{name}: Dask scans only files on disk (its workers may spill batches "
            "to their disks); scan data held in memory without a Dask client."
        )
    if suffix not in TABLE_SUFFIXES:
        raise InvalidFileError(
            f"{name}: only tables (CSV, TSV, XLSX, Parquet, JSON lines) scan on Dask."
        )
    stream = open_table(path, batch_rows=batch_rows)
    report = ScanReport(name, "table", notes=stream.notes)
    batches = iter(stream.batches)
    first = next(batches, None)
    if first is None:
        report.columns = classify_table(stream.names, [[] for _ in stream.names])
        return report
    report.columns = classify_table(stream.names, [col[:sample] for col in first])
    plan = report.columns  # small: sent with each batch
    workers = client.nthreads()  # type: ignore[no-untyped-call]
    threads = max(1, sum(workers.values()))
    pending: deque[Future[BatchTally]] = deque()

    def drain(keep: int) -> None:
        while len(pending) > keep:
            merge_tally(report, pending.popleft().result())
            if progress is not None:
                progress(report.rows)

    pending.append(client.submit(scan_batch, plan, first, ner, pure=False))
    for batch in batches:
        drain(threads * IN_FLIGHT_PER_THREAD - 1)
        pending.append(client.submit(scan_batch, plan, batch, ner, pure=False))
    drain(0)
    return report


def connect(address: str) -> Client:
    """A client of the scheduler at `address` (e.g. tcp://10.0.0.5:8786)."""
    from distributed import Client  # noqa: PLC0415 - only when a cluster is asked for

    try:
        return Client(address, timeout="10s")  # type: ignore[no-untyped-call]
    except (OSError, TimeoutError, ValueError) as exc:
        msg = f"Cannot reach the Dask scheduler at {address}: {exc}"
        raise ExternalServiceError(msg) from exc
