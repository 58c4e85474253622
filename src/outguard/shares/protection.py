"""A share's protection: a template, the owner's per-entity changes, the engagement's limits.

The order matters: the owner's choices are applied to the template, then anything left in
clear that the engagement does not allow the vendor to see falls back to the policy's
default. The result is stored with the share as YAML (what every copy is made with).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import yaml
from pydantic import ValidationError

from outguard.errors import DomainValidationError
from outguard.pii.entities import Entity
from outguard.protect.policy import (
    GENERALIZATIONS,
    PSEUDONYMIZABLE,
    TOKENIZABLE,
    Action,
    Policy,
    PolicyDocument,
    Rule,
    policy_to_dict,
)
from outguard.protect.templates import load_template, template_names

# What "generalize" means when chosen from a list rather than written in a policy file.
_GENERALIZE_TO = {
    Entity.DATE_OF_BIRTH: "year",
    Entity.ADDRESS: "city_state",
    Entity.IP_ADDRESS: "subnet",
}
_ACTION_LABELS = {
    Action.KEEP: "keep in clear",
    Action.TOKENIZE: "tokenize (reversible)",
    Action.PSEUDONYMIZE: "pseudonymize (reversible)",
    Action.GENERALIZE: "generalize",
    Action.MASK: "mask (last 4 kept)",
    Action.REDACT: "redact",
    Action.DROP: "drop the column",
}


@dataclass(frozen=True)
class EntityChoice:
    """One entity's row on the share form: the template's action and the others allowed."""

    entity: str
    action: str
    options: tuple[tuple[str, str], ...]  # (action, label)


def actions_for(entity: Entity) -> list[Action]:
    out = [Action.KEEP]
    if entity in TOKENIZABLE:
        out.append(Action.TOKENIZE)
    if entity in PSEUDONYMIZABLE:
        out.append(Action.PSEUDONYMIZE)
    if GENERALIZATIONS.get(entity) and entity in _GENERALIZE_TO:
        out.append(Action.GENERALIZE)
    out += [Action.MASK, Action.REDACT, Action.DROP]
    return out


def choices(policy: Policy, entities: list[str]) -> list[EntityChoice]:
    """The form's rows for the entities the scan found, in the order given."""
    rows = []
    for name in entities:
        try:
            entity = Entity(name)
        except ValueError:
            continue
        rows.append(
            EntityChoice(
                name,
                policy.rule_for(entity).action.value,
                tuple((a.value, _ACTION_LABELS[a]) for a in actions_for(entity)),
            )
        )
    return rows


def customise(policy: Policy, overrides: Mapping[str, str]) -> tuple[Policy, list[str]]:
    """The template with the owner's per-entity actions; what changed, for the record."""
    doc = policy.document
    entities = dict(doc.entities)
    changes = []
    for name, wanted in overrides.items():
        try:
            entity, action = Entity(name), Action(wanted)
        except ValueError:
            raise DomainValidationError(
                f"{name}: {wanted!r} is not a protection outguard knows."
            ) from None
        if action not in actions_for(entity):
            raise DomainValidationError(f"{name} cannot be {action.value}d.")
        current = policy.rule_for(entity)
        if current.action is action:
            continue
        update: dict[str, object] = {"action": action}
        if action is Action.GENERALIZE:
            update["to"] = _GENERALIZE_TO[entity]
        entities[entity] = (entities.get(entity) or Rule(action=action)).model_copy(
            update=update
        )
        changes.append(
            f"{name}: {current.action.value} → {action.value} (by the owner)"
        )
    if not changes:
        return policy, []
    try:
        document = PolicyDocument.model_validate(
            {
                **doc.model_dump(),
                "name": f"{doc.name}-custom"[:80],
                "entities": {e: r.model_dump() for e, r in entities.items()},
            }
        )
    except ValidationError as exc:
        raise DomainValidationError(
            f"That protection is not valid: {exc.errors()[0]['msg']}"
        ) from None
    return Policy(document=document, source=f"{policy.source}, customised"), changes


def restrict_to(policy: Policy, allowed: list[str]) -> tuple[Policy, list[str]]:
    """The policy, with `keep` removed for every entity the engagement does not allow.

    "Data the vendor may see" is what may stay in clear; anything else falls back to the
    policy's default (drop, redact or mask), and the change is listed for the owner.
    """
    doc = policy.document
    entities = dict(doc.entities)
    changes = []
    for entity, rule in doc.entities.items():
        if rule.action is Action.KEEP and entity.value not in allowed:
            entities[entity] = rule.model_copy(update={"action": Action(doc.default)})
            changes.append(
                f"{entity.value}: keep → {doc.default} (not allowed on this engagement)"
            )
    if not changes:
        return policy, []
    document = doc.model_copy(update={"entities": entities})
    return Policy(document=document, source=f"{policy.source}, restricted"), changes


def effective_policy(
    template: str, allowed: list[str], overrides: Mapping[str, str] | None = None
) -> tuple[Policy, list[str]]:
    """What the agents' copies are made with, and every change from the template."""
    if template not in template_names():
        raise DomainValidationError(f"No protection template called {template!r}.")
    policy, chosen = customise(load_template(template), overrides or {})
    policy, limited = restrict_to(policy, allowed)
    return policy, chosen + limited


def policy_text(policy: Policy) -> str:
    text: str = yaml.safe_dump(
        policy_to_dict(policy), sort_keys=False, allow_unicode=True
    )
    return text
