"""Trace a leaked file to the recipient(s) whose rendition it came from.

The leaked cells are tested against each recipient through a `RecipientProbe` (the use case
builds one per recipient from its keys and its registered fingerprints): do its tokens decrypt
into values that recipient was sent, does it contain that recipient's canaries or rendered
values? The evidence is weighed by `evidence.Evidence`, with the number of recipients tested
as the multiple-testing correction, and the verdict says plainly when nothing can be claimed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from outguard.protect.evidence import ATTRIBUTION_THRESHOLD, Evidence

MAX_DISTINCT_VALUES = 200_000  # a leak bigger than this is sampled, deterministically


class RecipientProbe(Protocol):
    @property
    def recipient(self) -> str: ...

    def token_hits(self, values: Sequence[str]) -> list[tuple[str, int, int, float]]:
        """Per field kind: (kind, tokens tested, hits, innocent hit probability).

        The probability is per token, for a recipient who did not leak the file.
        """
        ...

    def canary_hits(self, values: Sequence[str]) -> int: ...

    def fingerprint_hits(self, values: Sequence[str]) -> int: ...


@dataclass(frozen=True)
class Attribution:
    recipient: str
    evidence: Evidence
    false_attribution: float
    attributed: bool


@dataclass(frozen=True)
class TraceReport:
    values_examined: int
    recipients_tested: int
    attributions: list[
        Attribution
    ]  # strongest first; only recipients with any evidence

    @property
    def attributed(self) -> list[Attribution]:
        return [a for a in self.attributions if a.attributed]

    def verdict(self) -> str:
        found = self.attributed
        if not found:
            if self.attributions:
                return (
                    "Cannot attribute: some values match recipients, but not strongly enough "
                    f"(false-attribution threshold {ATTRIBUTION_THRESHOLD:g})."
                )
            return "Cannot attribute: nothing in this file matches any recipient's rendition."
        names = ", ".join(a.recipient for a in found)
        worst = max(a.false_attribution for a in found)
        plural = "s" if len(found) > 1 else ""
        bound = f"at most {worst:.1e}" if worst > 1e-300 else "below 1e-300"  # noqa: PLR2004
        return (
            f"Attributed to recipient{plural} {names} (probability of a false attribution "
            f"{bound})."
        )


def distinct_values(cells: Iterable[str | None]) -> list[str]:
    """Each distinct non-empty cell once, whitespace-trimmed, capped for bounded work."""
    seen: dict[str, None] = {}
    for cell in cells:
        if cell is None:
            continue
        text = cell.strip().lstrip("'")  # a neutralised formula keeps its apostrophe
        if text and text not in seen:
            seen[text] = None
            if len(seen) >= MAX_DISTINCT_VALUES:
                break
    return list(seen)


def trace(values: Sequence[str], probes: Sequence[RecipientProbe]) -> TraceReport:
    """Weigh every recipient's evidence for these leaked values."""
    results = []
    for probe in probes:
        groups = tuple(g for g in probe.token_hits(values) if g[1])
        evidence = Evidence(
            recipient=probe.recipient,
            tokens_tested=sum(g[1] for g in groups),
            token_hits=sum(g[2] for g in groups),
            hit_rate_if_innocent=max((g[3] for g in groups), default=0.0),
            canaries_found=probe.canary_hits(values),
            fingerprint_hits=probe.fingerprint_hits(values),
            groups=groups,
        )
        if not (
            evidence.token_hits or evidence.canaries_found or evidence.fingerprint_hits
        ):
            continue
        fa = evidence.false_attribution(len(probes))
        results.append(
            Attribution(probe.recipient, evidence, fa, evidence.attributed(len(probes)))
        )
    results.sort(
        key=lambda a: (not a.attributed, a.false_attribution, -a.evidence.token_hits)
    )
    return TraceReport(len(values), len(probes), results)
