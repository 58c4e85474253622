"""Protection policies: what each kind of personal data becomes in a recipient's rendition.

A policy is a YAML document validated against a strict schema: unknown entities, actions,
options or keys are errors that name the line. Anything personal that a policy does not
mention, and anything the scanner finds that no rule covers, gets the policy's `default`
action, which may never be `keep`: the safe choice is the one that needs no decision.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from outguard.errors import DomainValidationError
from outguard.pii.entities import Entity

MAX_POLICY_BYTES = 256 * 1024


class Action(StrEnum):
    KEEP = "keep"
    DROP = "drop"  # the column (or span) is removed
    MASK = "mask"  # characters replaced, some kept: ***-**-1234
    REDACT = "redact"  # a typed placeholder: [US_SSN]
    GENERALIZE = "generalize"  # coarser value: year, age band, ZIP3, amount band
    TOKENIZE = "tokenize"  # format-preserving, per recipient, reversible by the owner
    PSEUDONYMIZE = (
        "pseudonymize"  # realistic fake name/address, per recipient, via the vault
    )


# Which entities each action makes sense for; anything else is a policy error.
TOKENIZABLE = frozenset(
    {
        Entity.US_SSN,
        Entity.US_ITIN,
        Entity.US_EIN,
        Entity.CREDIT_CARD,
        Entity.BANK_ACCOUNT,
        Entity.ABA_ROUTING,
        Entity.IBAN,
        Entity.EMAIL,
        Entity.PHONE,
        Entity.DATE_OF_BIRTH,
        Entity.US_DRIVER_LICENSE,
        Entity.US_PASSPORT,
        Entity.IP_ADDRESS,
    }
)
PSEUDONYMIZABLE = frozenset({Entity.PERSON, Entity.ADDRESS})
GENERALIZATIONS: Mapping[Entity | None, frozenset[str]] = {
    Entity.DATE_OF_BIRTH: frozenset({"year", "age_band", "decade"}),
    Entity.ADDRESS: frozenset({"city_state", "state", "zip3"}),
    Entity.IP_ADDRESS: frozenset({"subnet"}),
    None: frozenset(
        {"band", "zip3", "year", "month"}
    ),  # per-column rules on non-PII columns
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)


class Rule(_Strict):
    action: Action
    keep_last: Annotated[int, Field(ge=0, le=8)] = 4  # mask
    keep_first: Annotated[int, Field(ge=0, le=8)] = 0  # mask; card BIN kept by tokenize
    to: str | None = (
        None  # generalize: year, age_band, decade, zip3, city_state, band...
    )
    bands: tuple[float, ...] | None = None  # generalize to band: ascending edges
    keep_domain: bool = True  # tokenize an e-mail: keep the domain
    shift_days: Annotated[int, Field(ge=1, le=3650)] = 180  # tokenize a date: ± window


class FreeText(_Strict):
    """Spans found in free-text columns and text files."""

    action: Literal["redact", "tokenize", "pseudonymize", "drop"] = "redact"


class Canaries(_Strict):
    enabled: bool = True
    density: Annotated[float, Field(gt=0, le=0.05)] | Literal["auto"] = "auto"


class PolicyDocument(_Strict):
    version: Literal[1]
    name: Annotated[
        str, Field(min_length=1, max_length=80, pattern=r"^[a-z0-9][a-z0-9_-]*$")
    ]
    title: Annotated[str, Field(max_length=200)] = ""
    description: Annotated[str, Field(max_length=2000)] = ""
    default: Literal["drop", "redact", "mask"] = "redact"
    entities: dict[Entity, Rule] = Field(default_factory=dict)
    columns: dict[Annotated[str, Field(min_length=1, max_length=200)], Rule] = Field(
        default_factory=dict
    )
    free_text: FreeText = FreeText()
    canaries: Canaries = Canaries()

    @model_validator(mode="after")
    def _actions_fit(self) -> PolicyDocument:
        for entity, rule in self.entities.items():
            _check_rule(rule, entity, f"entities.{entity.value}")
        for column, rule in self.columns.items():
            _check_rule(rule, None, f"columns.{column}")
        return self


def _check_rule(rule: Rule, entity: Entity | None, where: str) -> None:
    if (
        rule.action is Action.TOKENIZE
        and entity is not None
        and entity not in TOKENIZABLE
    ):
        msg = f"{where}: {entity.value} cannot be tokenized; use pseudonymize, mask or redact"
        raise ValueError(msg)
    if rule.action is Action.PSEUDONYMIZE and entity not in PSEUDONYMIZABLE:
        msg = f"{where}: only PERSON and ADDRESS can be pseudonymized"
        raise ValueError(msg)
    if rule.action is Action.GENERALIZE:
        allowed = GENERALIZATIONS.get(entity, frozenset())
        if not allowed:
            msg = f"{where}: {entity.value if entity else 'this'} cannot be generalized"
            raise ValueError(msg)
        if rule.to not in allowed:
            msg = f"{where}: generalize needs `to:` one of {', '.join(sorted(allowed))}"
            raise ValueError(msg)
        if rule.to == "band" and not rule.bands:
            msg = f"{where}: generalize to band needs `bands:` (ascending edges)"
            raise ValueError(msg)
        if rule.bands and list(rule.bands) != sorted(set(rule.bands)):
            msg = f"{where}: `bands:` must be strictly ascending"
            raise ValueError(msg)


@dataclass(frozen=True)
class Policy:
    """A validated policy: the rule for any entity or column, never `keep` by accident."""

    document: PolicyDocument
    source: str  # the file or template it came from

    @property
    def name(self) -> str:
        return self.document.name

    def rule_for(self, entity: Entity | None, column: str | None = None) -> Rule:
        if column is not None:
            for name, rule in self.document.columns.items():
                if name.casefold() == column.strip().casefold():
                    return rule
        if entity is None:
            return Rule(action=Action.KEEP)  # not personal data (per the scanner)
        return self.document.entities.get(
            entity, Rule(action=Action(self.document.default))
        )

    def column_override(self, column: str) -> Rule | None:
        for name, rule in self.document.columns.items():
            if name.casefold() == column.strip().casefold():
                return rule
        return None


class PolicyError(DomainValidationError):
    code = "invalid_policy"
    default_message = "The protection policy is not valid."


def parse_policy(text: str, *, source: str = "<policy>") -> Policy:
    """Parse and validate; errors name the line and the problem."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_POLICY_BYTES:
        raise PolicyError(
            f"{source}: a policy is at most {MAX_POLICY_BYTES // 1024} KB."
        )
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise PolicyError(f"{source}{line}: {problem}.") from None
    if not isinstance(data, dict):
        raise PolicyError(
            f"{source}: a policy is a mapping (version, name, entities, ...)."
        )
    try:
        document = PolicyDocument.model_validate(data)
    except ValidationError as exc:
        raise PolicyError(_describe(exc, node, source)) from None
    return Policy(document, source)


