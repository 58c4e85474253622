"""Classify a table's columns from header, sampled values and neighbours; confirm over all rows.

Evidence, strongest first: a checksum-valid share of the sample (cards, SSNs written as SSNs,
IBANs, e-mails: a column whose values prove themselves needs no header), then a header that
names the entity *and* values of the right shape, then neighbours (digits beside "Routing" are
an account number; City/State/ZIP beside an address column are part of it). A header that says
"amount", "invoice", "PO", "ZIP" or "date" makes a column not personal unless its values prove
otherwise. Reports carry masked examples only.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from outguard.pii.entities import Entity
from outguard.pii.masking import mask_example
from outguard.pii.table.headers import (
    FREE_TEXT,
    NOT_PII,
    HeaderHint,
    hint_for,
    normalise_header,
)
from outguard.pii.table.values import CHECKS, clean, is_amount, is_date

# Without a header, the share of sampled values that must prove the entity.
_SELF_PROVING = (
    (Entity.EMAIL, 0.8),
    (Entity.IBAN, 0.8),
    (Entity.CREDIT_CARD, 0.8),
    (Entity.US_ITIN, 0.9),
    (Entity.US_SSN, 0.85),  # written as SSNs (ddd-dd-dddd): the shape is checked too
    (Entity.IP_ADDRESS, 0.9),
    (Entity.PHONE, 0.85),
    (
        Entity.ABA_ROUTING,
        0.97,
    ),  # 1 in 10 random 9-digit numbers passes: demand nearly all
)
_WITH_HEADER = 0.5  # with a header naming the entity, half the values must agree
_NEIGHBOUR_SHARE = 0.8  # without a header (or from a neighbour), most values must fit
_FREE_TEXT_WORDS = 4.0
_EIN_WRITTEN = re.compile(r"\d{2}-\d{7}")
_SSN_WRITTEN = re.compile(r"\d{3}([- ])\d{2}\1\d{4}")
# Over-protecting an ID column costs little; an SSN left in clear costs a lot.
_SSN_WRITTEN_AMONG_VALID = 0.05
_SSN_WRITTEN_AT_LEAST = 2
MAX_EXAMPLES = 3  # masked examples per column
_ADDRESS_PARTS = ("city", "state", "zip", "postal", "postcode", "county")


@dataclass
class ColumnReport:
    name: str
    index: int
    kind: str  # "pii" | "free_text" | "not_pii"
    entity: Entity | None
    confidence: float
    matched: int = 0
    total: int = 0
    examples: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    spans: dict[str, int] = field(default_factory=dict)
    part_of: str | None = None  # a City/State/ZIP column counted as part of an address

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "index": self.index,
            "kind": self.kind,
            "entity": self.entity.value if self.entity else None,
            "confidence": round(self.confidence, 3),
            "matched": self.matched,
            "total": self.total,
            "examples": list(self.examples),
            "reasons": list(self.reasons),
            "spans": dict(self.spans),
        }


def _share(values: Sequence[str], entity: Entity, *, proof: bool = True) -> float:
    if not values:
        return 0.0
    check = CHECKS[entity][0 if proof else 1]
    return sum(1 for v in values if check(v)) / len(values)


def _avg_words(values: Sequence[str]) -> float:
    return sum(len(v.split()) for v in values) / len(values) if values else 0.0


def classify_column(
    name: str, index: int, sample: Sequence[str | None]
) -> ColumnReport:
    """One column on its own (neighbours are applied by `classify_table`)."""
    values = [clean(v) for v in sample if v is not None and v.strip()]
    hint = hint_for(name)
    if not values:
        if hint is not None and isinstance(hint.kind, Entity):
            why = "header only; the sample is empty"
            return ColumnReport(
                name, index, "pii", hint.kind, hint.strength / 2, reasons=(why,)
            )
        return ColumnReport(
            name, index, "not_pii", None, 1.0, reasons=("empty in the sample",)
        )
    words = _avg_words(values)
    if hint is not None and hint.kind == FREE_TEXT and words >= 1:
        why = f"header {name!r} names free text"
        return ColumnReport(
            name, index, "free_text", None, hint.strength, reasons=(why,)
        )
    found = _self_proving(name, index, values, hint) or _by_header(
        name, index, values, hint
    )
    found = found or _names_and_addresses(name, index, values)
    if found is not None:
        return found
    if words >= _FREE_TEXT_WORDS:
        why = f"{words:.1f} words per value"
        return ColumnReport(name, index, "free_text", None, 0.7, reasons=(why,))
    says_not = hint is not None and hint.kind == NOT_PII
    why = (
        f"header {name!r} names non-personal data"
        if says_not
        else "no entity fits the values"
    )
    return ColumnReport(name, index, "not_pii", None, 0.8, reasons=(why,))


def _self_proving(
    name: str, index: int, values: list[str], hint: HeaderHint | None
) -> ColumnReport | None:
    for entity, needed in _SELF_PROVING:
        share = _share(values, entity)
        if entity is Entity.US_SSN:
            # Any 9 digits could be an SSN, so the column must show it writes SSNs: most
            # values written ddd-dd-dddd, or enough of them that the bare 9-digit values
            # beside them (an export mixing both) are SSNs too.
            count = sum(1 for v in values if _SSN_WRITTEN.fullmatch(v))
            written = count / len(values)
            if written < _SSN_WRITTEN_AMONG_VALID or count < _SSN_WRITTEN_AT_LEAST:
                share = min(share, written)
        header_agrees = hint is not None and hint.kind is entity
        if share >= needed or (header_agrees and share >= _WITH_HEADER):
            why = f"{share:.0%} of sampled values are valid {entity.value}"
            confidence = min(1.0, 0.5 + share / 2 + (0.1 if header_agrees else 0))
            return ColumnReport(name, index, "pii", entity, confidence, reasons=(why,))
    return None


def _by_header(
    name: str, index: int, values: list[str], hint: HeaderHint | None
) -> ColumnReport | None:
    if hint is None or not isinstance(hint.kind, Entity):
        return None
    entity = hint.kind
    ein_written = sum(1 for v in values if _EIN_WRITTEN.fullmatch(v)) / len(values)
    if entity is Entity.US_SSN and ein_written >= _WITH_HEADER:
        entity = Entity.US_EIN  # "Tax ID" holding EINs, written NN-NNNNNNN
    share = _share(values, entity)
    if share >= _WITH_HEADER:
        why = f"header {name!r} and {share:.0%} of sampled values are valid {entity.value}"
        confidence = hint.strength * 0.5 + share * 0.5
        return ColumnReport(name, index, "pii", entity, confidence, reasons=(why,))
    shaped = _share(values, entity, proof=False)
    if (
        shaped >= _NEIGHBOUR_SHARE
    ):  # the right shape, failing validation: still what it says
        why = f"header {name!r} and {shaped:.0%} of sampled values shaped like {entity.value}"
        return ColumnReport(
            name, index, "pii", entity, hint.strength * 0.5, reasons=(why,)
        )
    return None


def _names_and_addresses(
    name: str, index: int, values: list[str]
) -> ColumnReport | None:
    if all(is_amount(v) or is_date(v) for v in values):
        return None
    for entity in (Entity.PERSON, Entity.ADDRESS):
        share = _share(values, entity)
        if share >= _NEIGHBOUR_SHARE:
            why = f"{share:.0%} of sampled values look like {entity.value}"
            return ColumnReport(
                name, index, "pii", entity, 0.4 + share / 2, reasons=(why,)
            )
    return None


def classify_table(
    names: Sequence[str], sample: Sequence[Sequence[str | None]]
) -> list[ColumnReport]:
    """Every column, then the neighbour rules."""
    reports = [
        classify_column(n, i, col)
        for i, (n, col) in enumerate(zip(names, sample, strict=True))
    ]
    for i, report in enumerate(reports):
        if report.kind != "not_pii":
            continue
        header = normalise_header(report.name)
        near = reports[max(0, i - 3) : i] + reports[i + 1 : i + 4]
        values = [clean(v) for v in sample[i] if v is not None and v.strip()]
        if any(r.entity is Entity.ADDRESS and not r.part_of for r in near) and any(
            p in header.split() for p in _ADDRESS_PARTS
        ):
            reports[i] = ColumnReport(
                report.name,
                i,
                "pii",
                Entity.ADDRESS,
                0.75,
                reasons=("part of the address beside it",),
                part_of="address",
            )
        elif (
            hint_for(report.name) is None
            and any(
                r.entity is Entity.ABA_ROUTING for r in reports[max(0, i - 1) : i + 2]
            )
            and values
            and _share(values, Entity.BANK_ACCOUNT) >= _NEIGHBOUR_SHARE
        ):
            reports[i] = ColumnReport(
                report.name,
                i,
                "pii",
                Entity.BANK_ACCOUNT,
                0.8,
                reasons=("digits beside a routing-number column",),
            )
    return reports


def confirm(
    report: ColumnReport, values: Sequence[str | None], cache: dict[str, bool]
) -> None:
    """Count, over a batch, the values that prove the column's entity (distinct values once)."""
    if report.entity is None:
        return
    check = (lambda _v: True) if report.part_of else CHECKS[report.entity][0]
    for v in values:
        if v is None or not v.strip():
            continue
        report.total += 1
        ok = cache.get(v)
        if ok is None:
            ok = cache[v] = check(clean(v))
        if ok:
            report.matched += 1
            if len(report.examples) < MAX_EXAMPLES:
                masked = mask_example(report.entity, v)
                if masked not in report.examples:
                    report.examples = (*report.examples, masked)


def count_spans(report: ColumnReport, findings: Sequence[Sequence[object]]) -> None:
    counts: Counter[str] = Counter(report.spans)
    for cell in findings:
        for f in cell:
            counts[f.entity.value] += 1  # type: ignore[attr-defined]
    report.spans = dict(counts)
