"""`outguard org add|list` (operator commands)."""

from __future__ import annotations

import typer
from pydantic import ValidationError

from outguard.accounts.schemas import OrgCreate, OrgRead
from outguard.accounts.service import orgs as org_service
from outguard.cli.context import CliContext
from outguard.cli.output import console, fail_validation, print_json, print_table
from outguard.types import OrgKind

app = typer.Typer(
    help="Organisations: the client business, its vendors, and vendors' sub-contractors.",
    no_args_is_help=True,
)


@app.command("add")
def add(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Organisation name."),
    kind: OrgKind = typer.Option(..., help="client, vendor or subcontractor."),
    parent: str | None = typer.Option(
        None,
        help="For a vendor: the client that works with it. For a sub-contractor: its vendor (required).",
    ),
    json_output: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Add an organisation."""
    cli: CliContext = ctx.obj
    with cli.transaction() as session:
        parent_id = (
            org_service.find_org_for_operator(session, cli.actor, parent).id
            if parent
            else None
        )
        try:
            data = OrgCreate(name=name, kind=kind, parent_id=parent_id)
        except ValidationError as exc:
            raise fail_validation(exc) from None
        read = OrgRead.model_validate(
            org_service.create_org(session, cli.actor, data, clock=cli.clock)
        )
    if json_output:
        print_json(read.model_dump())
        return
    console.print(f"[green]Added[/] {read.kind} organisation {read.name} ({read.id}).")


@app.command("list")
def list_(
    ctx: typer.Context,
    json_output: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """List organisations."""
    cli: CliContext = ctx.obj
    with cli.transaction() as session:
        rows = [
            OrgRead.model_validate(o) for o in org_service.list_orgs(session, cli.actor)
        ]
    if json_output:
        print_json([r.model_dump() for r in rows])
        return
    names = {r.id: r.name for r in rows}
    print_table(
        "Organisations",
        ["name", "kind", "belongs to", "id"],
        [
            [r.name, r.kind, names.get(r.parent_id) if r.parent_id else "", r.id]
            for r in rows
        ],
        empty="No organisations yet. Add one with `outguard org add NAME --kind client`, or `outguard demo`.",
    )
