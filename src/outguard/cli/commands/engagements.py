"""`outguard engagement …`: engagements, their compliance, the gate, reminders (operator)."""

from __future__ import annotations

import typer
from pydantic import ValidationError

from outguard.accounts.service import users as user_service
from outguard.cli.context import CliContext
from outguard.cli.output import console, fail_validation, print_json, print_table
from outguard.engagements.gate import GateResult, Status
from outguard.engagements.schemas import Offboard, StateChange
from outguard.engagements.service import engagements, gate, reminders, roster
from outguard.shares.ending import end_engagement

app = typer.Typer(
    help=(
        "Engagements: the agreed security framework between the client and a vendor, "
        "enforced at every access. Pages for people are on the web; these commands are "
        "for operators and scripts (they act as the system)."
    ),
    no_args_is_help=True,
)

_MARK = {
    Status.OK: "[green]ok[/]",
    Status.DUE: "[yellow]due[/]",
    Status.MISSING: "[red]missing[/]",
}
_COLOUR = {
    "green": "[green]green[/]",
    "amber": "[yellow]amber[/]",
    "red": "[red]red[/]",
}


def _checks_json(result: GateResult) -> list[dict[str, object]]:
    return [
        {
            "code": c.code,
            "control": c.control,
            "label": c.label,
            "status": c.status.value,
            "detail": c.detail,
            "fix": c.fix,
            "due": c.due,
        }
        for c in result.checks
    ]


