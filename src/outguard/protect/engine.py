"""Apply a policy to a table's columns for one recipient: the rendition's cells.

The caller (the rendition use case) supplies what the scanner found — an entity per column,
spans in free-text cells — and the recipient's keyed transforms (tokens from FF1, pseudonyms
from the vault) behind the `RecipientTransforms` port. This module decides, per column and
per span, which action applies and never fails open: a value that cannot be tokenized or
generalised becomes a typed placeholder, and every output cell is formula-neutralised.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from outguard.pii.entities import Entity
from outguard.protect import cells
from outguard.protect.policy import Action, Policy, Rule

Cells = list[str | None]


class RecipientTransforms(Protocol):
    """The recipient's keyed, reversible transforms. None in the result: could not apply."""

    def tokenize(
        self, entity: Entity, values: Sequence[str], rule: Rule
    ) -> list[str | None]: ...

    def pseudonymize(
        self, entity: Entity, values: Sequence[str]
    ) -> list[str | None]: ...


class Span(Protocol):
    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...

    @property
    def entity(self) -> Entity: ...


@dataclass(frozen=True)
class ColumnPlan:
    """What the scanner said of a column: its entity (None: not personal) or free text."""

    name: str
    entity: Entity | None
    free_text: bool = False
    rule: Rule | None = None  # the caller's rule (e.g. a City column of an address)


@dataclass
class ColumnOutcome:
    """What happened to one column: for the rendition's report (never a value)."""

    name: str
    entity: Entity | None
    action: Action
    dropped: bool = False
    cells_changed: int = 0
    fallbacks: int = (
        0  # values that could not take the action and were redacted instead
    )
    spans_replaced: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ProtectedTable:
    names: list[str]
    columns: list[Cells]
    outcomes: list[ColumnOutcome]
    # Per output column with free text: per cell, the (start, end) of each replacement in
    # the output text, so a re-scan can tell our tokens from personal data left behind.
    replaced: dict[int, list[list[tuple[int, int]]]] = field(default_factory=dict)


def _non_empty(values: Cells) -> tuple[list[int], list[str]]:
    idx = [i for i, v in enumerate(values) if v is not None and v.strip()]
    return idx, [values[i] for i in idx]  # type: ignore[misc]


def _scatter(
    values: Cells, idx: list[int], results: Sequence[str | None], mark: str
) -> tuple[Cells, int]:
    out = list(values)
    fallbacks = 0
    for i, r in zip(idx, results, strict=True):
        if r is None:
            fallbacks += 1
        out[i] = mark if r is None else r
    return out, fallbacks


def apply_rule(
    rule: Rule,
    entity: Entity | None,
    values: Cells,
    transforms: RecipientTransforms,
    *,
    as_of: date,
) -> tuple[Cells, int]:
    """One column through one rule -> (cells, fallbacks)."""
    mark = cells.placeholder(entity)
    action = rule.action
    if action is Action.KEEP:
        return list(values), 0
    if action is Action.REDACT or action is Action.DROP:
        return cells.redact(values, entity), 0
    if action is Action.MASK:
        return cells.mask(
            values, keep_first=rule.keep_first, keep_last=rule.keep_last
        ), 0
    if action is Action.GENERALIZE:
        return _generalize(rule, entity, values, as_of=as_of), 0
    idx, present = _non_empty(values)
    if entity is None:  # tokenize/pseudonymize a non-personal column: nothing to key by
        return cells.redact(values, None), 0
    if action is Action.TOKENIZE:
        results = transforms.tokenize(entity, present, rule) if present else []
    else:
        results = transforms.pseudonymize(entity, present) if present else []
    return _scatter(values, idx, results, mark)


def _generalize(
    rule: Rule, entity: Entity | None, values: Cells, *, as_of: date
) -> Cells:
    to = rule.to or ""
    if entity is Entity.DATE_OF_BIRTH or to in {"year", "decade", "month", "age_band"}:
        return cells.generalize_dates(values, to, as_of=as_of)
    if entity is Entity.ADDRESS:
        return cells.generalize_addresses(values, to)
    if entity is Entity.IP_ADDRESS:
        return cells.generalize_ips(values)
    if to == "zip3":
        return cells.generalize_zip3(values)
    return cells.generalize_amounts(values, rule.bands or (0,))


def _span_replacements(
    policy: Policy,
    values: Cells,
    spans: Sequence[Sequence[Span]],
    transforms: RecipientTransforms,
) -> dict[tuple[Entity, str], str | None]:
    """Keyed replacements, batched per entity across the whole column."""
    action = policy.document.free_text.action
    wanted: dict[Entity, list[str]] = defaultdict(list)
    for value, found in zip(values, spans, strict=True):
        if value is None:
            continue
        for s in found:
            wanted[s.entity].append(value[s.start : s.end])
    replacement: dict[tuple[Entity, str], str | None] = {}
    for entity, texts in wanted.items():
        distinct = list(dict.fromkeys(texts))
        results: list[str | None]
        if action == "tokenize" and policy.rule_for(entity).action is Action.TOKENIZE:
            results = transforms.tokenize(entity, distinct, policy.rule_for(entity))
        elif action == "pseudonymize" and entity in {Entity.PERSON, Entity.ADDRESS}:
            results = transforms.pseudonymize(entity, distinct)
        else:
            results = [None] * len(distinct)
        replacement.update(
            ((entity, t), r) for t, r in zip(distinct, results, strict=True)
        )
    return replacement


