"""`outguard user add|list|disable|enable|reset-mfa` (operator commands)."""

from __future__ import annotations

import typer
from pydantic import ValidationError

from outguard.accounts.schemas import UserCreate, UserRead
from outguard.accounts.service import orgs as org_service
from outguard.accounts.service import users as user_service
from outguard.cli.context import CliContext
from outguard.cli.output import console, fail_validation, print_json, print_table
from outguard.types import Role

app = typer.Typer(
    help="People: add an account directly, list, disable or re-enable, reset a lost second factor.",
    no_args_is_help=True,
)

ROLE_HELP = "Role, repeatable: " + ", ".join(r.value for r in Role) + "."


@app.command("add")
def add(
    ctx: typer.Context,
    email: str = typer.Option(..., help="Sign-in e-mail address."),
    name: str = typer.Option(..., help="Display name."),
    org: str = typer.Option(
        ..., help="Organisation name or id (see `outguard org list`)."
    ),
    role: list[Role] = typer.Option(..., help=ROLE_HELP),
    password: str = typer.Option(
        ...,
        prompt=True,
        hide_input=True,
        confirmation_prompt=True,
        help="Password (at least 12 characters); prompted for when omitted.",
    ),
    json_output: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Create an active account directly.

    People normally join through an invitation in the web UI; this is for the first owner
    of an instance and for scripted set-ups.
    """
    cli: CliContext = ctx.obj
    with cli.transaction() as session:
        target = org_service.find_org_for_operator(session, cli.actor, org)
        try:
            data = UserCreate(
                org_id=target.id,
                email=email,
                display_name=name,
                roles=frozenset(role),
                password=password,
            )
        except ValidationError as exc:
            raise fail_validation(exc) from None
        user = user_service.create_user(session, cli.actor, data, deps=cli.deps)
        read = UserRead.model_validate(user)
    if json_output:
        print_json(read.model_dump())
        return
    console.print(
        f"[green]Added[/] {read.display_name} ({', '.join(read.roles)}) to {target.name}."
    )
    console.print(
        "They will be asked to set up a second factor at first sign-in where their role needs one."
    )


@app.command("list")
def list_(
    ctx: typer.Context,
    org: str | None = typer.Option(None, help="Only this organisation (name or id)."),
    json_output: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """List accounts, with their roles, status and whether a second factor is set up."""
    cli: CliContext = ctx.obj
    with cli.transaction() as session:
        org_id = (
            org_service.find_org_for_operator(session, cli.actor, org).id
            if org
            else None
        )
        names = {o.id: o.name for o in org_service.list_orgs(session, cli.actor)}
        rows = [
            UserRead.model_validate(u)
            for u in user_service.list_users(session, cli.actor, org_id=org_id)
        ]
    if json_output:
        print_json([r.model_dump() for r in rows])
        return
    print_table(
        "Users",
        ["e-mail", "name", "organisation", "roles", "status", "MFA", "last sign-in"],
        [
            [
                r.email,
                r.display_name,
                names.get(r.org_id, "?"),
                ", ".join(r.roles),
                r.status,
                "yes" if r.has_mfa else "no",
                r.last_login_at,
            ]
            for r in rows
        ],
        empty="No users yet. Add one with `outguard user add` or seed `outguard demo`.",
    )


def _change(ctx: typer.Context, who: str, action: str) -> None:
    cli: CliContext = ctx.obj
    with cli.transaction() as session:
        user = user_service.find_user_for_operator(session, cli.actor, who)
        op = {
            "disable": user_service.disable_user,
            "enable": user_service.enable_user,
            "reset-mfa": user_service.reset_mfa,
        }[action]
        op(session, cli.actor, user.id, deps=cli.deps)
        label = user.display_name
    console.print(f"[green]Done:[/] {action} {label}.")


@app.command("disable")
def disable(
    ctx: typer.Context,
    who: str = typer.Argument(..., help="E-mail address or user id."),
) -> None:
    """Disable an account: its sessions and API tokens stop working at once."""
    _change(ctx, who, "disable")


@app.command("enable")
def enable(
    ctx: typer.Context,
    who: str = typer.Argument(..., help="E-mail address or user id."),
) -> None:
    """Re-enable a disabled account (and clear a lockout)."""
    _change(ctx, who, "enable")


@app.command("reset-mfa")
def reset_mfa(
    ctx: typer.Context,
    who: str = typer.Argument(..., help="E-mail address or user id."),
) -> None:
    """Remove a lost second factor: the person enrols again at next sign-in."""
    _change(ctx, who, "reset-mfa")
