"""`outguard audit verify|show` — prove the audit log is intact, read one event."""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from outguard.audit.ledger import event_record, make_checkpoint, verify_log
from outguard.cli.context import CliContext
from outguard.cli.output import console, err_console, print_json
from outguard.errors import NotFoundError
from outguard.instance.audit_keys import audit_signer, verifier_of

app = typer.Typer(
    help=(
        "The tamper-evident audit log: every event is a leaf of an RFC 6962 Merkle tree.\n\n"
        "`outguard audit verify` re-hashes every event, rebuilds the tree and checks it against "
        "the stored hashes, the checkpoints and the log head; on failure it names the first "
        "bad sequence number and what happened to it (edited, deleted, inserted, reordered)."
    ),
    no_args_is_help=True,
)

EXIT_TAMPERED = 9


@app.command("verify")
def verify(
    ctx: typer.Context,
    json_output: bool = typer.Option(False, "--json", help="Machine-readable report."),
) -> None:
    """Recompute everything; exit 0 if the log is intact, 9 with the first bad seq if not."""
    cli: CliContext = ctx.obj
    signer, _ = audit_signer(cli.settings)
    trusted = [verifier_of(signer)]
    with cli.transaction() as session:
        if json_output:
            report = verify_log(session, trusted=trusted)
        else:
            with Progress(
                TextColumn("verifying"),
                BarColumn(),
                TextColumn("{task.completed} events"),
                TimeRemainingColumn(),
                console=err_console,
                transient=True,
            ) as bar:
                task = bar.add_task("verify", total=None)
                report = verify_log(
                    session,
                    trusted=trusted,
                    progress=lambda done, total: bar.update(
                        task, completed=done, total=total
                    ),
                )
    if json_output:
        print_json(report.as_dict())
    elif report.ok:
        console.print(
            f"[green]✓ intact:[/] {report.events:,} events, "
            f"{report.checkpoints} checkpoint(s) matched, root {report.root.hex()}"
        )
    else:
        finding = report.finding
        assert finding is not None  # noqa: S101 - not ok means a finding
        err_console.print(
            f"[bold red]✗ tampered:[/] first bad seq {finding.seq}: "
            f"{finding.problem.value} — {escape(finding.detail)}",
            highlight=False,
        )
    if not report.ok:
        raise typer.Exit(EXIT_TAMPERED)


@app.command("checkpoint")
def checkpoint(ctx: typer.Context) -> None:
    """Sign the current tree head now (Ed25519, C2SP checkpoint) and print the signed note.

    Keep the note somewhere else (a ticket, an e-mail to your insurer): any later rewrite of
    the events it covers will no longer match it.
    """
    cli: CliContext = ctx.obj
    signer, created = audit_signer(cli.settings)
    if created:
        err_console.print("Created the instance's audit signing key (keys/audit.key).")
    with cli.transaction() as session:
        row = make_checkpoint(session, signer, clock=cli.clock)
        if row is None:
            console.print("No new events since the last checkpoint.")
            return
        note = row.note
    typer.echo(note, nl=False)


@app.command("show")
def show(
    ctx: typer.Context,
    seq: int = typer.Argument(..., help="The event's sequence number."),
    json_output: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """One event, with its leaf hash."""
    cli: CliContext = ctx.obj
    with cli.transaction() as session:
        data = event_record(session, seq)
    if data is None:
        raise NotFoundError(f"There is no audit event {seq}.")
    if json_output:
        print_json(data)
        return
    for name, value in data.items():
        console.print(f"[bold]{name:>14}[/] {escape(str(value))}", highlight=False)
