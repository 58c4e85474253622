"""`outguard scan PATH...` — which columns and spans of a file hold personal data."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from outguard.cli.output import console, print_json, print_table
from outguard.scanning import DEFAULT_SAMPLE, ScanReport, scan


def _print(report: ScanReport) -> None:
    if report.kind == "table":
        rows = [
            [
                escape(c.name),
                c.entity.value
                if c.entity
                else ("free text" if c.kind == "free_text" else "—"),
                f"{c.confidence:.2f}" if c.kind != "not_pii" else "",
                f"{c.matched:,}/{c.total:,}" if c.kind != "not_pii" else "",
                ", ".join(f"{k} {v:,}" for k, v in sorted(c.spans.items()))
                or ", ".join(c.examples),
            ]
            for c in report.columns
        ]
        print_table(
            f"{escape(report.path)}: {report.rows:,} rows, {len(report.pii_columns)} column(s) with personal data",
            ["column", "entity", "confidence", "matched", "examples (masked) / spans"],
            rows,
            empty="No columns.",
        )
    else:
        counts: dict[str, int] = {}
        for f in report.findings:
            counts[f.entity.value] = counts.get(f.entity.value, 0) + 1
        print_table(
            f"{escape(report.path)}: {len(report.findings)} span(s) of personal data",
            ["entity", "spans"],
            [[k, f"{v:,}"] for k, v in sorted(counts.items())],
            empty="No personal data found.",
        )
    for note in report.notes:
        console.print(f"[dim]{escape(note)}[/]")


def scan_command(
    paths: list[Path] = typer.Argument(
        ...,
        help="Files to scan: CSV, TSV, XLSX, Parquet, JSON lines, TXT, PDF, DOCX, .eml.",
    ),
    json_output: bool = typer.Option(
        False, "--json", help="Print the report as JSON (no raw values, ever)."
    ),
    sample: int = typer.Option(
        DEFAULT_SAMPLE,
        "--sample",
        min=10,
        max=100_000,
        help="Rows sampled to classify columns before confirming over all rows.",
    ),
    ner: bool = typer.Option(
        False,
        "--ner/--no-ner",
        help="Also find person names with spaCy's NER (slower).",
    ),
    dask_address: str | None = typer.Option(
        None,
        "--dask",
        metavar="ADDRESS",
        help="Scan tables partitioned on the Dask scheduler at ADDRESS "
        "(e.g. tcp://10.0.0.5:8786); the report is the same as a local scan.",
    ),
) -> None:
    """Find the personal data in files before they leave: columns and free-text spans.

    Tables: each column is classified from its header, a sample of values and its
    neighbours, then confirmed over every row. Free-text columns and text files are scanned
    span by span. Reports show masked examples only (e.g. `***-**-1234`).
    """
    recogniser = None
    if ner:
        from outguard.pii.ner import SpacyNames  # noqa: PLC0415 - loads spaCy

        recogniser = SpacyNames()
    client = None
    if dask_address:
        from outguard.scanning.distributed import connect  # noqa: PLC0415 - loads dask

        client = connect(dask_address)
    reports = []
    for path in paths:
        with Progress(
            TextColumn(f"scanning {escape(path.name)}"),
            BarColumn(),
            TextColumn("{task.completed:,} rows"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            disable=json_output,
        ) as bar:
            task = bar.add_task("scan", total=None)

            def advance(rows: int, task: TaskID = task, bar: Progress = bar) -> None:
                bar.update(task, completed=rows)

            report = scan(
                path, sample=sample, ner=recogniser, progress=advance, dask=client
            )
        reports.append(report)
        if not json_output:
            _print(report)
    if client is not None:
        client.close()  # type: ignore[no-untyped-call]
    if json_output:
        print_json(
            [r.to_json() for r in reports] if len(reports) > 1 else reports[0].to_json()
        )