@app.command("list")
def list_(
    ctx: typer.Context,
    json_output: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """List every engagement with its state and dates."""
    cli: CliContext = ctx.obj
    with cli.transaction() as session:
        rows = [
            {
                "id": e.id,
                "name": e.name,
                "state": e.state,
                "starts_on": e.starts_on,
                "ends_on": e.ends_on,
            }
            for e in engagements.list_engagements(session, cli.actor)
        ]
    if json_output:
        print_json(rows)
        return
    print_table(
        "Engagements",
        ["name", "state", "from", "to", "id"],
        [[r["name"], r["state"], r["starts_on"], r["ends_on"], r["id"]] for r in rows],
        empty="No engagements yet. A client owner creates one on the Engagements page.",
    )


@app.command("matrix")
def matrix(
    ctx: typer.Context,
    engagement: str = typer.Argument(..., help="Engagement name or id."),
    json_output: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """The compliance matrix: every enrolled agent, every precondition (green/amber/red).

    Checks that depend on a live request (address, working hours) are shown as "office
    network registered"; use `engagement check --ip` for a what-if on an address.
    """
    cli: CliContext = ctx.obj
    with cli.transaction() as session:
        found = engagements.find_engagement_for_operator(session, cli.actor, engagement)
        rows = gate.matrix(session, cli.actor, found.id, clock=cli.clock)
        name = found.name
    if json_output:
        print_json(
            [
                {
                    "agent": r.user.email,
                    "employer": r.employer,
                    "colour": r.result.colour,
                    "checks": _checks_json(r.result),
                }
                for r in rows
            ]
        )
        return
    print_table(
        f"Compliance: {name}",
        ["agent", "employer", "status", "unmet or due"],
        [
            [
                r.user.email,
                r.employer,
                _COLOUR[r.result.colour],
                "; ".join(
                    f"{c.label}: {c.detail}" for c in (*r.result.unmet, *r.result.due)
                )
                or "—",
            ]
            for r in rows
        ],
        empty="No agents enrolled yet. The vendor's administrator enrols them.",
    )


@app.command("check")
def check(
    ctx: typer.Context,
    engagement: str = typer.Argument(..., help="Engagement name or id."),
    agent: str = typer.Option(..., "--agent", help="The agent's e-mail address or id."),
    ip: str | None = typer.Option(
        None,
        "--ip",
        help="Evaluate as if the request came from this address (what-if).",
    ),
    json_output: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Would the gate let this agent in now? Exit code 0 when allowed, 4 when denied."""
    cli: CliContext = ctx.obj
    with cli.transaction() as session:
        found = engagements.find_engagement_for_operator(session, cli.actor, engagement)
        user = user_service.find_user_for_operator(session, cli.actor, agent)
        result = gate.agent_status(
            session, cli.actor, found.id, user.id, clock=cli.clock, ip=ip
        )
    if json_output:
        print_json(
            {
                "allowed": result.allowed,
                "colour": result.colour,
                "checks": _checks_json(result),
            }
        )
    else:
        print_table(
            f"{user.email} on {found.name}",
            ["status", "check", "control", "detail", "how to fix"],
            [
                [_MARK[c.status], c.label, c.control, c.detail, c.fix or ""]
                for c in result.checks
            ],
            empty="",
        )
        console.print("[green]Allowed.[/]" if result.allowed else "[red]Denied.[/]")
    if not result.allowed:
        raise typer.Exit(4)


@app.command("state")
def state(
    ctx: typer.Context,
    engagement: str = typer.Argument(..., help="Engagement name or id."),
    action: str = typer.Argument(..., help="activate, suspend, resume or end."),
    reason: str = typer.Option(
        ..., "--reason", help="Why (recorded in the audit log)."
    ),
) -> None:
    """Activate, suspend, resume or end an engagement. Suspending cuts every agent at once."""
    cli: CliContext = ctx.obj
    try:
        change = StateChange(action=action, reason=reason)
    except ValidationError as exc:
        raise fail_validation(exc) from None
    with cli.transaction() as session:
        found = engagements.find_engagement_for_operator(session, cli.actor, engagement)
        if change.action == "end":  # every copy made under it is destroyed first
            changed = end_engagement(
                session,
                cli.actor,
                found.id,
                reason=change.reason,
                deps=cli.datasets_deps,
            )
        else:
            changed = engagements.change_state(
                session, cli.actor, found.id, change, clock=cli.clock
            )
        console.print(f"[green]{changed.name}[/] is now {changed.state}.")


@app.command("history")
def history(
    ctx: typer.Context,
    engagement: str = typer.Argument(..., help="Engagement name or id."),
    json_output: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Show who created the engagement and changed its terms or state, newest first."""
    cli: CliContext = ctx.obj
    with cli.transaction() as session:
        found = engagements.find_engagement_for_operator(session, cli.actor, engagement)
        events = engagements.history(session, cli.actor, found.id)
        rows = [
            {
                "seq": e.seq,
                "at": e.at.isoformat(timespec="seconds"),
                "actor": e.actor_display,
                "tag": e.tag,
                "changed": ", ".join(e.details.get("changed", []))
                or f"{e.details.get('from', '')} → {e.details.get('to', '')}".strip(
                    " →"
                ),
                "reason": e.details.get("reason", ""),
            }
            for e in events
        ]
    if json_output:
        print_json(rows)
        return
    columns = ["seq", "at", "actor", "tag", "changed", "reason"]
    print_table(
        f"History of {found.name}",
        columns,
        [[r[c] for c in columns] for r in rows],
        empty="Nothing recorded for this engagement.",
    )


@app.command("offboard")
def offboard(
    ctx: typer.Context,
    engagement: str = typer.Argument(..., help="Engagement name or id."),
    agent: str = typer.Option(..., "--agent", help="The agent's e-mail address or id."),
    reason: str = typer.Option(
        ..., "--reason", help="Why (recorded in the audit log)."
    ),
) -> None:
    """Cut one agent's access to an engagement at once."""
    cli: CliContext = ctx.obj
    try:
        data = Offboard(reason=reason)
    except ValidationError as exc:
        raise fail_validation(exc) from None
    with cli.transaction() as session:
        found = engagements.find_engagement_for_operator(session, cli.actor, engagement)
        user = user_service.find_user_for_operator(session, cli.actor, agent)
        roster.offboard_agent(
            session, cli.actor, found.id, user.id, data, clock=cli.clock
        )
    console.print(f"[green]Offboarded[/] {user.email} from {found.name}.")


@app.command("remind")
def remind(ctx: typer.Context) -> None:
    """Send reminder e-mails for items expiring within 30 days or missing (run daily)."""
    cli: CliContext = ctx.obj
    with cli.transaction() as session:
        sent = reminders.send_reminders(session, cli.actor, deps=cli.deps)
    console.print(
        f"Sent {sent} reminder e-mail(s)."
        if sent
        else "Nothing to remind anyone of today."
    )
