"""The table pipeline of a rendition, a batch at a time.

Plan the columns from the first batch; per batch: plant its share of canary rows, find the
spans of free text (and of "non-personal" cells that hold personal data after all), apply
the policy through the recording transforms, re-scan what is about to be written, append it.
The use case around it (`service.protect_file`) opens the output and registers the result.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from outguard.errors import DomainValidationError
from outguard.formats.readers import (
    TableStream,
)
from outguard.formats.writers import (
    TableWriter,
)
from outguard.pii.entities import Entity
from outguard.pii.table.classify import ColumnReport, classify_table
from outguard.pii.table.values import CHECKS, clean
from outguard.pii.text import NameRecogniser, scan_texts
from outguard.protect import fingerprints as fp
from outguard.protect.canaries import (
    CanaryColumn,
    canary_count,
    canary_positions,
    make_canaries,
)
from outguard.protect.engine import (
    ColumnOutcome,
    ColumnPlan,
    protect_table,
)
from outguard.protect.policy import TOKENIZABLE, Action, Policy, Rule
from outguard.renditions.collector import collector_paused
from outguard.renditions.keys import TOKEN_KINDS, VAULT_KINDS, KeyedTransforms
from outguard.renditions.marks import CANARY, RENDERED, SENT, label
from outguard.scanning import (
    batch_dictionary,
)
from outguard.security.aead import keyed_digest

Progress = Callable[[int], None]
Batch = list[list[str | None]]

# Canary values worth registering: unique per recipient by construction (names and
# addresses may coincide with another recipient's pseudonyms; dates and bands do).
CANARY_ENTITIES = TOKENIZABLE - {Entity.DATE_OF_BIRTH, Entity.IP_ADDRESS}
# A "non-personal" cell is span-scanned when it could hold an identifier: 7+ digits or an @.
_SUSPECT = re.compile(r"@|(?:\d\D{0,2}){7}")
_PART = {
    "zip": "zip",
    "postal": "zip",
    "postcode": "zip",
    "city": "city",
    "county": "city",
    "state": "state",
}


class UnprotectedOutputError(DomainValidationError):
    code = "unprotected_output"
    default_message = "Personal data would have left unprotected; nothing was written."


class Recording:
    """The recipient's transforms, noting the fingerprints of what they were given."""

    def __init__(self, inner: KeyedTransforms, key: bytes) -> None:
        self.inner = inner
        self.key = key
        self.sets: dict[tuple[str, str], list[np.ndarray]] = defaultdict(list)

    def tokenize(
        self, entity: Entity, values: Sequence[str], rule: Rule
    ) -> list[str | None]:
        out = self.inner.tokenize(entity, values, rule)
        kind = TOKEN_KINDS.get(entity)
        if kind is not None:
            sent = [v for v, t in zip(values, out, strict=True) if t is not None]
            self.sets[(SENT, kind)].append(
                fp.fingerprints(self.key, label(SENT, kind), sent)
            )
        return out

    def pseudonymize(self, entity: Entity, values: Sequence[str]) -> list[str | None]:
        out = self.inner.pseudonymize(entity, values)
        kind = VAULT_KINDS.get(entity)
        if kind is not None:
            shown = [p for p in out if p is not None]
            self.sets[(RENDERED, kind)].append(
                fp.fingerprints(self.key, label(RENDERED, kind), shown)
            )
        return out

    def note(self, role: str, kind: str, values: Sequence[str]) -> None:
        self.sets[(role, kind)].append(
            fp.fingerprints(self.key, label(role, kind), values)
        )


def part_rule(policy: Policy, name: str) -> Rule | None:
    """The rule for a City/State/ZIP column beside an address, from the address's rule."""
    words = re.findall(r"[a-z]+", name.lower())
    part = next((_PART[w] for w in words if w in _PART), None)
    address = policy.rule_for(Entity.ADDRESS)
    keep, redact = Rule(action=Action.KEEP), Rule(action=Action.REDACT)
    if address.action is Action.PSEUDONYMIZE or address.action is Action.KEEP:
        return keep  # a pseudonym keeps the city, state and ZIP of the original
    if address.action is Action.GENERALIZE:
        to = address.to or "city_state"
        if part == "zip":
            return (
                Rule(action=Action.GENERALIZE, to="zip3")
                if to in {"city_state", "zip3"}
                else redact
            )
        if part == "state":
            return keep
        return keep if to == "city_state" else redact
    return address  # drop, redact or mask the parts as the whole


