"""`outguard keys status|rotate` — the encryption key hierarchy of each tenant."""

from __future__ import annotations

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from outguard.cli.context import CliContext
from outguard.cli.output import console, print_json, print_table
from outguard.keystore import service as keys
from outguard.keystore.provider import make_key_provider

app = typer.Typer(
    help="Encryption keys: see each tenant's key versions; rotate (new version + rewrap of data keys).",
    no_args_is_help=True,
)


@app.command("status")
def status(
    ctx: typer.Context,
    json_output: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Key-encryption-key versions and how many data keys each wraps."""
    cli: CliContext = ctx.obj
    with cli.transaction() as session:
        rows = [keys.status(session, tenant=t) for t in keys.tenants(session)]
    if json_output:
        print_json(rows)
        return
    print_table(
        "Key-encryption keys",
        ["tenant", "version", "state", "data keys", "root key", "created"],
        [
            [
                r["tenant"],
                k["version"],
                k["state"],
                r["data_keys_by_version"].get(k["version"], 0),  # type: ignore[attr-defined]
                k["root_key_id"],
                k["created_at"],
            ]
            for r in rows
            for k in r["keks"]  # type: ignore[attr-defined]
        ],
        empty="No keys yet: they are created with the first encrypted file.",
    )


@app.command("rotate")
def rotate(
    ctx: typer.Context,
    tenant: list[str] | None = typer.Option(
        None, help="Only these tenants (default: all)."
    ),
    retire: bool = typer.Option(
        True, "--retire/--keep-old", help="Erase old versions once drained."
    ),
) -> None:
    """Create a new key version per tenant and rewrap every data key under it.

    Online and resumable: each batch is its own transaction; run it again after an
    interruption and it carries on where it stopped.
    """
    cli: CliContext = ctx.obj
    provider = make_key_provider(cli.settings)
    with cli.transaction() as session:
        targets = tenant or keys.tenants(session)
    if not targets:
        console.print("No keys yet: nothing to rotate.")
        return
    batch = cli.settings.crypto.rewrap_batch
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeRemainingColumn(),
        console=console,
    ) as bar:
        for name in targets:
            with cli.transaction() as session:
                version = keys.start_rotation(
                    session, cli.actor, provider, tenant=name, clock=cli.clock
                )
                first = keys.rewrap_step(
                    session, provider, tenant=name, limit=0, clock=cli.clock
                )
            task = bar.add_task(f"{name} → v{version}", total=first.remaining)
            remaining = first.remaining
            while remaining:
                with cli.transaction() as session:
                    step = keys.rewrap_step(
                        session, provider, tenant=name, limit=batch, clock=cli.clock
                    )
                remaining = step.remaining
                bar.advance(task, step.rewrapped)
            if retire:
                with cli.transaction() as session:
                    keys.retire_unused(session, cli.actor, tenant=name, clock=cli.clock)
    console.print(f"[green]Rotated[/] {len(targets)} tenant(s).")