def _free_text(
    policy: Policy,
    values: Cells,
    spans: Sequence[Sequence[Span]],
    transforms: RecipientTransforms,
    outcome: ColumnOutcome,
) -> tuple[Cells, list[list[tuple[int, int]]]]:
    """Replace each found span per the policy's free-text action (typed placeholder fallback).

    Returns the cells and, per cell, where the replacements sit in the output text.
    """
    action = policy.document.free_text.action
    replacement = _span_replacements(policy, values, spans, transforms)
    out: Cells = []
    where: list[list[tuple[int, int]]] = []
    for value, found in zip(values, spans, strict=True):
        if value is None or not found:
            out.append(value)
            where.append([])
            continue
        pieces: list[str] = []
        positions: list[tuple[int, int]] = []
        cursor = 0
        length = 0
        for s in sorted(found, key=lambda s: s.start):
            if s.start < cursor:  # overlapping spans: the first one already covers it
                continue
            new = replacement.get((s.entity, value[s.start : s.end]))
            if action == "drop":
                new = ""
            elif new is None:
                new = cells.placeholder(s.entity)
            pieces.append(value[cursor : s.start])
            length += s.start - cursor
            positions.append((length, length + len(new)))
            pieces.append(new)
            length += len(new)
            cursor = s.end
            outcome.spans_replaced[s.entity.value] = (
                outcome.spans_replaced.get(s.entity.value, 0) + 1
            )
        pieces.append(value[cursor:])
        outcome.cells_changed += 1
        out.append("".join(pieces))
        where.append(positions)
    return out, where


def protect_text(
    policy: Policy,
    text: str,
    findings: Sequence[Span],
    transforms: RecipientTransforms,
) -> tuple[str, ColumnOutcome, list[tuple[int, int]]]:
    """A text document's spans replaced per the policy's free-text action (no formula quoting).

    Returns the text, what happened, and where the replacements sit in it.
    """
    outcome = ColumnOutcome("text", None, Action(policy.document.free_text.action))
    cells_out, where = _free_text(policy, [text], [findings], transforms, outcome)
    return cells_out[0] or "", outcome, where[0]


def protect_table(
    policy: Policy,
    plans: Sequence[ColumnPlan],
    columns: Sequence[Cells],
    transforms: RecipientTransforms,
    *,
    spans: dict[int, Sequence[Sequence[Span]]] | None = None,
    as_of: date,
) -> ProtectedTable:
    """The recipient's cells: dropped columns removed, the rest transformed and neutralised."""
    if len(plans) != len(columns):
        msg = "one plan per column is required"
        raise ValueError(msg)
    spans = spans or {}
    names: list[str] = []
    out: list[Cells] = []
    outcomes: list[ColumnOutcome] = []
    replaced: dict[int, list[list[tuple[int, int]]]] = {}
    for i, (plan, values) in enumerate(zip(plans, columns, strict=True)):
        override = policy.column_override(plan.name)
        rule = override or plan.rule or policy.rule_for(plan.entity)
        # Free text, and a kept column whose cells turned out to hold personal data: the
        # spans are replaced (a column is never kept with personal data in it by accident).
        as_text = override is None and (
            plan.free_text
            or (i in spans and rule.action is Action.KEEP and plan.entity is None)
        )
        if as_text:
            outcome = ColumnOutcome(
                plan.name, None, Action(policy.document.free_text.action)
            )
            found = spans[i] if i in spans else [[] for _ in values]
            result, replaced[len(out)] = _free_text(
                policy, values, found, transforms, outcome
            )
        else:
            outcome = ColumnOutcome(plan.name, plan.entity, rule.action)
            if rule.action is Action.DROP:
                outcome.dropped = True
                outcomes.append(outcome)
                continue
            result, outcome.fallbacks = apply_rule(
                rule, plan.entity, values, transforms, as_of=as_of
            )
            outcome.cells_changed = sum(
                1 for a, b in zip(values, result, strict=True) if a != b
            )
        names.append(cells.neutralise_formula(plan.name))
        neutral = cells.neutralise_column(result)
        where = replaced.get(len(out))
        if where is not None:  # a quote put before a would-be formula moves the spans
            for k, (before, after) in enumerate(zip(result, neutral, strict=True)):
                if (
                    before is not None
                    and after is not None
                    and len(after) != len(before)
                ):
                    shift = len(after) - len(before)
                    where[k] = [(a + shift, b + shift) for a, b in where[k]]
        out.append(neutral)
        outcomes.append(outcome)
    return ProtectedTable(names, out, outcomes, replaced)