def column_plans(policy: Policy, columns: Sequence[ColumnReport]) -> list[ColumnPlan]:
    plans = []
    for c in columns:
        if c.kind == "free_text":
            plans.append(ColumnPlan(c.name, None, free_text=True))
        elif c.kind == "pii" and c.part_of:
            plans.append(
                ColumnPlan(c.name, Entity.ADDRESS, rule=part_rule(policy, c.name))
            )
        elif c.kind == "pii":
            plans.append(ColumnPlan(c.name, c.entity))
        else:
            plans.append(ColumnPlan(c.name, None))
    return plans


@dataclass
class Outcome:
    """One column's outcome summed over batches (and sheets)."""

    name: str
    entity: str | None
    action: str
    dropped: bool = False
    cells_changed: int = 0
    fallbacks: int = 0
    spans: dict[str, int] = field(default_factory=dict)

    def add(self, o: ColumnOutcome) -> None:
        self.cells_changed += o.cells_changed
        self.fallbacks += o.fallbacks
        for k, v in o.spans_replaced.items():
            self.spans[k] = self.spans.get(k, 0) + v
        if o.spans_replaced and self.action == Action.KEEP.value:
            self.action = o.action.value  # a kept column whose cells held personal data

    def as_dict(self) -> dict[str, Any]:
        return {
            "column": self.name,
            "entity": self.entity,
            "action": "drop" if self.dropped else self.action,
            "cells_changed": self.cells_changed,
            "fallbacks": self.fallbacks,
            "spans": dict(sorted(self.spans.items())),
        }


@dataclass
class Job:
    """Everything one protect run carries from batch to batch."""

    policy: Policy
    transforms: Recording
    canary_key: bytes
    ner: NameRecogniser | None
    as_of: date
    sample: int
    batch_rows: int
    rows: int = 0
    canaries: int = 0
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    progress: Progress | None = None


def suspect_spans(
    plans: Sequence[ColumnPlan],
    policy: Policy,
    batch: Batch,
    dictionary: Any,
    ner: NameRecogniser | None,
) -> dict[int, list[list[Any]]]:
    """Spans of personal data in kept (non-personal) columns: the classification's safety net."""
    out: dict[int, list[list[Any]]] = {}
    for i, plan in enumerate(plans):
        if plan.free_text or plan.entity is not None:
            continue
        if (
            policy.column_override(plan.name) or Rule(action=Action.KEEP)
        ).action is not Action.KEEP:
            continue
        values = batch[i]
        distinct = list(dict.fromkeys(v for v in values if v and _SUSPECT.search(v)))
        if not distinct:
            continue
        found = dict(
            zip(
                distinct,
                scan_texts(distinct, dictionary=dictionary, ner=ner),
                strict=True,
            )
        )
        if any(found.values()):
            out[i] = [found.get(v, []) if v else [] for v in values]
    return out


def verify(
    plans: Sequence[ColumnPlan],
    protected: Any,
    out_index: dict[int, int],
    first_row: int,
    real_rows: list[int | None],
    ner: NameRecogniser | None,
) -> None:
    """Re-scan what is about to be written; anything personal outside our own replacements fails."""
    for i, plan in enumerate(plans):
        j = out_index.get(i)
        if j is None:
            continue
        cells = protected.columns[j]
        outcome = protected.outcomes[i]
        where = protected.replaced.get(j)
        if where is not None:
            changed = [k for k, w in enumerate(where) if w]
            found = scan_texts([cells[k] or "" for k in changed], ner=ner)
            for k, spans in zip(changed, found, strict=True):
                for f in spans:
                    if not any(
                        (a <= f.start and f.end <= b) or (f.start < b and a < f.end)
                        for a, b in where[k]
                    ):
                        raise unprotected(
                            plan.name, first_row, real_rows[k], f.entity.value
                        )
        elif plan.entity is not None and outcome.action in {Action.MASK, Action.REDACT}:
            check = CHECKS[plan.entity][0]
            for k, v in enumerate(cells):
                if v and check(clean(v.removeprefix("'"))):
                    raise unprotected(
                        plan.name, first_row, real_rows[k], plan.entity.value
                    )


PROTECTING = frozenset(
    {Action.TOKENIZE, Action.PSEUDONYMIZE}
)  # look personal by design


