"""Presentation for the CLI: ONE table from error category to exit code, tables and JSON."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from outguard.errors import (
    AuthenticationError,
    ConflictError,
    DomainValidationError,
    ExternalServiceError,
    NotFoundError,
    OutguardError,
    PermissionDeniedError,
    RateLimitedError,
    TamperDetectedError,
)

# Piped output (make, CI, scripts) gets a wide fixed width instead of Rich's 80 columns.
console = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 160)
err_console = Console(
    stderr=True, soft_wrap=True, width=None if sys.stderr.isatty() else 160
)

# Exit codes: 1 generic, 2 usage (Typer), 3+ by category.
EXIT_CODES: tuple[tuple[type[OutguardError], int], ...] = (
    (AuthenticationError, 3),
    (PermissionDeniedError, 4),
    (NotFoundError, 5),
    (ConflictError, 6),
    (DomainValidationError, 7),
    (RateLimitedError, 8),
    (TamperDetectedError, 9),
    (ExternalServiceError, 10),
)


def exit_code_for(error: OutguardError) -> int:
    for category, code in EXIT_CODES:
        if isinstance(error, category):
            return code
    return 1


def fail(error: OutguardError) -> typer.Exit:
    err_console.print(f"[bold red]error:[/] {escape(error.message)}", highlight=False)
    return typer.Exit(exit_code_for(error))


def fail_validation(error: ValidationError) -> typer.Exit:
    for item in error.errors():
        where = ".".join(str(p) for p in item["loc"]) or "input"
        err_console.print(
            f"[bold red]error:[/] {escape(where)}: {escape(str(item['msg']))}",
            highlight=False,
        )
    return typer.Exit(7)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (list, tuple, frozenset, set)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(_plain(data), indent=2, sort_keys=True) + "\n")


def print_table(
    title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], *, empty: str
) -> None:
    if not rows:
        console.print(f"[dim]{empty}[/]")
        return
    table = Table(title=title, title_justify="left", header_style="bold")
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*("" if v is None else str(_plain(v)) for v in row))
    console.print(table)
