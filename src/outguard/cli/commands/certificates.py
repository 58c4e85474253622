"""`outguard certificate verify`: check a destruction certificate (JSON or PDF) offline."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from outguard.cli.context import CliContext
from outguard.cli.output import console, err_console, print_json
from outguard.errors import DomainValidationError
from outguard.instance.audit_keys import audit_signer
from outguard.instance.home import InstancePaths
from outguard.shares.certificates import key_sha256, verify_certificate
from outguard.shares.ending import recorded_in_log

app = typer.Typer(
    help=(
        "Destruction certificates: when a share is revoked, expires or its engagement ends, "
        "outguard destroys every agent copy and issues a signed certificate (download it "
        "from the share's page as PDF or JSON). These commands check one, with no database "
        "needed."
    ),
    no_args_is_help=True,
)

EXIT_NOT_VALID = 9  # as `outguard audit verify`: the evidence does not hold


@app.command("verify")
def verify_command(
    ctx: typer.Context,
    path: Path = typer.Argument(
        ..., dir_okay=False, help="The certificate: its .pdf or .json file."
    ),
    key_sha256_pin: str | None = typer.Option(
        None,
        "--key-sha256",
        help=(
            "The SHA-256 of the key that must have signed it, as the data owner gave it to "
            "you (default: this instance's audit key, if there is an instance here)."
        ),
    ),
    json_output: bool = typer.Option(False, "--json", help="Machine-readable report."),
) -> None:
    """Check a certificate: the document against its SHA-256, the signature, the key.

    On the instance that issued it, also checks that the audit log records the
    certificate's SHA-256 at the position the certificate names. Exit status 0 if it
    holds, 9 if it does not.
    """
    cli: CliContext = ctx.obj
    local = InstancePaths(cli.settings.home).audit_key.exists()
    if key_sha256_pin is None and local:
        key_sha256_pin = key_sha256(audit_signer(cli.settings)[0].public_key)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DomainValidationError(
            f"Cannot read {path.name}: {exc.strerror}."
        ) from None
    check = verify_certificate(data, pinned_key_sha256=key_sha256_pin)
    in_log: bool | None = None
    if check.ok and local:
        with cli.transaction() as session:
            in_log = recorded_in_log(session, check)
        if not in_log:
            check.problems.append(
                f"this instance's audit log does not record it at event #{check.audit_seq}"
            )
    if json_output:
        print_json(
            {
                "ok": check.ok,
                "problems": check.problems,
                "share_id": check.document.get("share_id"),
                "copies": len(check.document.get("destroyed", [])),
                "sha256": check.sha256,
                "audit_seq": check.audit_seq,
                "key_sha256": check.key_sha256,
                "pinned": check.pinned,
                "in_audit_log": in_log,
            }
        )
    elif check.ok:
        signer = (
            "the pinned key"
            if check.pinned
            else "the key inside the file (pin it with --key-sha256)"
        )
        logged = (
            f"; recorded in the audit log as event #{check.audit_seq}" if in_log else ""
        )
        console.print(
            f"[green]✓ verified:[/] {len(check.document.get('destroyed', []))} cop(ies) of "
            f"share {escape(str(check.document.get('share_id')))} destroyed, "
            f"signed by {signer}{logged}"
        )
    else:
        for problem in check.problems:
            err_console.print(f"[bold red]✗[/] {escape(problem)}", highlight=False)
    if not check.ok:
        raise typer.Exit(EXIT_NOT_VALID)
