"""What the detectors report: a typed span of the caller's text, never the matched value."""

from __future__ import annotations

from dataclasses import dataclass

from outguard.pii.entities import Entity


@dataclass(frozen=True, slots=True)
class Finding:
    """`text[start:end]` is personal data of `entity`; `explanation` never quotes it."""

    start: int
    end: int
    entity: Entity
    score: float
    detector: str
    explanation: str

    @property
    def length(self) -> int:
        return self.end - self.start
