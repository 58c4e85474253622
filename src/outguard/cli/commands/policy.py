"""`outguard policy list|show|check` — protection policies and the shipped templates."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.syntax import Syntax

from outguard.cli.output import console, print_json, print_table
from outguard.errors import DomainValidationError
from outguard.pii.entities import Entity
from outguard.protect.policy import (
    MAX_POLICY_BYTES,
    Policy,
    parse_policy,
    policy_to_dict,
)
from outguard.protect.templates import load_template, template_names, template_text

app = typer.Typer(
    help=(
        "Protection policies: what each kind of personal data becomes for a recipient "
        "(keep, drop, mask, redact, generalize, tokenize, pseudonymize).\n\n"
        "Start from a template: `outguard policy show payroll > my-policy.yaml`, edit it, "
        "then `outguard policy check my-policy.yaml`."
    ),
    no_args_is_help=True,
)


def read_policy(ref: str) -> tuple[Policy, str]:
    """A template name or a YAML file path -> (policy, its text)."""
    if ref in template_names():
        return load_template(ref), template_text(ref)
    path = Path(ref)
    if not path.is_file():
        raise DomainValidationError(
            f"{ref!r} is neither a policy file nor a template "
            f"({', '.join(template_names())})."
        )
    if path.stat().st_size > MAX_POLICY_BYTES:
        raise DomainValidationError(
            f"{path.name}: a policy is at most {MAX_POLICY_BYTES // 1024} KB."
        )
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise DomainValidationError(
            f"{path.name}: a policy file must be UTF-8 text."
        ) from None
    return parse_policy(text, source=path.name), text


def _describe(rule_action: str, rule: object) -> str:
    extra = []
    for attr, label in (("to", "to"), ("keep_last", "last"), ("keep_first", "first")):
        value = getattr(rule, attr, None)
        if attr == "to" and value:
            extra.append(f"{label} {value}")
        elif rule_action == "mask" and attr.startswith("keep") and value:
            extra.append(f"keep {label} {value}")
    return rule_action + (f" ({', '.join(extra)})" if extra else "")


@app.command("list")
def list_templates(
    json_output: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """The shipped templates, one per kind of outsourced work."""
    policies = [load_template(n) for n in template_names()]
    if json_output:
        print_json([policy_to_dict(p) for p in policies])
        return
    print_table(
        "Policy templates",
        ["name", "for", "SSN", "names", "bank account", "date of birth"],
        [
            [
                p.name,
                p.document.title,
                p.rule_for(Entity.US_SSN).action.value,
                p.rule_for(Entity.PERSON).action.value,
                p.rule_for(Entity.BANK_ACCOUNT).action.value,
                _describe(
                    p.rule_for(Entity.DATE_OF_BIRTH).action.value,
                    p.rule_for(Entity.DATE_OF_BIRTH),
                ),
            ]
            for p in policies
        ],
        empty="No templates are installed.",
    )
    console.print(
        "Show one with `outguard policy show NAME`; copy it to start your own."
    )


@app.command("show")
def show(
    ref: str = typer.Argument(
        ..., help="A template name (see `policy list`) or a YAML file."
    ),
    json_output: bool = typer.Option(False, "--json", help="Machine-readable output."),
    rules: bool = typer.Option(
        False,
        "--rules",
        help="A table of the effective rule per entity instead of the YAML.",
    ),
) -> None:
    """Print a policy: its YAML (ready to copy and edit), or its effective rules."""
    policy, text = read_policy(ref)
    if json_output:
        print_json(policy_to_dict(policy))
        return
    if not rules:
        if console.is_terminal:
            console.print(Syntax(text, "yaml", background_color="default"))
        else:
            typer.echo(text, nl=not text.endswith("\n"))
        return
    _print_rules(policy)


def _print_rules(policy: Policy) -> None:
    print_table(
        f"Policy {policy.name}: effective rule per entity",
        ["entity", "action"],
        [
            [e.value, _describe(policy.rule_for(e).action.value, policy.rule_for(e))]
            for e in Entity
        ],
        empty="",
    )
    if policy.document.columns:
        print_table(
            "Column rules (override the entity rule for that header)",
            ["column", "action"],
            [
                [escape(name), _describe(r.action.value, r)]
                for name, r in policy.document.columns.items()
            ],
            empty="",
        )
    console.print(
        f"Free text: {policy.document.free_text.action}. Anything else personal: "
        f"{policy.document.default}. Canaries: "
        f"{'on' if policy.document.canaries.enabled else 'off'}."
    )


@app.command("check")
def check(
    path: Path = typer.Argument(..., help="The policy YAML file to validate."),
) -> None:
    """Validate a policy file; errors name the line and the problem (exit code 7)."""
    policy, _ = read_policy(str(path))
    console.print(f"[green]✓[/] {escape(str(path))}: policy {policy.name!r} is valid.")
    _print_rules(policy)
