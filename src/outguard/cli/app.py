"""`outguard` — the command line. Composition root for every command."""

from __future__ import annotations

from typing import Any

import typer
from pydantic import ValidationError
from typer.core import TyperGroup

from outguard import __version__
from outguard.cli.commands import (
    audit,
    certificates,
    datasets,
    demo,
    engagements,
    instance,
    jobs,
    keys,
    orgs,
    policy,
    renditions,
    scan,
    users,
)
from outguard.cli.context import CliContext
from outguard.cli.output import fail, fail_validation
from outguard.errors import OutguardError
from outguard.settings import load_settings


class _Group(TyperGroup):
    """Domain errors become a clear message and an exit code (cli/output.py), never a traceback."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except OutguardError as exc:
            raise fail(exc) from None


app = typer.Typer(
    name="outguard",
    cls=_Group,
    help=(
        "outguard: share business data with outsourcing vendors without handing over the "
        "personal data in it.\n\n"
        "Start here: `outguard init`, `outguard demo`, `outguard serve`, then open "
        "http://127.0.0.1:8000. Configuration comes from OUTGUARD_* environment variables "
        "(see docs/configuration.md); the instance lives in OUTGUARD_HOME (default ./.outguard)."
    ),
    no_args_is_help=True,
    rich_markup_mode="markdown",
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(instance.db_app, name="db")
app.add_typer(users.app, name="user")
app.add_typer(orgs.app, name="org")
app.add_typer(jobs.app, name="jobs")
app.add_typer(demo.app, name="demo")
app.add_typer(keys.app, name="keys")
app.add_typer(policy.app, name="policy")
app.add_typer(audit.app, name="audit")
app.add_typer(engagements.app, name="engagement")
app.add_typer(datasets.app, name="dataset")
app.add_typer(certificates.app, name="certificate")
app.command("scan")(scan.scan_command)
app.command("protect")(renditions.protect_command)
app.command("reidentify")(renditions.reidentify_command)
app.command("trace")(renditions.trace_command)
app.command("recipients")(renditions.recipients_command)
app.command("init")(instance.init)
app.command("serve")(instance.serve)
app.command("worker")(instance.worker)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"outguard {__version__}")
        raise typer.Exit


@app.callback()
def _root(
    ctx: typer.Context,
    version: bool =  # noqa: ARG001 - handled eagerly by its callback
    typer.Option(
        False,
        "--version",
        callback=_version,
        is_eager=True,
        help="Print the version and exit.",
    ),
) -> None:
    try:
        settings = load_settings()
    except ValidationError as exc:
        raise fail_validation(exc) from None
    ctx.obj = CliContext(settings=settings)


def main() -> None:
    """Entry point: domain errors become a message and an exit code, never a traceback."""
    try:
        app()
    except OutguardError as exc:
        raise SystemExit(fail(exc).exit_code) from None
