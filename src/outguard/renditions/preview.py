"""A policy's preview: the first rows of a table as an agent would see them.

The same classification, column plans and `protect_table` as a rendition, but with
throwaway keys made for this one preview and forgotten with it: the tokens and pseudonyms
have the shape the agent will get, never their values, nothing is registered, and no
canary rows are planted (they are one in a hundred rows or rarer, not in a first page).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from outguard.formats.readers import open_table
from outguard.formats.sources import Source
from outguard.pii.entities import Entity
from outguard.pii.table.classify import classify_table
from outguard.pii.text import scan_text, scan_texts
from outguard.protect.engine import protect_table, protect_text
from outguard.protect.policy import Policy, Rule
from outguard.protect.pseudonyms import address_candidates, person_candidates
from outguard.renditions.keys import TOKEN_KINDS, VAULT_KINDS
from outguard.renditions.pipeline import column_plans, suspect_spans
from outguard.security.aead import keyed_digest
from outguard.security.tokenizers import tokenizer_for

PREVIEW_ROWS = 8
PREVIEW_CHARS = 1500
_SAMPLE = 500  # rows read to classify the columns, as a rendition's first batch would
_CANDIDATES = {"person": person_candidates, "address": address_candidates}


@dataclass
class ThrowawayTransforms:
    """Keyed transforms under a random key that lives as long as this object."""

    seed: bytes = field(default_factory=lambda: os.urandom(32), repr=False)

    def tokenize(
        self, entity: Entity, values: Sequence[str], rule: Rule
    ) -> list[str | None]:
        kind = TOKEN_KINDS.get(entity)
        if kind is None:
            return [None] * len(values)
        tokenizer = tokenizer_for(
            kind,
            keyed_digest(self.seed, "preview-token", kind),
            keep_first=rule.keep_first,
            keep_last=rule.keep_last,
            keep_domain=rule.keep_domain,
            window_days=rule.shift_days,
        )
        return list(tokenizer.tokenize(values))

    def pseudonymize(self, entity: Entity, values: Sequence[str]) -> list[str | None]:
        kind = VAULT_KINDS.get(entity)
        if kind is None:
            return [None] * len(values)
        key = keyed_digest(self.seed, "preview-vault", kind)
        return [
            next(_CANDIDATES[kind](key, v), None) if v.strip() else None for v in values
        ]


@dataclass(frozen=True)
class Preview:
    names: list[str]
    rows: list[list[str]]
    actions: dict[
        str, str
    ]  # input column -> what happens to it (keep, tokenize, drop...)


def preview_table(
    policy: Policy, source: Source, *, as_of: date, rows: int = PREVIEW_ROWS
) -> Preview:
    """The first `rows` rows of the table after `policy`, with throwaway keys."""
    stream = open_table(source, batch_rows=_SAMPLE)
    first = next(iter(stream.batches), None) or [[] for _ in stream.names]
    reports = classify_table(stream.names, first)
    plans = column_plans(policy, reports)
    head = [list(col[:rows]) for col in first]
    spans: dict[int, list[list[object]]] = {
        i: [list(found) for found in scan_texts([v or "" for v in head[i]])]
        for i, plan in enumerate(plans)
        if plan.free_text
    }
    spans.update(suspect_spans(plans, policy, head, None, None))
    protected = protect_table(
        policy,
        plans,
        head,
        ThrowawayTransforms(),
        spans=spans,  # type: ignore[arg-type]
        as_of=as_of,
    )
    count = len(head[0]) if head else 0
    return Preview(
        names=protected.names,
        rows=[[col[r] or "" for col in protected.columns] for r in range(count)],
        actions={
            o.name: "drop" if o.dropped else o.action.value for o in protected.outcomes
        },
    )


def preview_text(policy: Policy, text: str, *, chars: int = PREVIEW_CHARS) -> str:
    """The start of a text after `policy`'s free-text action, with throwaway keys."""
    head = text[:chars]
    protected, _, _ = protect_text(policy, head, scan_text(head), ThrowawayTransforms())
    return protected
