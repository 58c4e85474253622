"""`outguard dataset …`: upload a client's file (sealed at once), list, show the scan."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import nullcontext
from pathlib import Path

import typer
from rich.markup import escape
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TransferSpeedColumn,
)

from outguard.accounts.service import orgs
from outguard.cli.context import CliContext
from outguard.cli.output import console, print_json, print_table
from outguard.datasets.models import DatasetVersion
from outguard.datasets.service import (
    entity_counts,
    find_dataset_for_operator,
    list_datasets,
    scan_version,
    upload,
    versions,
)

app = typer.Typer(
    help=(
        "Datasets: a client's files, encrypted as they are read in, kept in versions, and "
        "scanned for personal data. People upload on the Datasets page or with the API; "
        "these commands are for operators and scripts (they act as the system)."
    ),
    no_args_is_help=True,
)

_CHUNK = 1 << 20


def _read(path: Path, progress: Progress) -> Iterator[bytes]:
    task = progress.add_task(f"sealing {escape(path.name)}", total=path.stat().st_size)
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            progress.advance(task, len(chunk))
            yield chunk


def _version_row(v: DatasetVersion) -> dict[str, object]:
    counts = entity_counts(v)
    return {
        "version": v.number,
        "id": v.id,
        "file": v.filename,
        "kind": v.kind,
        "size": v.size,
        "state": v.state,
        "flags": ", ".join(v.flags),
        "found": ", ".join(f"{k} {n:,}" for k, n in sorted(counts.items())),
        "error": v.error or "",
    }


@app.command("upload")
def upload_command(
    ctx: typer.Context,
    path: Path = typer.Argument(
        ..., exists=True, dir_okay=False, readable=True, help="The file to upload."
    ),
    org: str = typer.Option(..., "--org", help="The client organisation (name or id)."),
    name: str | None = typer.Option(
        None, "--name", help="The dataset's name (default: the file name)."
    ),
    to: str | None = typer.Option(
        None,
        "--to",
        metavar="DATASET",
        help="Add a new version of this dataset (name or id) instead of a new dataset.",
    ),
    scan_now: bool = typer.Option(
        True,
        "--scan/--no-scan",
        help="Scan here at once (default), or leave it to the worker's queued job.",
    ),
    json_output: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Upload a file: it is encrypted as it is read, stored, and scanned.

    Example: `outguard dataset upload payroll.csv --org "Maple Street Bookkeeping"`.
    """
    cli: CliContext = ctx.obj
    deps = cli.datasets_deps
    with cli.transaction() as session:
        client = orgs.find_org_for_operator(session, cli.actor, org)
        dataset_id = (
            find_dataset_for_operator(session, cli.actor, to).id if to else None
        )
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            console=console,
            disable=json_output,
            transient=True,
        ) as progress:
            version = upload(
                session,
                cli.actor,
                org_id=client.id,
                filename=path.name,
                chunks=_read(path, progress),
                deps=deps,
                name=name,
                dataset_id=dataset_id,
            )
        version_id: uuid.UUID = version.id
    if scan_now:
        with (
            console.status("scanning…", spinner="dots")
            if not json_output
            else nullcontext(),
            cli.transaction() as session,
        ):
            version = scan_version(session, version_id, deps=deps)
    row = _version_row(version)
    if json_output:
        print_json({**row, "dataset_id": version.dataset_id, "report": version.report})
        return
    console.print(
        f"[green]Stored[/] {escape(path.name)} as version {version.number} "
        f"({version.size:,} bytes, encrypted): {version.state}."
    )
    if version.flags:
        console.print(f"[yellow]Flagged:[/] {', '.join(version.flags)}")
    if row["found"]:
        console.print(f"Personal data found: {row['found']}")
    if version.error:
        console.print(f"[red]Could not read it:[/] {escape(version.error)}")


@app.command("list")
def list_command(
    ctx: typer.Context,
    json_output: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Every dataset, with its latest version's state and what its scan found."""
    cli: CliContext = ctx.obj
    with cli.transaction() as session:
        rows = [
            {
                "name": s.dataset.name,
                "id": s.dataset.id,
                "client": s.dataset.client_org_id,
                "versions": s.versions,
                **(_version_row(s.latest) if s.latest else {}),
            }
            for s in list_datasets(session, cli.actor)
        ]
    if json_output:
        print_json(rows)
        return
    print_table(
        "Datasets",
        ["name", "versions", "state", "found", "flags", "id"],
        [
            [
                r.get(c, "")
                for c in ("name", "versions", "state", "found", "flags", "id")
            ]
            for r in rows
        ],
        empty="No datasets yet. Upload one: `outguard dataset upload FILE --org CLIENT`.",
    )


@app.command("show")
def show_command(
    ctx: typer.Context,
    dataset: str = typer.Argument(..., help="Dataset name or id."),
    json_output: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """A dataset's versions and its latest scan: columns, entities, counts, masked examples."""
    cli: CliContext = ctx.obj
    with cli.transaction() as session:
        found = find_dataset_for_operator(session, cli.actor, dataset)
        all_versions = versions(session, cli.actor, found.id)
        rows = [_version_row(v) for v in all_versions]
        report = all_versions[0].report if all_versions else None
    if json_output:
        print_json(
            {"name": found.name, "id": found.id, "versions": rows, "report": report}
        )
        return
    print_table(
        f"{found.name}: versions",
        ["version", "file", "size", "state", "found", "flags"],
        [
            [r[c] for c in ("version", "file", "size", "state", "found", "flags")]
            for r in rows
        ],
        empty="No versions.",
    )
    if report and report.get("columns"):
        print_table(
            "Latest scan: columns",
            ["column", "kind", "entity", "matched", "examples"],
            [
                [
                    c["name"],
                    c["kind"],
                    c["entity"]
                    or ", ".join(f"{k} {n}" for k, n in (c.get("spans") or {}).items()),
                    f"{c['matched']:,}/{c['total']:,}",
                    ", ".join(c["examples"][:3]),
                ]
                for c in report["columns"]
            ],
            empty="",
        )
