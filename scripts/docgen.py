"""Generators for docs/*.md sections, run by cog (`make docs`) and checked by tests."""

from __future__ import annotations

from typing import Any

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
    """Markdown for every command, built from the click objects (not terminal output)."""
    import typer.main  # noqa: PLC0415
    from typer._click import Context  # noqa: PLC0415 - typer ships its own click core

    from outguard.cli.app import app  # noqa: PLC0415

    root = typer.main.get_command(app)
    out: list[str] = []

    def walk(cmd: Any, path: list[str]) -> None:
        ctx = Context(cmd, info_name=" ".join(path))
        usage = " ".join(cmd.collect_usage_pieces(ctx))
        out.append(f"## `{' '.join(path)}`\n")
        out.append(f"```\n{' '.join(path)} {usage}\n```\n")
        if cmd.help:
            out.append(cmd.help.strip().replace("\x08", "") + "\n")
        rows = []
        for param in cmd.params:
            if param.param_type_name == "option" and not getattr(
                param, "hidden", False
            ):
                names = ", ".join(
                    f"`{o}`" for o in [*param.opts, *param.secondary_opts]
                )
                rows.append(f"| {names} | {(param.help or '').replace('|', '/')} |")
            elif param.param_type_name == "argument":
                rows.append(
                    f"| `{param.name.upper() if param.name else ''}` | argument |"
                )
        if rows:
            out.append("| option | meaning |\n|---|---|\n" + "\n".join(rows) + "\n")
        if hasattr(cmd, "list_commands"):
            for name in sorted(cmd.list_commands(ctx)):
                sub = cmd.get_command(ctx, name)
                if sub is not None:
                    walk(sub, [*path, name])

    walk(root, ["outguard"])
    return "\n".join(out)