def _describe(exc: ValidationError, node: yaml.Node | None, source: str) -> str:
    problems = []
    for error in exc.errors()[:5]:
        loc = [str(p) for p in error["loc"] if p != "[key]"]
        message = str(error["msg"]).removeprefix("Value error, ")
        if not loc and ": " in message:  # a cross-field rule: "entities.PERSON: why"
            path, message = message.split(": ", 1)
            loc = path.split(".", 1)
        line = _line_of(node, loc)
        where = ".".join(loc) or "policy"
        if error["type"] == "extra_forbidden":
            message = "unknown key (check the spelling against the policy reference)"
        elif error["type"] == "enum" and loc and loc[-1] == "action":
            message = f"unknown action; one of {', '.join(a.value for a in Action)}"
        elif error["type"] == "enum" and "entities" in loc:
            message = "unknown entity; see `outguard policy show` for the vocabulary"
        problems.append(
            f"{source}{f' line {line}' if line else ''}: {where}: {message}"
        )
    return "\n".join(problems)


def _line_of(node: yaml.Node | None, loc: list[str]) -> int | None:
    """The 1-based line of the deepest YAML node along `loc` that exists."""
    line = None
    for key in loc:
        if not isinstance(node, yaml.MappingNode):
            break
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                line = k.start_mark.line + 1
                node = v
                break
        else:
            break
    return line


def policy_to_dict(policy: Policy) -> dict[str, Any]:
    return policy.document.model_dump(mode="json", exclude_defaults=False)
