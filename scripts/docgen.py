"""Generators for docs/*.md sections, run by cog (`make docs`) and checked by tests."""

from __future__ import annotations

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from outguard.settings import Settings


def _rows(model: type[BaseModel], prefix: str) -> list[str]:
    rows = []
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            rows.extend(_rows(annotation, f"{prefix}{name.upper()}__"))
            continue
        rows.append(_row(prefix + name.upper(), field))
    return rows


def _row(env: str, field: FieldInfo) -> str:
    default = field.get_default(call_default_factory=True)
    shown = "(empty)" if default is None else f"`{default}`"
    if "SECRET" in env or "PASSWORD" in env:
        shown = "(empty)"
    description = (field.description or "").replace("|", "\\|")
    return f"| `{env}` | {shown} | {description} |"


def configuration_table() -> str:
    lines = ["| variable | default | meaning |", "|---|---|---|"]
    lines.extend(_rows(Settings, "OUTGUARD_"))
    return "\n".join(lines)


def cli_reference() -> str:
    import click  # noqa: PLC0415
    import typer.main  # noqa: PLC0415

    from outguard.cli.app import app  # noqa: PLC0415

    root = typer.main.get_command(app)
    out: list[str] = []

    def walk(cmd: click.Command, path: list[str]) -> None:
        ctx = click.Context(cmd, info_name=" ".join(path), terminal_width=88)
        out.append(f"### `{' '.join(path)}`\n\n```\n{cmd.get_help(ctx).strip()}\n```\n")
        if isinstance(cmd, click.Group):
            for name in sorted(cmd.list_commands(ctx)):
                sub = cmd.get_command(ctx, name)
                if sub is not None:
                    walk(sub, [*path, name])

    walk(root, ["outguard"])
    return "\n".join(out)
