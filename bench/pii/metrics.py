"""Scoring detections against gold labels: typed precision/recall/F1 and "fully redacted".

Spans: a prediction is a true positive when it overlaps a gold span of the same entity (one
prediction per gold span); a gold span is *fully redacted* when the union of all predicted
spans, of any entity, covers every non-blank character of it (what a redaction would hide).
Columns: the predicted entity must equal the label; a label of None means not personal (a
column scanned as free text and found clean is fine), and a split-address part
(City/State/ZIP beside an address) may go either way.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

Span = tuple[int, int, str]  # (start, end, entity)

_ADDRESS_PART = re.compile(
    r"\b(city|state|st|zip|postal|postcode|zip ?code)\b", re.IGNORECASE
)


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    gold: int = 0
    fully: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def fully_redacted(self) -> float:
        return self.fully / self.gold if self.gold else 1.0

    def add(self, other: Tally) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        self.gold += other.gold
        self.fully += other.fully


@dataclass
class SpanScore:
    by_entity: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))

    def add(self, text: str, gold: Sequence[Span], predicted: Sequence[Span]) -> None:
        covered = bytearray(len(text) + 1)
        for s, e, _ in predicted:
            covered[s:e] = b"\x01" * (e - s)
        used: set[int] = set()
        for gs, ge, gent in gold:
            tally = self.by_entity[gent]
            tally.gold += 1
            if all(covered[i] or text[i].isspace() for i in range(gs, ge)):
                tally.fully += 1
            hit = next(
                (
                    i
                    for i, (ps, pe, pent) in enumerate(predicted)
                    if i not in used and pent == gent and ps < ge and gs < pe
                ),
                None,
            )
            if hit is None:
                tally.fn += 1
            else:
                used.add(hit)
                tally.tp += 1
        for i, (_, _, pent) in enumerate(predicted):
            if i not in used:
                self.by_entity[pent].fp += 1

    @property
    def micro(self) -> Tally:
        total = Tally()
        for t in self.by_entity.values():
            total.add(t)
        return total

    def fully_redacted(self, entities: Iterable[str] | None = None) -> float:
        keep = set(entities) if entities is not None else None
        gold = sum(
            t.gold for e, t in self.by_entity.items() if keep is None or e in keep
        )
        fully = sum(
            t.fully for e, t in self.by_entity.items() if keep is None or e in keep
        )
        return fully / gold if gold else 1.0

    def table(self) -> list[str]:
        lines = [
            f"{'entity':<20}{'gold':>7}{'prec':>7}{'recall':>7}{'F1':>7}{'fully':>7}"
        ]
        for entity in sorted(self.by_entity):
            t = self.by_entity[entity]
            if not t.gold and not t.fp:
                continue
            lines.append(
                f"{entity:<20}{t.gold:>7}{t.precision:>7.2f}{t.recall:>7.2f}"
                f"{t.f1:>7.2f}{t.fully_redacted:>7.2f}"
            )
        m = self.micro
        lines.append(
            f"{'micro':<20}{m.gold:>7}{m.precision:>7.2f}{m.recall:>7.2f}"
            f"{m.f1:>7.2f}{m.fully_redacted:>7.2f}"
        )
        return lines


@dataclass
class ColumnScore:
    right: int = 0
    total: int = 0
    non_pii: int = 0
    non_pii_flagged: int = 0
    wrong: list[str] = field(default_factory=list)

    def add(
        self,
        header: Sequence[str],
        labels: Sequence[str | None],
        free_text: Sequence[bool],
        predicted: Sequence[str | None],
        table: str = "",
    ) -> None:
        """`predicted`: entity, "free_text", or None per column."""
        for name, label, is_text, got in zip(
            header, labels, free_text, predicted, strict=True
        ):
            expected = "free_text" if is_text else label
            part = (
                label is None
                and not is_text
                and bool(_ADDRESS_PART.search(name))
                and got == "ADDRESS"
            )
            # A column without personal data scanned as free text is not flagged: its
            # report shows no spans and nothing in it is changed.
            scanned = expected is None and got == "free_text"
            self.total += 1
            if expected is None:
                self.non_pii += 1
                if got is not None and not part and not scanned:
                    self.non_pii_flagged += 1
            if got == expected or part or scanned:
                self.right += 1
            else:
                self.wrong.append(f"{table}:{name} expected {expected} got {got}")