def verify_columns(
    job: Job, plans: Sequence[ColumnPlan], protected: Any, out_index: dict[int, int]
) -> None:
    """Classify the output as a fresh file would be.

    A column that reads as personal data must be one the policy tokenized or pseudonymized,
    or one the owner chose to keep by name or entity.
    """
    sample = [col[: job.sample] for col in protected.columns]
    seen = classify_table(protected.names, sample)
    for i, plan in enumerate(plans):
        j = out_index.get(i)
        if j is None or seen[j].kind != "pii" or seen[j].part_of:
            continue
        outcome = protected.outcomes[i]
        if outcome.action in PROTECTING:
            continue
        chosen = job.policy.column_override(plan.name) or (
            job.policy.document.entities.get(plan.entity) if plan.entity else None
        )
        if chosen is not None and chosen.action is Action.KEEP:
            continue  # the owner's explicit decision, reported as "keep"
        if outcome.action is Action.GENERALIZE:
            continue  # coarse by construction: "City, ST" may still read as a place
        found = seen[j].entity
        entity = found.value if found is not None else "personal data"
        raise UnprotectedOutputError(
            f"Column {plan.name!r}: the output still reads as {entity} after the policy was "
            "applied. Nothing was written; add a rule for this column (`columns:` in the policy)."
        )


def unprotected(
    column: str, first_row: int, row: int | None, entity: str
) -> UnprotectedOutputError:
    where = f"row {first_row + row + 1:,}" if row is not None else "a canary row"
    return UnprotectedOutputError(
        f"Column {column!r}, {where}: a {entity} would leave unprotected after the policy was "
        "applied. Nothing was written; add a rule for this column (`columns:` in the policy)."
    )


def protect_stream(
    job: Job,
    stream: TableStream,
    open_writer: Callable[[list[str], list[Any] | None], Any],
    *,
    size_bytes: int,
) -> None:
    with collector_paused():  # the first batch read and planned
        batches = iter(stream.batches)
        first = next(batches, None)
        columns = classify_table(
            stream.names,
            [col[: job.sample] for col in first]
            if first
            else [[] for _ in stream.names],
        )
        plans = column_plans(job.policy, columns)
        for o in names_outcomes(job, plans):
            job.outcomes.setdefault(o.name, o)
        head = [list(col[: job.sample]) for col in first] if first else []
        canary_rows: list[list[str]] = []
        if first is not None and job.policy.document.canaries.enabled:
            estimated = estimate_rows(stream, first, size_bytes, job.batch_rows)
            count = canary_count(estimated, job.policy.document.canaries.density)
            canary_columns = [
                CanaryColumn(
                    c.name,
                    c.entity if c.kind == "pii" else None,
                    tuple(v for v in head[c.index] if v and v.strip())[:20],
                    c.kind == "free_text",
                    tuple(v for v in head[c.index] if v and v.strip())
                    if c.kind == "not_pii"
                    else (),
                )
                for c in columns
            ]
            canary_rows = make_canaries(job.canary_key, canary_columns, count)
        else:
            estimated = 1
    total = len(canary_rows)
    done = planted = index = 0
    batch = first
    with (
        ExitStack() as stack
    ):  # the writer opens once the header is known, closes at the end

        def get_writer(names: list[str], types: list[Any] | None) -> TableWriter:
            opened: TableWriter = stack.enter_context(open_writer(names, types))
            return opened

        writer: TableWriter | None = None
        while batch is not None:
            with collector_paused():  # a batch's many small objects: see collector
                following = next(batches, None)
                real = len(batch[0]) if batch else 0
                done += real
                # This batch's share, so canaries spread over the file; the last
                # batch takes the rest.
                target = (
                    total
                    if following is None
                    else round(total * min(1.0, done / estimated))
                )
                take = max(0, target - planted)
                rows_here, real_rows = plant(
                    job, batch, canary_rows[planted : planted + take], index
                )
                planted += take
                protected, out_index = protect_batch(job, plans, columns, rows_here)
                verify(plans, protected, out_index, job.rows, real_rows, job.ner)
                if writer is None:  # the first batch: its columns re-classified
                    verify_columns(job, plans, protected, out_index)
                note_canaries(job, plans, protected, out_index, real_rows)
                if writer is None:
                    writer = get_writer(
                        protected.names,
                        output_types(stream, plans, out_index, protected),
                    )
                writer.write(protected.columns)
            for i, o in enumerate(protected.outcomes):
                job.outcomes[plans[i].name].add(o)
            job.rows += real
            job.canaries += take
            index += 1
            if job.progress is not None:
                job.progress(job.rows)
            batch = following
        if writer is None:  # no rows at all: the header alone
            protected, out_index = protect_batch(
                job, plans, columns, [[] for _ in plans]
            )
            get_writer(
                protected.names, output_types(stream, plans, out_index, protected)
            )


