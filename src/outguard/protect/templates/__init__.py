"""Shipped policy templates for the work small businesses outsource (YAML, one per file)."""

from __future__ import annotations

from importlib import resources

from outguard.errors import NotFoundError
from outguard.protect.policy import Policy, parse_policy


def template_names() -> list[str]:
    return sorted(
        entry.name.removesuffix(".yaml")
        for entry in resources.files(__name__).iterdir()
        if entry.name.endswith(".yaml")
    )


def load_template(name: str) -> Policy:
    if name not in template_names():
        raise NotFoundError(
            f"No policy template named {name!r}; templates: {', '.join(template_names())}."
        )
    text = (
        resources.files(__name__).joinpath(f"{name}.yaml").read_text(encoding="utf-8")
    )
    return parse_policy(text, source=f"template {name}")


def template_text(name: str) -> str:
    load_template(name)  # validates the name
    return (
        resources.files(__name__).joinpath(f"{name}.yaml").read_text(encoding="utf-8")
    )
