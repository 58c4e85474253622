"""`outguard demo` — seed demo data; `outguard demo totp EMAIL` — a demo user's current code."""

from __future__ import annotations

import typer

from outguard.accounts.service import mfa
from outguard.accounts.service import orgs as org_service
from outguard.accounts.service.demo import DEMO_PASSWORD, demo_people, seed_demo
from outguard.cli.context import CliContext
from outguard.cli.output import console, print_json, print_table
from outguard.engagements.service.demo import seed_engagement_demo

app = typer.Typer(
    help="Demo data: a client with its people, a vendor with an admin and two agents, a "
    "sub-contractor with an admin and an agent, and an active engagement between them.",
    invoke_without_command=True,
)


@app.callback()
def seed(
    ctx: typer.Context,
    if_empty: bool = typer.Option(
        False, "--if-empty", help="Seed only when the instance has no organisation yet."
    ),
) -> None:
    """Seed the demo organisations and people, then print how to sign in as each."""
    if ctx.invoked_subcommand is not None:
        return
    cli: CliContext = ctx.obj
    with cli.transaction() as session:
        empty = org_service.count_orgs(session) == 0
        if not empty and not if_empty:
            console.print(
                "[yellow]The instance already has data;[/] demo data is seeded only into an empty instance."
            )
            raise typer.Exit(6)
        if empty:
            seed_demo(session, cli.actor, deps=cli.deps)
            seed_engagement_demo(session, deps=cli.deps)
            console.print("[green]Demo data created.[/]")
    _print_guide()


def _print_guide() -> None:
    people = demo_people()
    print_table(
        "Demo users (password for all: " + DEMO_PASSWORD + ")",
        ["e-mail", "name", "organisation", "role", "second factor"],
        [
            [
                p.email,
                p.name,
                p.org,
                ", ".join(r.value for r in p.roles),
                "make demo-code EMAIL=" + p.email
                if p.has_mfa
                else "none (password only)",
            ]
            for p in people
        ],
        empty="",
    )
    console.print(
        "The engagement 'Monthly bookkeeping and payroll' is active: Asha is fully compliant, "
        "Ben has not taken the training, and Hugo works for Harbor Data Services, a "
        "sub-contractor whose approval is revoked pending review."
    )
    console.print(
        "Open http://127.0.0.1:8000 and sign in. For the 6-digit code an authenticator app "
        "would show, run the command in the second-factor column in another terminal "
        "(outside make: `OUTGUARD_DEMO=true .venv/bin/outguard demo totp EMAIL`)."
    )


@app.command("totp")
def totp_code(
    ctx: typer.Context,
    email: str = typer.Argument(..., help="A demo user's e-mail address."),
    json_output: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Print the current authenticator code of a demo user (demo mode only)."""
    cli: CliContext = ctx.obj
    with cli.transaction() as session:
        code = mfa.demo_code(session, email, deps=cli.deps)
    if json_output:
        print_json({"email": email, "code": code})
        return
    typer.echo(code)