def estimate_rows(
    stream: TableStream, first: Batch, size_bytes: int, batch_rows: int
) -> int:
    """Rows in the table, for the canary density: exact when it fits one batch or is Parquet."""
    rows = len(first[0]) if first else 0
    if rows < batch_rows:
        return max(rows, 1)
    if stream.total_rows is not None:
        return stream.total_rows
    width = sum(len(v or "") + 1 for col in first for v in col) / rows
    compression = 4 if stream.kind == "xlsx" else 1
    return max(rows, int(size_bytes * compression / max(width, 1.0)))


def names_outcomes(job: Job, plans: Sequence[ColumnPlan]) -> list[Outcome]:
    out = []
    for plan in plans:
        override = job.policy.column_override(plan.name)
        action: str
        if plan.free_text and override is None:
            action = job.policy.document.free_text.action
        else:
            action = (
                override or plan.rule or job.policy.rule_for(plan.entity)
            ).action.value
        out.append(
            Outcome(
                plan.name,
                plan.entity.value
                if plan.entity
                else ("free text" if plan.free_text else None),
                action,
                dropped=action == Action.DROP.value and not plan.free_text,
            )
        )
    return out


def plant(
    job: Job, batch: Batch, canaries: list[list[str]], index: int
) -> tuple[Batch, list[int | None]]:
    """The batch with canary rows inserted; per output row, its real row index (None: canary)."""
    real = len(batch[0]) if batch else 0
    if not canaries:
        return batch, list(range(real))
    key = keyed_digest(job.canary_key, "canary-batch", str(index))
    at = set(canary_positions(key, real, len(canaries)))
    columns: Batch = [[] for _ in batch]
    rows: list[int | None] = []
    r = c = 0
    for pos in range(real + len(canaries)):
        if pos in at:
            for k, col in enumerate(columns):
                col.append(canaries[c][k] or None)
            rows.append(None)
            c += 1
        else:
            for k, col in enumerate(columns):
                col.append(batch[k][r])
            rows.append(r)
            r += 1
    return columns, rows


def protect_batch(
    job: Job,
    plans: Sequence[ColumnPlan],
    columns: Sequence[ColumnReport],
    batch: Batch,
) -> tuple[Any, dict[int, int]]:
    dictionary = batch_dictionary(columns, batch)
    spans: dict[int, Any] = {}
    for i, plan in enumerate(plans):
        if plan.free_text and job.policy.column_override(plan.name) is None:
            spans[i] = scan_texts(
                [v or "" for v in batch[i]],
                dictionary=dictionary if len(dictionary) else None,
                ner=job.ner,
            )
    spans.update(
        suspect_spans(
            plans, job.policy, batch, dictionary if len(dictionary) else None, None
        )
    )
    protected = protect_table(
        job.policy, plans, batch, job.transforms, spans=spans, as_of=job.as_of
    )
    out_index: dict[int, int] = {}
    j = 0
    for i, o in enumerate(protected.outcomes):
        if not o.dropped:
            out_index[i] = j
            j += 1
    return protected, out_index


def note_canaries(
    job: Job,
    plans: Sequence[ColumnPlan],
    protected: Any,
    out_index: dict[int, int],
    real_rows: list[int | None],
) -> None:
    rows = [k for k, r in enumerate(real_rows) if r is None]
    if not rows:
        return
    values: list[str] = []
    for i, plan in enumerate(plans):
        j = out_index.get(i)
        if j is None or plan.entity not in CANARY_ENTITIES:
            continue
        if protected.outcomes[i].action not in {Action.TOKENIZE, Action.KEEP}:
            continue  # a masked or redacted canary value says nothing about who leaked it
        values.extend(v for k in rows if (v := protected.columns[j][k]))
    job.transforms.note(CANARY, "any", values)


def output_types(
    stream: TableStream,
    plans: Sequence[ColumnPlan],
    out_index: dict[int, int],
    protected: Any,
) -> list[Any] | None:
    """Parquet: keep the input type of every column whose values pass through unchanged."""
    if stream.schema is None:
        return None
    types: list[Any] = [None] * len(protected.names)
    for i, plan in enumerate(plans):
        j = out_index.get(i)
        if j is None or plan.free_text or plan.entity is not None:
            continue
        if protected.outcomes[i].action is Action.KEEP and j not in protected.replaced:
            field_type = stream.schema.field(i).type
            types[j] = (
                None if str(field_type) in {"string", "large_string"} else field_type
            )
    return types
