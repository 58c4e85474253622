"""`outguard jobs list` — what long-running work is queued, running, done or dead."""

from __future__ import annotations

import typer

from outguard.cli.context import CliContext
from outguard.cli.output import print_json, print_table
from outguard.jobs import queue

app = typer.Typer(help="Background jobs and their state.", no_args_is_help=True)


@app.command("list")
def list_(
    ctx: typer.Context,
    limit: int = typer.Option(50, min=1, max=1000, help="How many, newest first."),
    json_output: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """List recent jobs with state, attempts and progress."""
    cli: CliContext = ctx.obj
    with cli.transaction() as session:
        jobs = queue.list_jobs(session, limit=limit)
        rows = [
            {
                "id": str(j.id),
                "kind": j.kind,
                "state": j.state,
                "attempts": j.attempts,
                "max_attempts": j.max_attempts,
                "progress": j.progress,
                "created_at": j.created_at,
                "finished_at": j.finished_at,
                "last_error": j.last_error,
            }
            for j in jobs
        ]
    if json_output:
        print_json(rows)
        return
    print_table(
        "Jobs",
        ["kind", "state", "attempts", "progress", "created", "error"],
        [
            [
                r["kind"],
                r["state"],
                f"{r['attempts']}/{r['max_attempts']}",
                "" if r["progress"] is None else f"{r['progress']:.0%}",
                r["created_at"],
                r["last_error"],
            ]
            for r in rows
        ],
        empty="No jobs yet.",
    )
