"""`outguard audit ...` — prove the log intact, prove checkpoints consistent, read events."""

from __future__ import annotations

import hashlib
import json
import os
import time
from datetime import UTC, datetime
from pathlib import Path

import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from outguard.audit.checkpoint import NoteError
from outguard.audit.evidence import verify_bundle
from outguard.audit.ledger import (
    consistency_between,
    cosign_latest,
    event_record,
    events_after,
    export_evidence,
    last_seq,
    make_checkpoint,
    verify_log,
)
from outguard.cli.context import CliContext
from outguard.cli.output import console, err_console, print_json
from outguard.errors import DomainValidationError, NotFoundError
from outguard.instance.audit_keys import (
    audit_signer,
    trust_witness,
    trusted_witnesses,
    verifier_of,
    witness_signer,
)
from outguard.instance.home import InstancePaths
from outguard.security.signing import SigningKey, SigningKeyError, check_signature

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
    from_seq: int = typer.Option(
        1,
        "--from",
        min=1,
        metavar="SEQ",
        help=(
            "Re-hash events from SEQ on; earlier events count by their stored hashes, which "
            "the rebuilt tree still holds against every checkpoint and the log head. For a "
            "daily check of a long log whose start was verified before."
        ),
    ),
    workers: int = typer.Option(
        0,
        "--workers",
        min=0,
        metavar="N",
        help=(
            "Processes that re-hash a long log (260,000 events or more) side by side; "
            "0 = one per CPU core, 1 = this process only."
        ),
    ),
) -> None:
    """Recompute everything; exit 0 if the log is intact, 9 with the first bad seq if not."""
    cli: CliContext = ctx.obj
    signer, _ = audit_signer(cli.settings)
    trusted = [verifier_of(signer), *trusted_witnesses(cli.settings)]
    workers = workers or min(os.cpu_count() or 1, 8)
    with cli.transaction() as session:
        if json_output:
            report = verify_log(
                session, trusted=trusted, from_seq=from_seq, workers=workers
            )
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
                    from_seq=from_seq,
                    workers=workers,
                    progress=lambda done, total: bar.update(
                        task, completed=done, total=total
                    ),
                )
    if json_output:
        print_json(report.as_dict())
    elif report.ok:
        rehashed = "" if from_seq == 1 else f" (re-hashed from seq {from_seq})"
        console.print(
            f"[green]✓ intact:[/] {report.events:,} events{rehashed}, "
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


@app.command("consistency")
def consistency(
    ctx: typer.Context,
    old_size: int = typer.Argument(..., help="Tree size of the older checkpoint."),
    new_size: int = typer.Argument(..., help="Tree size of the newer checkpoint."),
    json_output: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Prove the newer checkpoint extends the older one (RFC 9162 consistency proof).

    The proof is checked against both stored roots first; exit 9 if it does not hold.
    Whoever kept the two signed notes can check it against their copies.
    """
    cli: CliContext = ctx.obj
    with cli.transaction() as session:
        report = consistency_between(session, old_size, new_size)
    if json_output:
        print_json(report.as_dict())
    elif report.ok:
        console.print(
            f"[green]✓ consistent:[/] {report.old_size:,} → {report.new_size:,} events\n"
            f"old root {report.old_root.hex()}\nnew root {report.new_root.hex()}"
        )
        for step in report.proof:
            console.print(step.hex(), highlight=False)
    else:
        err_console.print(
            f"[bold red]✗ inconsistent:[/] the checkpoint at {report.new_size} does not "
            f"extend the one at {report.old_size}",
            highlight=False,
        )
    if not report.ok:
        raise typer.Exit(EXIT_TAMPERED)


@app.command("export")
def export(
    ctx: typer.Context,
    out: Path = typer.Option(..., "--out", help="Where to write the bundle (.zip)."),
    subject: str | None = typer.Option(
        None, help="Only events about this subject: `ID` or `TYPE:ID` (e.g. `user:…`)."
    ),
    since: datetime | None = typer.Option(
        None, help="Only events at or after this UTC time (ISO 8601)."
    ),
) -> None:
    """Write an evidence bundle that verifies offline, with no outguard database.

    Holds the selected events (all by default), their inclusion proofs against a signed
    checkpoint, the log's public key, a readable summary.html and a standalone verifier
    (`python verify_bundle.py bundle.zip --key-sha256 …`).
    """
    cli: CliContext = ctx.obj
    if out.exists():
        raise DomainValidationError(f"{out.name} already exists; choose another --out.")
    signer, _ = audit_signer(cli.settings)
    with cli.transaction() as session:
        data, count = export_evidence(
            session,
            signer,
            verifier_of(signer),
            clock=cli.clock,
            subject=subject,
            since=since.replace(tzinfo=since.tzinfo or UTC) if since else None,
        )
    tmp = out.with_name(f".{out.name}.part")
    tmp.write_bytes(data)
    tmp.replace(out)
    fingerprint = hashlib.sha256(signer.public_key).hexdigest()
    console.print(
        f"[green]Wrote[/] {escape(str(out))}: {count} event(s). Log key SHA-256: {fingerprint}"
    )


@app.command("verify-bundle")
def verify_bundle_command(
    ctx: typer.Context,
    bundle: Path = typer.Argument(..., help="The evidence bundle (.zip)."),
    key_sha256: str | None = typer.Option(
        None,
        help="The log key fingerprint to trust (default: this instance's key, if any).",
    ),
    json_output: bool = typer.Option(False, "--json", help="Machine-readable report."),
) -> None:
    """Verify an evidence bundle offline: hashes, signature, and every inclusion proof."""
    cli: CliContext = ctx.obj
    if key_sha256 is None and InstancePaths(cli.settings.home).audit_key.exists():
        signer, _ = audit_signer(cli.settings)
        key_sha256 = hashlib.sha256(signer.public_key).hexdigest()
    try:
        data = bundle.read_bytes()
    except OSError as exc:
        raise DomainValidationError(
            f"Cannot read {bundle.name}: {exc.strerror}."
        ) from None
    report = verify_bundle(data, check_signature, pinned_key_sha256=key_sha256)
    if json_output:
        print_json(report.as_dict())
    elif report.ok:
        pinned = "the pinned key" if report.pinned else "the key inside the bundle"
        console.print(
            f"[green]✓ verified:[/] {report.events} event(s) proven in {escape(report.origin)} "
            f"at tree size {report.tree_size}, signed by {pinned}"
        )
    else:
        for problem in report.problems:
            err_console.print(f"[bold red]✗[/] {escape(problem)}", highlight=False)
    if not report.ok:
        raise typer.Exit(EXIT_TAMPERED)


@app.command("witness-key")
def witness_key(
    name: str = typer.Argument(
        ..., help="The witness's name, e.g. `acme-vendor.example/witness`."
    ),
    out: Path = typer.Option(
        ..., "--out", help="Where to write the private key (0600)."
    ),
) -> None:
    """Make a co-signing key for a second party (the vendor, an insurer, a notary).

    Prints the public verifier key to give to the log's owner (`outguard audit trust`).
    """
    if out.exists():
        raise DomainValidationError(
            f"{out.name} already exists; a key is never overwritten."
        )
    key = SigningKey.generate()
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(key.material)
    signer = witness_signer(name, out)
    typer.echo(verifier_of(signer).vkey)


@app.command("trust")
def trust(
    ctx: typer.Context,
    vkey: str = typer.Argument(
        ..., help="A witness's verifier key (from `audit witness-key`)."
    ),
) -> None:
    """Trust a witness: its co-signatures on checkpoints are verified from now on."""
    cli: CliContext = ctx.obj
    try:
        key = trust_witness(cli.settings, vkey)
    except NoteError as exc:
        raise DomainValidationError(f"Not a verifier key: {exc}.") from None
    console.print(f"[green]Trusted[/] witness {escape(key.name)}.")


@app.command("cosign")
def cosign(
    ctx: typer.Context,
    name: str = typer.Option(..., help="The witness's name (as in its key)."),
    key: Path = typer.Option(..., "--key", help="The witness's private key file."),
) -> None:
    """Co-sign the newest checkpoint as a witness, after checking the log's signature on it."""
    cli: CliContext = ctx.obj
    signer, _ = audit_signer(cli.settings)
    try:
        witness = witness_signer(name, key)
    except (OSError, SigningKeyError, NoteError) as exc:
        raise DomainValidationError(f"Cannot use that witness key: {exc}.") from None
    with cli.transaction() as session:
        row = cosign_latest(session, witness, verifier_of(signer))
        size = row.tree_size
    console.print(
        f"[green]Co-signed[/] the checkpoint at tree size {size} as {escape(name)}."
    )


def _tail_line(event: dict[str, object]) -> str:
    subject = (
        f"{event['subject_type']}:{event['subject_id']}" if event["subject_id"] else ""
    )
    return (
        f"{event['seq']:>8}  {event['at']}  {event['tag']:<26} "
        f"{event['actor_display']}  {subject}"
    )


@app.command("tail")
def tail(
    ctx: typer.Context,
    lines: int = typer.Option(
        20, "-n", "--lines", min=0, help="How many recent events."
    ),
    follow: bool = typer.Option(
        False, "-f", "--follow", help="Keep printing new events."
    ),
    interval: float = typer.Option(1.0, help="Seconds between polls with --follow."),
    json_output: bool = typer.Option(False, "--json", help="One JSON object per line."),
) -> None:
    """The newest events; with --follow, new ones as they are recorded (Ctrl-C stops)."""
    cli: CliContext = ctx.obj
    with cli.transaction() as session:
        start = max(0, last_seq(session) - lines)
    seen = start
    try:
        while True:
            with cli.transaction() as session:
                batch = events_after(session, seen)
            for event in batch:
                if json_output:
                    typer.echo(json.dumps(event, default=str, sort_keys=True))
                else:
                    console.print(escape(_tail_line(event)), highlight=False)
                seen = int(event["seq"])  # type: ignore[call-overload]
            if not follow:
                return
            if not batch:
                time.sleep(interval)
    except KeyboardInterrupt:
        return


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
