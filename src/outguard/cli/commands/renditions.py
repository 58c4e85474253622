"""`outguard protect|reidentify|trace|recipients` — renditions per recipient, and the way back."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from outguard.cli.commands.policy import read_policy
from outguard.cli.context import CliContext
from outguard.cli.output import console, print_json, print_table
from outguard.keystore.provider import make_key_provider
from outguard.renditions.reidentify import ReidentifyReport, reidentify_file
from outguard.renditions.repository import RenditionRepository
from outguard.renditions.service import RenditionReport, protect_file
from outguard.renditions.tracing import TraceResult, trace_file

SHOWN_ROWS = 10
TINY = 1e-300  # below this a probability prints as "< 1e-300"
TENANT_HELP = "Whose keys and renditions (one instance can serve several data owners)."
DEFAULT_TENANT = "local"


@contextmanager
def _progress(label: str, *, quiet: bool) -> Iterator[Callable[[int], None]]:
    with Progress(
        TextColumn(label),
        BarColumn(),
        TextColumn("{task.completed:,} rows"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=quiet,
    ) as bar:
        task = bar.add_task(label, total=None)
        yield lambda rows: bar.update(task, completed=rows)


@contextmanager
def _taken_back_on_failure(out: Path) -> Iterator[None]:
    """An output written by a transaction that did not commit is removed (never unregistered)."""
    existed = out.exists()
    try:
        yield
    except BaseException:
        if not existed:
            out.unlink(missing_ok=True)
        raise


def _ner(enabled: bool) -> object | None:
    if not enabled:
        return None
    from outguard.pii.ner import SpacyNames  # noqa: PLC0415 - loads spaCy

    return SpacyNames()


def protect_command(
    ctx: typer.Context,
    path: Path = typer.Argument(
        ...,
        help="The file to protect: CSV, TSV, XLSX, Parquet, JSON lines, TXT, PDF, DOCX, .eml.",
    ),
    policy: str = typer.Option(
        ...,
        "--policy",
        "-p",
        help="A policy file, or a template: bookkeeping, accounts-payable, "
        "accounts-receivable, payroll, tax-preparation (`outguard policy list`).",
    ),
    recipient: str = typer.Option(
        ...,
        "--recipient",
        "-r",
        help="Who receives it (e.g. acme-bpo.agent-17). Named for the first time, it is "
        "registered and gets its own keys.",
    ),
    out: Path = typer.Option(
        ...,
        "--out",
        "-o",
        help="Where to write the rendition (.csv, .xlsx, .parquet, .jsonl, .txt).",
    ),
    ner: bool = typer.Option(
        False,
        "--ner/--no-ner",
        help="Also find person names in free text with spaCy (slower).",
    ),
    overwrite: bool = typer.Option(
        False, "--overwrite", help="Replace OUT if it exists."
    ),
    tenant: str = typer.Option(DEFAULT_TENANT, "--tenant", help=TENANT_HELP),
    json_output: bool = typer.Option(
        False, "--json", help="Print the report as JSON (names and counts only)."
    ),
) -> None:
    """Make one recipient's protected copy of a file.

    The file is scanned, the policy is applied with the recipient's own keys (tokens and
    pseudonyms that only you can reverse), a few canary rows are planted, and what is about
    to be written is scanned again: if any personal data would leave unprotected, nothing is
    written. The rendition is registered, so `outguard trace` can name this recipient if the
    copy ever turns up elsewhere.

    Example: `outguard protect payroll.csv --policy payroll --recipient acme.agent-17 --out agent-17.csv`
    """
    cli: CliContext = ctx.obj
    chosen, _ = read_policy(policy)
    provider = make_key_provider(cli.settings)
    recogniser = _ner(ner)
    with (
        _taken_back_on_failure(out),
        cli.transaction() as session,
        _progress(f"protecting {escape(path.name)}", quiet=json_output) as advance,
    ):
        report = protect_file(
            session,
            provider,
            cli.actor,
            tenant=tenant,
            recipient=recipient,
            policy=chosen,
            source=path,
            out=out,
            clock=cli.clock,
            ner=recogniser,  # type: ignore[arg-type]
            progress=advance,
            overwrite=overwrite,
        )
    if json_output:
        print_json(report.to_json())
        return
    _print_rendition(report)


def _print_rendition(report: RenditionReport) -> None:
    rows = []
    for c in report.columns:
        detail = ", ".join(f"{k} {v:,}" for k, v in c["spans"].items())
        if c["fallbacks"]:
            detail = (
                f"{c['fallbacks']:,} value(s) redacted (could not take the action)"
                + (f"; {detail}" if detail else "")
            )
        rows.append(
            [
                escape(c["column"]),
                c["entity"] or "—",
                c["action"],
                f"{c['cells_changed']:,}",
                detail,
            ]
        )
    print_table(
        f"{escape(report.output)}: {report.rows:,} rows for {escape(report.recipient)} "
        f"(policy {report.policy}, {report.canaries} canary row(s))",
        ["column", "found", "action", "cells changed", "spans replaced / notes"],
        rows,
        empty="No columns.",
    )
    for note in report.notes:
        console.print(f"[dim]{escape(note)}[/]")
    if report.recipient_created:
        console.print(
            f"[dim]New recipient {escape(report.recipient)}: registered with its own keys.[/]"
        )
    console.print(f"[green]Wrote[/] {escape(report.output)} (rendition {report.id}).")


def reidentify_command(
    ctx: typer.Context,
    path: Path = typer.Argument(..., help="The worked file the recipient sent back."),
    recipient: str = typer.Option(
        ..., "--recipient", "-r", help="Who sent it back (whose tokens to reverse)."
    ),
    out: Path = typer.Option(
        ..., "--out", "-o", help="Where to write the file with real values."
    ),
    overwrite: bool = typer.Option(
        False, "--overwrite", help="Replace OUT if it exists."
    ),
    tenant: str = typer.Option(DEFAULT_TENANT, "--tenant", help=TENANT_HELP),
    json_output: bool = typer.Option(
        False, "--json", help="Print the report as JSON (names and counts only)."
    ),
) -> None:
    """Turn a recipient's tokens and pseudonyms in a returned file back into real values.

    Columns may have been reordered, renamed, filtered or sorted, new columns added, and
    tokens typed into notes: every value is tried against the recipient's keys and counts
    only if it decrypts into something this recipient was actually sent. Other values are
    left as they are and counted; canary rows are reported, not re-identified.
    """
    cli: CliContext = ctx.obj
    provider = make_key_provider(cli.settings)
    with (
        _taken_back_on_failure(out),
        cli.transaction() as session,
        _progress(f"re-identifying {escape(path.name)}", quiet=json_output) as advance,
    ):
        report = reidentify_file(
            session,
            provider,
            cli.actor,
            tenant=tenant,
            recipient=recipient,
            source=path,
            out=out,
            clock=cli.clock,
            progress=advance,
            overwrite=overwrite,
        )
    if json_output:
        print_json(report.to_json())
        return
    _print_return(report)


def _print_return(report: ReidentifyReport) -> None:
    rows = [
        [
            escape(c.name),
            ", ".join(f"{k} {v:,}" for k, v in sorted(c.reidentified.items())) or "—",
            f"{c.not_this_recipient:,}" if c.not_this_recipient else "",
        ]
        for c in report.columns
    ]
    print_table(
        f"{escape(report.output)}: {report.rows:,} rows, {report.reidentified:,} value(s) re-identified",
        ["column", "re-identified", "token-like, not this recipient's"],
        rows,
        empty="No columns.",
    )
    if report.canary_rows:
        shown = ", ".join(f"{r:,}" for r in report.canary_rows[:SHOWN_ROWS])
        console.print(
            f"[yellow]{len(report.canary_rows)} canary row(s)[/] (rows {shown}{', …' if len(report.canary_rows) > SHOWN_ROWS else ''}): "
            "left as they are; they are decoys, not customers."
        )
    for note in report.notes:
        console.print(f"[dim]{escape(note)}[/]")
    console.print(f"[green]Wrote[/] {escape(report.output)}.")


def trace_command(
    ctx: typer.Context,
    path: Path = typer.Argument(
        ...,
        help="The file found outside: a table (CSV, XLSX, ...) or text (pasted, OCR, e-mail).",
    ),
    tenant: str = typer.Option(DEFAULT_TENANT, "--tenant", help=TENANT_HELP),
    json_output: bool = typer.Option(
        False, "--json", help="Print the evidence as JSON."
    ),
) -> None:
    """Name the recipient a leaked file came from, with the evidence and its strength.

    Works on any subset of rows, dropped columns, shuffled or edited values, a CSV turned
    into XLSX, or text pasted from a screenshot. Evidence: tokens that decrypt under a
    recipient's key into values it was sent, its canary rows, its pseudonyms. The
    false-attribution probability accounts for every recipient tested; below 1e-9 the
    recipient is named, otherwise the verdict says it cannot attribute the file.
    """
    cli: CliContext = ctx.obj
    provider = make_key_provider(cli.settings)
    with cli.transaction() as session:
        result = trace_file(
            session, provider, cli.actor, tenant=tenant, source=path, clock=cli.clock
        )
    if json_output:
        print_json(result.to_json())
        return
    _print_trace(result)


def _print_trace(result: TraceResult) -> None:
    report = result.report
    rows = [
        [
            escape(a.recipient),
            "yes" if a.attributed else "no",
            f"{a.evidence.token_hits:,}/{a.evidence.tokens_tested:,}",
            ", ".join(f"{k} {h}/{t}" for k, t, h, _ in a.evidence.groups if h) or "—",
            f"{a.evidence.canaries_found:,}",
            f"{a.evidence.fingerprint_hits:,}",
            f"{a.false_attribution:.1e}" if a.false_attribution > TINY else "< 1e-300",
        ]
        for a in report.attributions[:10]
    ]
    print_table(
        f"{escape(result.source)}: {report.values_examined:,} value(s) examined, "
        f"{report.recipients_tested} recipient(s) tested",
        [
            "recipient",
            "attributed",
            "token hits",
            "by kind",
            "canaries",
            "pseudonyms",
            "P(false attribution)",
        ],
        rows,
        empty="No recipient's tokens, canaries or pseudonyms were found in this file.",
    )
    style = "green" if report.attributed else "yellow"
    console.print(f"[{style}]{escape(report.verdict())}[/]")


def recipients_command(
    ctx: typer.Context,
    tenant: str = typer.Option(DEFAULT_TENANT, "--tenant", help=TENANT_HELP),
    json_output: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """The recipients renditions were made for, and how many each received."""
    cli: CliContext = ctx.obj
    with cli.transaction() as session:
        repo = RenditionRepository(session)
        renditions = repo.renditions(tenant)
        rows: list[dict[str, Any]] = [
            {
                "recipient": r.name,
                "since": r.created_at.isoformat(timespec="seconds"),
                "renditions": sum(1 for x in renditions if x.recipient == r.name),
                "rows": sum(x.rows for x in renditions if x.recipient == r.name),
                "last": max(
                    (x.created_at for x in renditions if x.recipient == r.name),
                    default=None,
                ),
            }
            for r in repo.recipients(tenant)
        ]
    if json_output:
        print_json(rows)
        return
    print_table(
        "Recipients",
        ["recipient", "since", "renditions", "rows sent", "last rendition"],
        [
            [
                escape(r["recipient"]),
                r["since"],
                r["renditions"],
                f"{r['rows']:,}",
                r["last"].isoformat(timespec="seconds") if r["last"] else "—",
            ]
            for r in rows
        ],
        empty="No recipients yet: `outguard protect FILE --policy P --recipient NAME --out OUT` makes the first.",
    )
